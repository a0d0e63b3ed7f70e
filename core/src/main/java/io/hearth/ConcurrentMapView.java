package io.hearth;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The view {@link SharedMap#asMap()} returns, a {@link ConcurrentMap} over one {@link SharedMap}; what each
 * method promises (atomicity, equality, expiry, nulls, snapshots) is said there. It holds nothing of its
 * own: each method is one of the shared map's operations ({@code compute}, {@code computeIfPresent} and
 * {@code merge} are {@link SharedMap#update}), or a loop that reads the entry with its version and writes
 * at that version ({@link #writeOver}), with the shared map's back-off between tries. No method is left
 * to {@link ConcurrentMap}'s defaults that would compare values with {@code equals} in a loop: for a value
 * class without {@code equals} they would never end.
 */
final class ConcurrentMapView<V> extends AbstractMap<String, V> implements ConcurrentMap<String, V> {
    /** What {@link SharedMap#compareAndPut} and its kin return when the version differed and nothing was written. */
    private static final long NOT_WRITTEN = 0;

    private final SharedMap<V> map;

    ConcurrentMapView(SharedMap<V> map) {
        this.map = map;
    }

    @Override
    public V get(Object key) {
        String name = keyOf(key);
        return name == null ? null : map.get(name);
    }

    @Override
    public boolean containsKey(Object key) {
        String name = keyOf(key);
        return name != null && map.getVersioned(name) != null;
    }

    @Override
    public V put(String key, V value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        return valueOf(writeOver(key, any -> true, current -> map.compareAndPut(key,
                current == null ? SharedMap.ABSENT : current.version(), value) != NOT_WRITTEN));
    }

    @Override
    public V putIfAbsent(String key, V value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        return map.putIfAbsent(key, value);
    }

    @Override
    public V remove(Object key) {
        String name = keyOf(key);
        return name == null ? null : map.remove(name);
    }

    @Override
    public boolean remove(Object key, Object value) {
        String name = keyOf(key);
        return name != null && value != null
                && writeOver(name, current -> holds(current, value), current -> map.compareAndRemove(name, current.version())) != null;
    }

    @Override
    public V replace(String key, V value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        return valueOf(writeOver(key, Objects::nonNull, current -> keepingExpiry(key, current, value)));
    }

    @Override
    public boolean replace(String key, V oldValue, V newValue) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(oldValue, "oldValue");
        Objects.requireNonNull(newValue, "newValue");
        return writeOver(key, current -> holds(current, oldValue), current -> keepingExpiry(key, current, newValue)) != null;
    }

    @Override
    public V compute(String key, BiFunction<? super String, ? super V, ? extends V> function) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(function, "function");
        return map.update(key, current -> function.apply(key, current));
    }

    @Override
    public V computeIfPresent(String key, BiFunction<? super String, ? super V, ? extends V> function) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(function, "function");
        return map.update(key, current -> current == null ? null : function.apply(key, current));
    }

    @Override
    public V computeIfAbsent(String key, Function<? super String, ? extends V> function) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(function, "function");
        V current = map.get(key);
        if (current != null) {
            return current;
        }
        V created = function.apply(key);
        if (created == null) {
            return null;
        }
        V first = map.putIfAbsent(key, created);
        return first == null ? created : first;
    }

    @Override
    public V merge(String key, V value, BiFunction<? super V, ? super V, ? extends V> function) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(function, "function");
        return map.update(key, current -> current == null ? value : function.apply(current, value));
    }

    @Override
    public void replaceAll(BiFunction<? super String, ? super V, ? extends V> function) {
        Objects.requireNonNull(function, "function");
        for (String key : map.keys()) {
            computeIfPresent(key, (k, current) -> Objects.requireNonNull(function.apply(k, current),
                    "replaceAll's function returned null for key '" + k + "'"));
        }
    }

    @Override
    public boolean containsValue(Object value) {
        return super.containsValue(Objects.requireNonNull(value, "value"));
    }

    @Override
    public void forEach(BiConsumer<? super String, ? super V> action) {
        Objects.requireNonNull(action, "action");
        map.entries().forEach(action);
    }

    /** A snapshot's walk; also the view's size and clear, which AbstractMap takes from here: the map's own. */
    @Override
    public Set<Entry<String, V>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, V>> iterator() {
                return new SnapshotIterator(map.entries().entrySet().iterator());
            }

            @Override
            public int size() {
                return map.size();
            }

            @Override
            public void clear() {
                map.clear();
            }
        };
    }

    /**
     * Reads key's entry (null when absent) until wanted refuses it, or write, given it, has written at
     * its version; reads again when another writer got in first.
     *
     * @return the entry written over, or null when there was none or wanted refused it
     */
    private Versioned<V> writeOver(String key, Predicate<Versioned<V>> wanted, Predicate<Versioned<V>> write) {
        for (int attempt = 0; ; attempt++) {
            Versioned<V> current = map.getVersioned(key);
            if (!wanted.test(current)) {
                return null;
            }
            if (write.test(current)) {
                return current;
            }
            SharedMap.backOff(attempt);
        }
    }

    /** Writes value over current at its version, keeping its expiry; whether it wrote. */
    private boolean keepingExpiry(String key, Versioned<V> current, V value) {
        return map.compareAndPutKeepingExpiry(key, current.version(), value) != NOT_WRITTEN;
    }

    private static boolean holds(Versioned<?> current, Object value) {
        return current != null && current.value().equals(value);
    }

    private static <V> V valueOf(Versioned<V> entry) {
        return entry == null ? null : entry.value();
    }

    /** key as the map's key, or null for a key of another type, which no entry has; refuses null. */
    private static String keyOf(Object key) {
        Objects.requireNonNull(key, "key");
        return key instanceof String name ? name : null;
    }

    /** Walks a snapshot; remove and setValue write through to the map. */
    private final class SnapshotIterator implements Iterator<Entry<String, V>> {
        private final Iterator<Entry<String, V>> snapshot;
        private Entry<String, V> last;

        SnapshotIterator(Iterator<Entry<String, V>> snapshot) {
            this.snapshot = snapshot;
        }

        @Override
        public boolean hasNext() {
            return snapshot.hasNext();
        }

        @Override
        public Entry<String, V> next() {
            Entry<String, V> seen = snapshot.next();
            last = new WrittenThroughEntry(seen.getKey(), seen.getValue());
            return last;
        }

        @Override
        public void remove() {
            if (last == null) {
                throw new IllegalStateException("next() has not been called since the last remove()");
            }
            map.remove(last.getKey());
            last = null;
        }
    }

    /** An entry of a snapshot whose setValue is {@link #put}. */
    private final class WrittenThroughEntry extends AbstractMap.SimpleEntry<String, V> {
        WrittenThroughEntry(String key, V value) {
            super(key, value);
        }

        @Override
        public V setValue(V value) {
            put(getKey(), value);
            return super.setValue(value);
        }
    }
}

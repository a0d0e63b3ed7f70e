package io.hearth.http;

import io.hearth.BroadcastMessage;
import io.hearth.BroadcastResult;
import io.hearth.StoreBusyException;
import io.hearth.StoreStats;
import io.hearth.WorkerInfo;
import io.hearth.spi.BackendLimits;
import io.hearth.spi.CounterCell;
import io.hearth.spi.StoreBackend;
import io.hearth.spi.StoreBackendProvider;
import io.hearth.spi.StoreOptions;
import io.hearth.spi.StoredEntry;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Consumer;

/**
 * Scheme {@code stopped-holder:/path}: the file store at path, whose map calls all fail as they do
 * while another process holds their map lock and is stopped (SIGSTOP): with
 * {@link StoreBusyException} once the lock wait runs out. Counters, workers, broadcasts and stats
 * work. Registered in this module's test resources, so {@code SharedStore.open(URI)} finds it.
 */
public final class StoppedHolderBackendProvider implements StoreBackendProvider {
    static final String SCHEME = "stopped-holder";
    static final long STOPPED_PID = 4242;

    /** The URI of a store at path whose map calls fail so. */
    static URI at(Path path) {
        return URI.create(SCHEME + ":" + path.toAbsolutePath().toUri().getRawPath());
    }

    @Override
    public String scheme() {
        return SCHEME;
    }

    @Override
    public StoreBackend open(URI uri, StoreOptions options) {
        StoreBackendProvider file = ServiceLoader.load(StoreBackendProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(provider -> provider.scheme().equals("file")).findFirst().orElseThrow();
        Path path = Path.of(uri.getPath());
        return new StoppedHolder(file.open(path.toUri(), options), path);
    }

    private static final class StoppedHolder implements StoreBackend {
        private final StoreBackend file;
        private final Path path;

        StoppedHolder(StoreBackend file, Path path) {
            this.file = file;
            this.path = path;
        }

        /** The file backend's message for a live holder that does not run (MapLockTable). */
        private StoreBusyException busy() {
            return new StoreBusyException("map lock stripe 3 of " + path + " has been held for over 30 s by process "
                    + STOPPED_PID + ", which is alive but not running (stopped? being debugged?)");
        }

        @Override
        public StoredEntry get(String map, String key) {
            throw busy();
        }

        @Override
        public long write(String map, String key, long expectedVersion, byte[] json, long expiresAt) {
            throw busy();
        }

        @Override
        public boolean expire(String map, String key, long expiresAt) {
            throw busy();
        }

        @Override
        public StoredEntry remove(String map, String key, long expectedVersion) {
            throw busy();
        }

        @Override
        public void forEachKey(String map, Consumer<String> action) {
            throw busy();
        }

        @Override
        public BackendLimits limits() {
            return file.limits();
        }

        @Override
        public String location() {
            return file.location();
        }

        @Override
        public boolean countersNeverBlock() {
            return file.countersNeverBlock();
        }

        @Override
        public CounterCell counter(String name, long timeToLiveMillis) {
            return file.counter(name, timeToLiveMillis);
        }

        @Override
        public CounterCell findCounter(String name) {
            return file.findCounter(name);
        }

        @Override
        public boolean removeCounter(String name) {
            return file.removeCounter(name);
        }

        @Override
        public List<WorkerInfo> workers() {
            return file.workers();
        }

        @Override
        public BroadcastResult broadcast(String topic, String payload, Duration waitForAcks) {
            return file.broadcast(topic, payload, waitForAcks);
        }

        @Override
        public void startDelivery(Consumer<BroadcastMessage> sink) {
            file.startDelivery(sink);
        }

        @Override
        public StoreStats stats() {
            return file.stats();
        }

        @Override
        public void close() {
            file.close();
        }
    }
}

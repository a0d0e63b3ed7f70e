package io.hearth.testkit;

import io.hearth.SharedMap;
import io.hearth.SharedStore;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The other process of {@link ConcurrentMapContract}: one JVM for a whole test class, writing and
 * reading map "view" ({@link Tally} values) of each test's store as stdin tells it, with the plain
 * {@link SharedMap} methods. It prints "READY", then per line:
 * <ul>
 *   <li>"open STORE": opens STORE (a file path or a URI, as {@link Stores#open} takes it); prints "OPENED".</li>
 *   <li>"close": closes it; prints "CLOSED".</li>
 *   <li>"put KEY N" and "put KEY N SECONDS" (to expire then): puts Tally N; prints "ACK version".</li>
 *   <li>"remove KEY": removes the key; prints "ACK removed".</li>
 *   <li>"get KEY": prints "VALUE n", or "VALUE absent".</li>
 * </ul>
 */
public final class MapWriterChild {
    private MapWriterChild() {
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        SharedStore store = null;
        SharedMap<Tally> map = null;
        System.out.println("READY");
        for (String line; (line = in.readLine()) != null; ) {
            String[] words = line.split(" ");
            switch (words[0]) {
                case "open" -> {
                    store = Stores.open(line.substring("open ".length()));
                    map = store.map("view", Tally.class);
                    System.out.println("OPENED");
                }
                case "close" -> {
                    store.close();
                    System.out.println("CLOSED");
                }
                case "put" -> {
                    Tally value = new Tally(Long.parseLong(words[2]));
                    long version = words.length > 3
                            ? map.put(words[1], value, Duration.ofSeconds(Long.parseLong(words[3])))
                            : map.put(words[1], value);
                    System.out.println("ACK " + version);
                }
                case "remove" -> {
                    map.remove(words[1]);
                    System.out.println("ACK removed");
                }
                case "get" -> {
                    Tally value = map.get(words[1]);
                    System.out.println("VALUE " + (value == null ? "absent" : Long.toString(value.n())));
                }
                default -> throw new IllegalArgumentException("unknown command: " + line);
            }
        }
    }
}

package io.hearth.file;

import io.hearth.BroadcastResult;
import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.hearth.Versioned;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's embedding example, line for line, so the README cannot drift from what works. */
class TutorialTest {
    record Visit(String page, long count) {
    }

    @TempDir
    Path dir;

    @Test
    void theReadmeExampleRunsAsWritten() {
        Path file = dir.resolve("app.store");
        // README begins
        try (SharedStore store = SharedStore.open(file)) {
            long hits = store.counter("hits").incrementAndGet();            // atomic across processes
            SharedMap<Visit> visits = store.map("visits", Visit.class);       // values are JSON via Jackson
            visits.update("/home", v -> v == null ? new Visit("/home", 1) : new Visit(v.page(), v.count() + 1));
            Versioned<Visit> seen = visits.getVersioned("/home");            // value + version (an ETag)
            visits.compareAndPut("/home", seen.version(), new Visit("/home", 0)); // 0 if someone wrote first
            store.subscribe("reload", message -> System.out.println("reload: " + message.payload()));
            BroadcastResult result = store.broadcast("reload", "{\"why\":\"config\"}", Duration.ofSeconds(2));
            System.out.println(hits + " hits; acked by " + result.acked() + "; workers " + store.workers());
        }
        // README ends
        try (SharedStore store = SharedStore.open(file)) {
            assertThat(store.counter("hits").get()).isEqualTo(1);
            assertThat(store.map("visits", Visit.class).get("/home")).isEqualTo(new Visit("/home", 0));
        }
    }
}

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

    record Session(String user) {
    }

    record Report(String day, long visits) {
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

    @Test
    void theReadmeExpiryExampleRunsAsWritten() {
        String sessionId = "s-1";
        Session session = new Session("ada");
        String day = "2026-12-01";
        String user = "ada";
        try (SharedStore store = SharedStore.open(dir.resolve("expiry.store"))) {
            // README begins
            SharedMap<Session> sessions = store.map("sessions", Session.class);
            sessions.put(sessionId, session, Duration.ofMinutes(30));           // gone for everyone in 30 min
            sessions.expire(sessionId, Duration.ofMinutes(30));                  // sliding: push the deadline back

            SharedMap<Report> cache = store.map("reports", Report.class).withTimeToLive(Duration.ofMinutes(5));
            Report report = cache.get(day);
            if (report == null) { report = compute(day); cache.putIfAbsent(day, report); }

            // a fixed window of 100 requests a minute: the counter is created with its expiry, in one step
            long used = store.counter("rate:" + user, Duration.ofMinutes(1)).incrementAndGet();
            boolean allowed = used <= 100;
            // README ends
            assertThat(sessions.timeToLive(sessionId)).hasValueSatisfying(left -> assertThat(left).isGreaterThan(Duration.ofMinutes(29)));
            assertThat(cache.timeToLive(day)).hasValueSatisfying(left -> assertThat(left).isGreaterThan(Duration.ofMinutes(4)));
            assertThat(cache.get(day)).isEqualTo(report);
            assertThat(allowed).isTrue();
            assertThat(store.counter("rate:" + user).timeToLive()).isPresent();
        }
    }

    private static Report compute(String day) {
        return new Report(day, 42);
    }
}

package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /metrics, read with the strict {@link PrometheusText} parser: what it names, how it counts, what it reads when. */
class MetricsEndpointTest {
    private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");
    private static final String TEXT_0_0_4 = "text/plain; version=0.0.4; charset=utf-8";
    private static final String REQUESTS = "hearth_http_requests_total";
    private static final String LATENCY = "hearth_http_request_duration_seconds";

    @TempDir
    Path dir;
    private SharedStore store;
    private HearthServer server;
    private int port;

    @BeforeEach
    void start() {
        store = SharedStore.open(dir.resolve("test.store"));
        server = HearthServer.builder(store).port(0).start();
        port = server.port();
    }

    @AfterEach
    void stop() {
        server.close();
        store.close();
    }

    @Test
    void theMetricsPageIsStrictPrometheusTextNamingEveryHearthSeriesAndTheJvms() {
        RawHttp.request(port, "PUT", "/objects/m/k", JSON, "{}");
        RawHttp.request(port, "POST", "/increment");
        PrometheusText metrics = awaitScrape(port, text -> answered(text).size() == 2);

        Map<String, PrometheusText.Type> expected = new LinkedHashMap<>();
        Map<PrometheusText.Type, List<String>> byType = Map.of(
                PrometheusText.Type.COUNTER, List.of(REQUESTS, "hearth_read_cache_hits_total", "hearth_read_cache_misses_total",
                        // the client's JVM metrics (prometheus-metrics-instrumentation-jvm) from here on, a few of each kind
                        "jvm_compilation_time_seconds_total", "process_cpu_seconds_total"),
                PrometheusText.Type.HISTOGRAM, List.of(LATENCY),
                PrometheusText.Type.SUMMARY, List.of("jvm_gc_collection_seconds"),
                PrometheusText.Type.GAUGE, List.of("hearth_http_requests_in_flight", "hearth_worker_info", "hearth_store_entries",
                        "hearth_store_capacity_entries", "hearth_store_fill_ratio", "hearth_store_counters", "hearth_store_counter_capacity",
                        "hearth_store_file_bytes", "hearth_store_growths", "hearth_store_generation", "hearth_store_attached_processes",
                        "hearth_read_cache_entries", "hearth_read_cache_max_bytes",
                        "jvm_memory_used_bytes", "jvm_memory_pool_used_bytes", "jvm_threads_current", "jvm_threads_state",
                        "jvm_classes_currently_loaded", "jvm_buffer_pool_used_bytes", "jvm_runtime_info", "process_resident_memory_bytes"));
        byType.forEach((type, names) -> names.forEach(name -> expected.put(name, type)));
        Map<String, PrometheusText.Type> found = new LinkedHashMap<>();
        expected.keySet().forEach(name -> found.put(name, metrics.family(name).type()));
        assertThat(found).isEqualTo(expected);
        expected.keySet().forEach(name -> assertThat(metrics.family(name).help()).as(name).isNotBlank());

        assertThat(metrics.value("hearth_worker_info", "pid", Long.toString(ProcessHandle.current().pid()))).isEqualTo(1);
        assertThat(metrics.value("hearth_store_entries")).isEqualTo(1);
        assertThat(metrics.value("hearth_store_counters")).isEqualTo(1);
        assertThat(metrics.value("hearth_store_attached_processes")).isEqualTo(1);
        assertThat(metrics.value("hearth_http_requests_in_flight")).as("the scrape itself, at least").isGreaterThanOrEqualTo(1);
        assertThat(metrics.samples(LATENCY + "_bucket").stream().filter(s -> s.labels().get("route").equals("/increment"))
                .map(s -> s.labels().get("le")))
                .as("the buckets, 0.5 ms to 10 s, as the client writes their bounds")
                .containsExactly("5.0E-4", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0",
                        "10.0", "+Inf");
    }

    @Test
    void requestsAreCountedByRouteTemplateMethodAndStatusSoRawPathsAddNoSeries() {
        for (int i = 0; i < 20; i++) {
            assertThat(RawHttp.request(port, "PUT", "/objects/map" + i + "/key" + i, JSON, "{}").status()).isEqualTo(201);
            assertThat(RawHttp.request(port, "GET", "/no/such/route/" + i).status()).isEqualTo(404);
        }
        assertThat(RawHttp.request(port, "BREW", "/increment").status()).isEqualTo(405);
        assertThat(RawHttp.request(port, "GET", "/objects/map0/missing").status()).isEqualTo(404);

        // Each exchange is counted, then timed: wait for both of the last one.
        PrometheusText metrics = awaitScrape(port, text -> answered(text).values().stream().mapToDouble(Double::doubleValue).sum() == 42
                && text.samples(LATENCY + "_count").stream().filter(s -> !s.labels().get("route").equals("/metrics"))
                        .mapToDouble(PrometheusText.Sample::value).sum() == 42);
        assertThat(answered(metrics)).isEqualTo(Map.of(
                Map.of("route", "/objects/{map}/{key}", "method", "PUT", "status", "201"), 20.0,
                Map.of("route", "/objects/{map}/{key}", "method", "GET", "status", "404"), 1.0,
                Map.of("route", "unmatched", "method", "GET", "status", "404"), 20.0,
                Map.of("route", "unmatched", "method", "other", "status", "405"), 1.0));
        assertThat(metrics.value(LATENCY + "_count", "route", "/objects/{map}/{key}")).isEqualTo(21);
        assertThat(metrics.value(LATENCY + "_count", "route", "unmatched")).isEqualTo(21);
        assertThat(metrics.samples(LATENCY + "_count")).extracting(s -> s.labels().get("route"))
                .contains("/objects/{map}/{key}", "unmatched").isSubsetOf("/objects/{map}/{key}", "unmatched", "/metrics");
    }

    @Test
    void theStoreFiguresAreReadAtEachScrapeNotKept() {
        PrometheusText before = scrape();
        assertThat(before.value("hearth_store_entries")).isZero();
        assertThat(before.value("hearth_store_counters")).isZero();
        assertThat(before.value("hearth_read_cache_hits_total")).isZero();

        SharedMap<String> names = store.map("names", String.class); // written in this process, not through the server
        names.put("ada", "Ada");
        names.put("bob", "Bob");
        names.get("ada");
        names.get("ada");
        store.counter("hits").set(7);
        PrometheusText after = scrape();
        assertThat(after.value("hearth_store_entries")).isEqualTo(2);
        assertThat(after.value("hearth_store_counters")).isEqualTo(1);
        assertThat(after.value("hearth_read_cache_misses_total")).isEqualTo(1);
        assertThat(after.value("hearth_read_cache_hits_total")).isEqualTo(1);
        assertThat(after.value("hearth_read_cache_entries")).isEqualTo(1);
        assertThat(after.value("hearth_store_fill_ratio")).isEqualTo(2.0 / store.stats().capacity());

        names.remove("bob");
        assertThat(scrape().value("hearth_store_entries")).isEqualTo(1);
    }

    @Test
    void theAnswerIsTextFormat004WhateverTheClientAccepts() {
        for (String accept : List.of("*/*", "text/plain", "application/openmetrics-text; version=1.0.0; charset=utf-8",
                "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited", "application/json")) {
            RawHttp.Response response = RawHttp.request(port, "GET", "/metrics", Map.of("Accept", accept), null);
            assertThat(response.status()).as(accept).isEqualTo(200);
            assertThat(response.header("Content-Type")).as(accept).isEqualTo(TEXT_0_0_4);
            assertThat(PrometheusText.parse(response.body()).families()).as(accept).containsKey("hearth_store_entries");
        }
        RawHttp.Response none = RawHttp.request(port, "GET", "/metrics");
        assertThat(none.header("Content-Type")).isEqualTo(TEXT_0_0_4);
        assertThat(none.body()).doesNotContain("# EOF"); // not OpenMetrics
    }

    @Test
    void eachServerKeepsItsOwnRegistryAndTheClientsDefaultRegistryStaysEmpty() {
        try (HearthServer other = HearthServer.builder(store).port(0).start()) {
            for (int i = 0; i < 3; i++) {
                RawHttp.request(port, "POST", "/increment");
            }
            RawHttp.request(other.port(), "GET", "/report");
            Map<Map<String, String>, Double> increments = Map.of(Map.of("route", "/increment", "method", "POST", "status", "200"), 3.0);
            Map<Map<String, String>, Double> report = Map.of(Map.of("route", "/report", "method", "GET", "status", "200"), 1.0);
            awaitScrape(port, text -> answered(text).equals(increments)); // fails, saying what it counts, if it never does
            PrometheusText theirs = awaitScrape(other.port(), text -> answered(text).equals(report));
            assertThat(theirs.value("hearth_store_counters")).as("the store is theirs too").isEqualTo(1);
        }
        assertThat(PrometheusRegistry.defaultRegistry.scrape().stream().map(MetricSnapshot::getMetadata).map(m -> m.getPrometheusName()))
                .as("names in the client's default registry").noneMatch(name -> name.startsWith("hearth_") || name.startsWith("jvm_")
                        || name.startsWith("process_"));
    }

    @Test
    void whileTheStoreIsClosedTheMetricsAnswer503AsReadinessDoes() {
        assertThat(RawHttp.request(port, "GET", "/metrics").status()).isEqualTo(200);
        store.close(); // what a store outage looks like to a worker that keeps running
        RawHttp.Response metrics = RawHttp.request(port, "GET", "/metrics");
        assertThat(metrics.status()).as(metrics.toString()).isEqualTo(503);
        assertThat(metrics.json().get("error").asText()).isEqualTo("unavailable");
        assertThat(RawHttp.request(port, "GET", "/health").status()).isEqualTo(503);
    }

    /** The request counts of a scrape by labels, leaving out the scrapes before it. */
    private static Map<Map<String, String>, Double> answered(PrometheusText text) {
        return text.samples(REQUESTS).stream().filter(s -> !s.labels().get("route").equals("/metrics"))
                .collect(Collectors.toMap(PrometheusText.Sample::labels, PrometheusText.Sample::value));
    }

    private PrometheusText scrape() {
        return scrape(port);
    }

    private static PrometheusText scrape(int port) {
        RawHttp.Response response = RawHttp.request(port, "GET", "/metrics");
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.header("Content-Type")).isEqualTo(TEXT_0_0_4);
        return PrometheusText.parse(response.body());
    }

    /**
     * Scrapes until wanted holds: a client reads its answer a moment before the server counts the exchange
     * as complete, so the last request may show on the next scrape.
     */
    private static PrometheusText awaitScrape(int port, Predicate<PrometheusText> wanted) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        PrometheusText text = scrape(port);
        while (!wanted.test(text)) {
            assertThat(System.nanoTime() - deadline).as("the scrape still lacks what is wanted; it counts %s", answered(text)).isNegative();
            Thread.onSpinWait();
            text = scrape(port);
        }
        return text;
    }
}

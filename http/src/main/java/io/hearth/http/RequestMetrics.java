package io.hearth.http;

import io.hearth.ReadCacheStats;
import io.hearth.SharedStore;
import io.hearth.StoreStats;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.PathTemplateMatch;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * This worker's request counts and latencies, and its view of the store, in the Prometheus text
 * format 0.0.4. Labels come from the route template, a fixed set of methods and the status code,
 * so no client can grow the number of series.
 */
final class RequestMetrics {
    private static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, Histogram> latencies = new ConcurrentHashMap<>();
    private final AtomicLong inFlight = new AtomicLong();

    /** Counts every exchange that passes through next, however it ends. */
    HttpHandler around(HttpHandler next) {
        return exchange -> {
            long start = System.nanoTime();
            inFlight.incrementAndGet();
            exchange.addExchangeCompleteListener((done, nextListener) -> {
                try {
                    record(done, System.nanoTime() - start);
                } finally {
                    inFlight.decrementAndGet();
                    nextListener.proceed();
                }
            });
            next.handleRequest(exchange);
        };
    }

    private void record(HttpServerExchange exchange, long nanos) {
        PathTemplateMatch match = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY);
        String route = match == null ? "unmatched" : match.getMatchedTemplate();
        String method = exchange.getRequestMethod().toString();
        method = METHODS.contains(method) ? method : "other";
        String labels = "route=\"" + escape(route) + "\",method=\"" + method + "\",status=\"" + exchange.getStatusCode() + "\"";
        requests.computeIfAbsent(labels, l -> new LongAdder()).increment();
        latencies.computeIfAbsent("route=\"" + escape(route) + "\"", l -> new Histogram()).observe(nanos / 1e9);
    }

    /** The exposition text, with the store's gauges read now. */
    String scrape(SharedStore store, long pid) {
        StringBuilder out = new StringBuilder(4096);
        header(out, "hearth_http_requests_total", "counter", "HTTP requests this worker process answered, by route template, method and status.");
        new TreeMap<>(requests).forEach((labels, count) -> out.append("hearth_http_requests_total{").append(labels)
                .append("} ").append(count.sum()).append('\n'));
        header(out, "hearth_http_request_duration_seconds", "histogram", "Time from request to response in this worker process, by route template.");
        new TreeMap<>(latencies).forEach((labels, histogram) -> histogram.write(out, labels));
        header(out, "hearth_http_requests_in_flight", "gauge", "Requests this worker process is answering now.");
        out.append("hearth_http_requests_in_flight ").append(inFlight.get()).append('\n');
        header(out, "hearth_worker_info", "gauge", "Always 1; its label is the pid of the worker process that answered this scrape.");
        out.append("hearth_worker_info{pid=\"").append(pid).append("\"} 1\n");
        StoreStats stats = store.stats();
        gauge(out, "hearth_store_entries", "Map entries in the store, over all maps.", stats.entries());
        gauge(out, "hearth_store_capacity_entries", "The most map entries the store takes (+Inf: only the disk limits it).",
                stats.capacity() == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : stats.capacity());
        gauge(out, "hearth_store_fill_ratio", "Map entries divided by capacity, 0 to 1.", stats.fillRatio());
        gauge(out, "hearth_store_counters", "Counter names in use in the store.", stats.counters());
        gauge(out, "hearth_store_counter_capacity", "The most counter names the store takes (+Inf: only the disk limits it).",
                stats.counterCapacity() == Integer.MAX_VALUE ? Double.POSITIVE_INFINITY : stats.counterCapacity());
        gauge(out, "hearth_store_file_bytes", "Length of the store's files, all of whose blocks are allocated.", stats.fileBytes());
        gauge(out, "hearth_store_growths", "Times the store grew while in use (entry shards split, counter tables added).", stats.growths());
        gauge(out, "hearth_store_generation", "Shards the store's entries are spread over.", stats.generation());
        gauge(out, "hearth_store_attached_processes", "Live processes attached to the store.", store.workers().size());
        ReadCacheStats cache = stats.readCache();
        counter(out, "hearth_read_cache_hits_total", "Map reads in this worker process answered from its read cache, the entry's version checked.", cache.hits());
        counter(out, "hearth_read_cache_misses_total", "Map reads in this worker process of a cached type that decoded the stored JSON.", cache.misses());
        gauge(out, "hearth_read_cache_entries", "Decoded values this worker process's read cache holds now.", cache.size());
        gauge(out, "hearth_read_cache_max_bytes", "The bound on this worker process's read cache, in estimated heap bytes (0: off).", cache.maximumBytes());
        return out.toString();
    }

    private static void gauge(StringBuilder out, String name, String help, double value) {
        sample(out, name, "gauge", help, value);
    }

    private static void counter(StringBuilder out, String name, String help, double value) {
        sample(out, name, "counter", help, value);
    }

    private static void sample(StringBuilder out, String name, String type, String help, double value) {
        header(out, name, type, help);
        out.append(name).append(' ').append(number(value)).append('\n');
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static String number(double value) {
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }

    private static String escape(String label) {
        return label.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** Cumulative buckets as Prometheus wants them, kept as per-bucket adders and summed on scrape. */
    private static final class Histogram {
        private final LongAdder[] counts = new LongAdder[BUCKETS.length + 1];
        private final DoubleAdder sum = new DoubleAdder();

        Histogram() {
            for (int i = 0; i < counts.length; i++) {
                counts[i] = new LongAdder();
            }
        }

        void observe(double seconds) {
            int bucket = 0;
            while (bucket < BUCKETS.length && seconds > BUCKETS[bucket]) {
                bucket++;
            }
            counts[bucket].increment();
            sum.add(seconds);
        }

        void write(StringBuilder out, String labels) {
            long cumulative = 0;
            for (int i = 0; i < counts.length; i++) {
                cumulative += counts[i].sum();
                String le = i < BUCKETS.length ? BigDecimal.valueOf(BUCKETS[i]).stripTrailingZeros().toPlainString() : "+Inf";
                out.append("hearth_http_request_duration_seconds_bucket{").append(labels).append(",le=\"").append(le)
                        .append("\"} ").append(cumulative).append('\n');
            }
            out.append("hearth_http_request_duration_seconds_sum{").append(labels).append("} ").append(sum.sum()).append('\n');
            out.append("hearth_http_request_duration_seconds_count{").append(labels).append("} ").append(cumulative).append('\n');
        }
    }
}

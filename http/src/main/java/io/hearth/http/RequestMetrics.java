package io.hearth.http;

import io.hearth.SharedStore;
import io.hearth.StoreStats;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmNativeMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricFamilyDescriptor;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.PathTemplateMatch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * This worker's request counts and latencies, its JVM, and its view of the store, kept by the
 * Prometheus Java client on a registry of its own (never the client's default registry) and
 * written in the Prometheus text format 0.0.4.
 *
 * <p>Labels come from the route template, a fixed set of methods and the status code, so no
 * client can grow the number of series. Each (route, method, status) series is looked up in the
 * client once, the first time it is seen; after that a request costs a few array reads and the
 * client's adders, and allocates no label values. The store's figures are read from one
 * {@link SharedStore#stats()} at each scrape, never kept.
 *
 * <p>Thread-safe: requests are recorded from any thread while a scrape runs.
 */
final class RequestMetrics {
    private static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    /** The method label's values; anything else is {@code other}. */
    private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other");
    private static final int OTHER_METHOD = METHODS.size() - 1;
    /** Status codes 100 to 599 are labelled as they are; anything else (Undertow takes 0 to 999) is {@code other}. */
    private static final int LOWEST_STATUS = 100;
    private static final int STATUS_SLOTS = 600 - LOWEST_STATUS + 1;
    private static final int OTHER_STATUS = STATUS_SLOTS - 1;
    private static final String UNMATCHED = "unmatched";

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    /** Defaults in code: nothing read from prometheus.properties, system properties or the environment. */
    private final PrometheusProperties config = PrometheusProperties.builder().build();
    /** Set once the JVM's metrics are on the registry: at the first scrape, not at start (see {@link #registerJvmMetrics}). */
    private volatile boolean jvmRegistered;
    private final Counter requests;
    private final Histogram latencies;
    private final LongAdder inFlight = new LongAdder();
    private final ConcurrentMap<String, RouteSeries> routes = new ConcurrentHashMap<>();

    /** Registers this worker's metrics and the gauges of store, read at each scrape; the JVM's come with the first scrape. */
    RequestMetrics(SharedStore store) {
        requests = Counter.builder(config)
                .name("hearth_http_requests_total")
                .help("HTTP requests this worker process answered, by route template, method and status.")
                .labelNames("route", "method", "status")
                .withoutExemplars()
                .register(registry);
        latencies = Histogram.builder(config)
                .name("hearth_http_request_duration_seconds")
                .help("Time from request to response in this worker process, by route template.")
                .unit(Unit.SECONDS)
                .labelNames("route")
                .classicOnly()
                .classicUpperBounds(BUCKETS)
                .withoutExemplars()
                .register(registry);
        GaugeWithCallback.builder(config)
                .name("hearth_http_requests_in_flight")
                .help("Requests this worker process is answering now.")
                .callback(callback -> callback.call(inFlight.sum()))
                .register(registry);
        Info.builder(config)
                .name("hearth_worker_info")
                .help("Always 1; its label is the pid of the worker process that answered this scrape.")
                .labelNames("pid")
                .register(registry)
                .setLabelValues(Long.toString(ProcessHandle.current().pid()));
        registry.register(new StoreGauges(store));
    }

    /**
     * The client's JVM metrics, one collector at a time: {@code JvmMetrics.builder().register(registry)}
     * would keep every registry it is given in a static set for ever, and it adds
     * {@code JvmMemoryPoolAllocationMetrics}, whose GC listener would outlive this server.
     *
     * <p>Registered at the first scrape rather than at start: they cost about 60 ms of CPU on a cold
     * JVM, and a worker's start-up CPU is what limits how fast killed workers are replaced. The native
     * memory ones only under {@code -XX:NativeMemoryTracking}: without it they register nothing, after
     * starting the platform MBean server to ask (another 85 ms).
     */
    private synchronized void registerJvmMetrics() {
        if (jvmRegistered) {
            return;
        }
        JvmThreadsMetrics.builder(config).register(registry);
        JvmBufferPoolMetrics.builder(config).register(registry);
        JvmClassLoadingMetrics.builder(config).register(registry);
        JvmCompilationMetrics.builder(config).register(registry);
        JvmGarbageCollectorMetrics.builder(config).register(registry);
        JvmMemoryMetrics.builder(config).register(registry);
        if (ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(option -> option.startsWith("-XX:NativeMemoryTracking=") && !option.equals("-XX:NativeMemoryTracking=off"))) {
            JvmNativeMemoryMetrics.builder(config).register(registry);
        }
        JvmRuntimeInfoMetric.builder(config).register(registry);
        ProcessMetrics.builder(config).register(registry);
        jvmRegistered = true;
    }

    /** Counts every exchange that passes through next, however it ends. */
    HttpHandler around(HttpHandler next) {
        return exchange -> {
            long start = System.nanoTime();
            inFlight.increment();
            exchange.addExchangeCompleteListener((done, nextListener) -> {
                try {
                    record(done, System.nanoTime() - start);
                } finally {
                    inFlight.decrement();
                    nextListener.proceed();
                }
            });
            next.handleRequest(exchange);
        };
    }

    private void record(HttpServerExchange exchange, long nanos) {
        PathTemplateMatch match = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY);
        String route = match == null ? UNMATCHED : match.getMatchedTemplate();
        RouteSeries series = routes.get(route);
        if (series == null) {
            series = routes.computeIfAbsent(route, RouteSeries::new);
        }
        series.requests(methodIndex(exchange.getRequestMethod().toString()), exchange.getStatusCode()).inc();
        series.latency.observe(Unit.nanosToSeconds(nanos));
    }

    private static int methodIndex(String method) {
        return switch (method) {
            case "GET" -> 0;
            case "HEAD" -> 1;
            case "POST" -> 2;
            case "PUT" -> 3;
            case "PATCH" -> 4;
            case "DELETE" -> 5;
            case "OPTIONS" -> 6;
            default -> OTHER_METHOD;
        };
    }

    /** The exposition text: the request metrics as they are now, the JVM's and the store's read now. */
    byte[] scrape() {
        if (!jvmRegistered) {
            registerJvmMetrics();
        }
        MetricSnapshots snapshots = registry.scrape();
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, snapshots);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the metrics to memory", e); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }

    /** The content type of {@link #scrape()}: {@code text/plain; version=0.0.4; charset=utf-8}. */
    String contentType() {
        return writer.getContentType();
    }

    /** One route template's data points in the client, each bound to its label values the first time it is used. */
    private final class RouteSeries {
        private final String route;
        private final DistributionDataPoint latency;
        /** By method, then by status slot; filled in as they are first seen. */
        private final AtomicReferenceArray<AtomicReferenceArray<CounterDataPoint>> counts =
                new AtomicReferenceArray<>(METHODS.size());

        RouteSeries(String route) {
            this.route = route;
            this.latency = latencies.labelValues(route);
        }

        CounterDataPoint requests(int method, int status) {
            AtomicReferenceArray<CounterDataPoint> byStatus = counts.get(method);
            if (byStatus == null) {
                counts.compareAndSet(method, null, new AtomicReferenceArray<>(STATUS_SLOTS));
                byStatus = counts.get(method);
            }
            int slot = status >= LOWEST_STATUS && status < LOWEST_STATUS + OTHER_STATUS ? status - LOWEST_STATUS : OTHER_STATUS;
            CounterDataPoint point = byStatus.get(slot);
            if (point == null) {
                // The client hands out the same data point for the same label values, so a race here loses nothing.
                point = requests.labelValues(route, METHODS.get(method), slot == OTHER_STATUS ? "other" : Integer.toString(status));
                byStatus.set(slot, point);
            }
            return point;
        }
    }

    /** The store's figures, all from one {@link SharedStore#stats()} call at each scrape. */
    private static final class StoreGauges implements MultiCollector {
        /** What one scrape reads from the store. */
        private record Reading(StoreStats stats, int attachedProcesses) {
        }

        /** One family of one sample, and how to find its value in a reading. */
        private record Figure(MetricFamilyDescriptor descriptor, ToDoubleFunction<Reading> value) {
            MetricSnapshot snapshot(Reading reading) {
                double sample = value.applyAsDouble(reading);
                return descriptor.getType() == MetricType.COUNTER
                        ? new CounterSnapshot(descriptor.getMetadata(), List.of(CounterDataPointSnapshot.builder().value(sample).build()))
                        : new GaugeSnapshot(descriptor.getMetadata(), List.of(GaugeDataPointSnapshot.builder().value(sample).build()));
            }
        }

        private static final List<Figure> FIGURES = List.of(
                gauge("hearth_store_entries", "Map entries in the store, over all maps.", r -> r.stats().entries()),
                gauge("hearth_store_capacity_entries", "The most map entries the store takes (+Inf: only the disk limits it).",
                        r -> r.stats().capacity() == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : r.stats().capacity()),
                gauge("hearth_store_fill_ratio", "Map entries divided by capacity, 0 to 1.", r -> r.stats().fillRatio()),
                gauge("hearth_store_counters", "Counter names in use in the store.", r -> r.stats().counters()),
                gauge("hearth_store_counter_capacity", "The most counter names the store takes (+Inf: only the disk limits it).",
                        r -> r.stats().counterCapacity() == Integer.MAX_VALUE ? Double.POSITIVE_INFINITY : r.stats().counterCapacity()),
                gauge("hearth_store_file_bytes", "Length of the store's files, all of whose blocks are allocated.", r -> r.stats().fileBytes()),
                gauge("hearth_store_growths", "Times the store grew while in use (entry shards split, counter tables added).",
                        r -> r.stats().growths()),
                gauge("hearth_store_generation", "Shards the store's entries are spread over.", r -> r.stats().generation()),
                gauge("hearth_store_attached_processes", "Live processes attached to the store.", Reading::attachedProcesses),
                counter("hearth_read_cache_hits", "Map reads in this worker process answered from its read cache, the entry's version checked.",
                        r -> r.stats().readCache().hits()),
                counter("hearth_read_cache_misses", "Map reads in this worker process of a cached type that decoded the stored JSON.",
                        r -> r.stats().readCache().misses()),
                gauge("hearth_read_cache_entries", "Decoded values this worker process's read cache holds now.",
                        r -> r.stats().readCache().size()),
                gauge("hearth_read_cache_max_bytes", "The bound on this worker process's read cache, in estimated heap bytes (0: off).",
                        r -> r.stats().readCache().maximumBytes()));

        private final SharedStore store;

        StoreGauges(SharedStore store) {
            this.store = store;
        }

        @Override
        public MetricSnapshots collect() {
            // Throws while the store is unreachable or closed: /metrics then answers 503, as /health does.
            Reading reading = new Reading(store.stats(), store.workers().size());
            MetricSnapshots.Builder snapshots = MetricSnapshots.builder();
            FIGURES.forEach(figure -> snapshots.metricSnapshot(figure.snapshot(reading)));
            return snapshots.build();
        }

        @Override
        public List<MetricFamilyDescriptor> getMetricFamilyDescriptors() {
            return FIGURES.stream().map(Figure::descriptor).toList();
        }

        private static Figure gauge(String name, String help, ToDoubleFunction<Reading> value) {
            return new Figure(MetricFamilyDescriptor.gauge(name).help(help).build(), value);
        }

        /** A counter, named without the {@code _total} the writer appends. */
        private static Figure counter(String name, String help, ToDoubleFunction<Reading> value) {
            return new Figure(MetricFamilyDescriptor.counter(name).help(help).build(), value);
        }
    }
}

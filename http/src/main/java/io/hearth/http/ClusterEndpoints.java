package io.hearth.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hearth.BroadcastResult;
import io.hearth.SharedStore;
import io.hearth.StoreStats;
import io.hearth.WorkerInfo;
import io.undertow.server.HttpHandler;
import java.time.Duration;
import java.util.Comparator;

/** /workers, /broadcast/{topic}, /health, /stats and /metrics. */
final class ClusterEndpoints {
    private final SharedStore store;
    private final ObjectMapper mapper;
    private final RequestMetrics metrics;
    private final Duration broadcastWait;
    private final Duration maxBroadcastWait;
    private final long pid = ProcessHandle.current().pid();

    ClusterEndpoints(SharedStore store, ObjectMapper mapper, RequestMetrics metrics, Duration broadcastWait, Duration maxBroadcastWait) {
        this.store = store;
        this.mapper = mapper;
        this.metrics = metrics;
        this.broadcastWait = broadcastWait;
        this.maxBroadcastWait = maxBroadcastWait;
    }

    HttpHandler workers() {
        return exchange -> {
            var body = mapper.createObjectNode();
            var list = body.putArray("workers");
            store.workers().stream().sorted(Comparator.comparingLong(WorkerInfo::pid)).forEach(worker -> list.addObject()
                    .put("pid", worker.pid())
                    .put("since", worker.since().toString())
                    .put("heartbeat", worker.heartbeat().toString()));
            var leaders = body.putObject("leaders");
            store.leaders().forEach(leaders::put);
            Replies.json(exchange, 200, mapper, body);
        };
    }

    /** Sends the JSON body to every live process on the store and waits, bounded, for their acknowledgements. */
    HttpHandler broadcast() {
        return exchange -> {
            String topic = Requests.name(exchange, "topic", "topic");
            long waitMillis = Requests.longQuery(exchange, "timeout_ms", broadcastWait.toMillis(), 0, maxBroadcastWait.toMillis());
            JsonNode payload = Requests.json(exchange, mapper);
            BroadcastResult result = store.broadcast(topic, mapper.writeValueAsString(payload), Duration.ofMillis(waitMillis));
            var body = mapper.createObjectNode();
            body.put("topic", result.topic());
            body.put("sequence", result.sequence());
            result.acked().stream().sorted().forEach(body.putArray("acked")::add);
            result.missing().stream().sorted().forEach(body.putArray("missing")::add);
            Replies.json(exchange, 200, mapper, body);
        };
    }

    /** Liveness: the process serves requests. Touches no store, so a store outage does not get workers restarted. */
    HttpHandler live() {
        return exchange -> Replies.json(exchange, 200, mapper, mapper.createObjectNode().put("status", "live").put("pid", pid));
    }

    /** Readiness: this worker can reach its store (503 while it cannot). */
    HttpHandler health() {
        return exchange -> {
            store.stats(); // throws, and so answers 503, once the store is closed
            Replies.json(exchange, 200, mapper, mapper.createObjectNode().put("status", "ok").put("pid", pid));
        };
    }

    HttpHandler stats() {
        return exchange -> {
            StoreStats stats = store.stats();
            var body = mapper.createObjectNode();
            body.put("entries", stats.entries());
            body.put("capacity", stats.capacity());
            body.put("fill_ratio", stats.fillRatio());
            body.put("counters", stats.counters());
            body.put("counter_capacity", stats.counterCapacity());
            body.put("file_bytes", stats.fileBytes());
            body.put("max_key_bytes", stats.maxKeyBytes());
            body.put("max_value_bytes", stats.maxValueBytes());
            body.put("max_broadcast_bytes", stats.maxBroadcastBytes());
            body.put("worker_capacity", stats.workerCapacity());
            body.put("growths", stats.growths());
            body.put("generation", stats.generation());
            body.put("attached_processes", store.workers().size());
            body.putObject("read_cache").put("hits", stats.readCache().hits()).put("misses", stats.readCache().misses())
                    .put("entries", stats.readCache().size()).put("max_bytes", stats.readCache().maximumBytes());
            Replies.json(exchange, 200, mapper, body);
        };
    }

    /** The Prometheus text format, whatever the request's Accept header asks for. */
    HttpHandler metrics() {
        return exchange -> Replies.bytes(exchange, metrics.contentType(), metrics.scrape());
    }
}

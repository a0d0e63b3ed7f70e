package io.hearth.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.module.blackbird.BlackbirdModule;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Jackson's options on Hearth's value path, for the map benchmarks' 106-byte record: an
 * {@code ObjectReader} and {@code ObjectWriter} made once per type (what {@code SharedMap} does),
 * with plain databind against the same with the Blackbird module, which replaces databind's
 * reflection with generated lambdas. The baselines, json.decode and json.encode, are the plain
 * mapper's per-call lookups in MapBenchmarks, measured in the same run.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(3)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
public class JacksonOptionsBenchmarks {

    @State(Scope.Benchmark)
    public static class Plain {
        final ObjectReader reader = new ObjectMapper().readerFor(Profile.class);
        final ObjectWriter writer = new ObjectMapper().writerFor(Profile.class);
        final Profile value = Profile.sample();
        final byte[] json = MapBenchmarks.sampleJson();
    }

    @State(Scope.Benchmark)
    public static class Blackbird {
        final ObjectMapper mapper = new ObjectMapper().registerModule(new BlackbirdModule());
        final ObjectReader reader = mapper.readerFor(Profile.class);
        final ObjectWriter writer = mapper.writerFor(Profile.class);
        final Profile value = Profile.sample();
        final byte[] json = MapBenchmarks.sampleJson();
    }

    @Benchmark
    @Id(value = "json.decode.reader", baseline = "json.decode")
    public Profile decodeWithReader(Plain state) throws IOException {
        return state.reader.readValue(state.json);
    }

    @Benchmark
    @Id(value = "json.decode.blackbird", baseline = "json.decode.reader")
    public Profile decodeWithBlackbird(Blackbird state) throws IOException {
        return state.reader.readValue(state.json);
    }

    @Benchmark
    @Id(value = "json.encode.writer", baseline = "json.encode")
    public byte[] encodeWithWriter(Plain state) throws IOException {
        return state.writer.writeValueAsBytes(state.value);
    }

    @Benchmark
    @Id(value = "json.encode.blackbird", baseline = "json.encode.writer")
    public byte[] encodeWithBlackbird(Blackbird state) throws IOException {
        return state.writer.writeValueAsBytes(state.value);
    }
}

package io.hearth.cli;

import static io.hearth.cli.Cli.run;
import static io.hearth.cli.Cli.runWithInput;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hearth.testkit.RedisServerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** dump | load moves a store from a file to Redis and back with nothing lost: entries, values to the digit, times to live, counters. */
class CliRoundTripTest {
    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    @TempDir
    Path dir;

    @Test
    void aStoreDumpedFromAFileLoadedIntoRedisDumpedAgainAndLoadedIntoAnotherFileHasTheSameEntriesAndCounters() {
        String source = dir.resolve("source.store").toString();
        String middle = redis.freshStoreUri();
        String target = dir.resolve("target").resolve("restored.store").toString();
        assertThat(runWithInput("", source, "load").status()).isZero();
        String[][] writes = {
                {"put", "users", "ada", "{\"name\":\"Ada\",\"born\":1815,\"tags\":[\"math\",\"poetry\"],\"alive\":false}"},
                {"put", "users", "bob", "{\"pi\":3.14159265358979323846264338327950288,\"huge\":1e400,\"tiny\":-2.5e-400}"},
                {"put", "users", "ünïcødé key with spaces", "\"välue 🔥 \\u0001 \\\"q\\\"\""},
                {"put", "users", "null", "null"},
                {"put", "sessions", "s-42", "{\"user\":\"ada\",\"cart\":[]}", "--ttl", "1h"},
                {"put", "numbers", "big", "123456789012345678901234567890"},
                {"put", "numbers", "exp", "1.0E+2"},
                {"incr", "hits", "42"},
                {"incr", "min", "-9223372036854775808"},
                {"incr", "max", "9223372036854775807"},
                {"incr", "rate:ada", "3", "--ttl", "1h"},
                {"incr", "zero", "0"}};
        for (String[] write : writes) {
            String[] args = new String[write.length + 1];
            args[0] = source;
            System.arraycopy(write, 0, args, 1, write.length);
            assertThat(run(args).status()).as(String.join(" ", write)).isZero();
        }
        String first = run(source, "dump").out();

        Cli.Result intoRedis = runWithInput(first, middle, "load");
        String second = run(middle, "dump").out();
        Cli.Result intoFile = runWithInput(second, target, "load");
        String third = run(target, "dump").out();

        assertThat(intoRedis.status()).as(intoRedis.toString()).isZero();
        assertThat(intoFile.status()).as(intoFile.toString()).isZero();
        assertThat(first.lines()).hasSize(writes.length);
        assertThat(CliContract.withoutVersionsAndTimesToLive(second)).isEqualTo(CliContract.withoutVersionsAndTimesToLive(first));
        assertThat(CliContract.withoutVersionsAndTimesToLive(third)).isEqualTo(CliContract.withoutVersionsAndTimesToLive(first));
        for (String dump : List.of(second, third)) {
            assertThat(ttl(dump, "s-42")).isPositive().isLessThanOrEqualTo(ttl(first, "s-42"));
            assertThat(ttl(dump, "rate:ada")).isPositive().isLessThanOrEqualTo(ttl(first, "rate:ada"));
        }
        assertThat(ttl(first, "s-42")).isLessThanOrEqualTo(Duration.ofHours(1).toMillis());
        assertThat(run(target, "get", "users", "bob").out())
                .isEqualTo("{\"pi\":3.14159265358979323846264338327950288,\"huge\":1e400,\"tiny\":-2.5e-400}\n");
    }

    /** The ttl_ms of the line that names this key or counter. */
    private static long ttl(String dump, String name) {
        for (String line : dump.lines().toList()) {
            JsonNode node = CliContract.tree(line);
            JsonNode named = node.has("key") ? node.get("key") : node.get("counter");
            if (named.asText().equals(name)) {
                return node.get("ttl_ms").asLong();
            }
        }
        throw new AssertionError(name + " is not in " + dump);
    }
}

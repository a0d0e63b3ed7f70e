package io.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.testkit.RedisServerExtension;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code ./hearth} at the repository root, as a shell runs it: a child process running the
 * executable jar. Runs after the package phase (module cli's pom), so the jar is there and current and
 * the script builds nothing.
 */
class HearthScriptTest {
    private static final Path ROOT = Path.of(System.getProperty("hearth.root", "..")).toAbsolutePath().normalize();

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    @TempDir
    Path dir;

    /** What one child process did. */
    private record Run(int status, String out, String err) {
    }

    @Test
    void theScriptRunsTheCommandsWithTheirExitStatuses() throws Exception {
        String store = dir.resolve("script.store").toString();

        Run create = shell("./hearth '" + store + "' load < /dev/null");
        Run put = hearth(store, "put", "users", "ada", "{\"name\":\"Ada\",\"pi\":3.14159265358979323846}", "--ttl", "1h");
        Run get = hearth(store, "get", "users", "ada");
        Run absent = hearth(store, "get", "users", "bob");
        Run unknown = hearth(store, "frobnicate");
        Run missing = hearth(dir.resolve("typo.store").toString(), "stats");
        Run help = hearth("--help");

        assertThat(create.status()).as(create.toString()).isZero();
        assertThat(create.err()).as("the jar was current: nothing was built").doesNotContain("building");
        assertThat(put.status()).as(put.toString()).isZero();
        assertThat(put.out()).isEqualTo("1\n");
        assertThat(get.out()).isEqualTo("{\"name\":\"Ada\",\"pi\":3.14159265358979323846}\n");
        assertThat(absent.status()).isEqualTo(1);
        assertThat(absent.out()).isEmpty();
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err()).isEqualTo("hearth: unknown command 'frobnicate' (see 'hearth --help')\n");
        assertThat(missing.status()).isEqualTo(3);
        assertThat(missing.err()).startsWith("hearth: no store at ");
        assertThat(dir.resolve("typo.store")).doesNotExist();
        assertThat(help.status()).isZero();
        assertThat(help.out()).startsWith("Usage: hearth");
    }

    @Test
    void aDumpPipedIntoALoadMovesAFileStoreToRedisAndBackWithNothingLost() throws Exception {
        String source = dir.resolve("source.store").toString();
        String middle = redis.freshStoreUri();
        String target = dir.resolve("restored.store").toString();
        shell("./hearth '" + source + "' load < /dev/null");
        hearth(source, "put", "users", "ada", "{\"huge\":1e400}");
        hearth(source, "put", "sessions", "s-1", "[]", "--ttl", "1h");
        hearth(source, "incr", "hits", "41");

        Run toRedis = shell("./hearth '" + source + "' dump | ./hearth '" + middle + "' load");
        Run back = shell("./hearth '" + middle + "' dump | ./hearth '" + target + "' load");
        Run sourceDump = hearth(source, "dump");
        Run targetDump = hearth(target, "dump");

        assertThat(toRedis.status()).as(toRedis.toString()).isZero();
        assertThat(toRedis.out()).startsWith("loaded 2 entries of 2 maps and 1 counters into " + middle);
        assertThat(back.status()).as(back.toString()).isZero();
        assertThat(targetDump.out().lines()).hasSize(3);
        assertThat(CliContract.withoutVersionsAndTimesToLive(targetDump.out()))
                .isEqualTo(CliContract.withoutVersionsAndTimesToLive(sourceDump.out()));
    }

    @Test
    void aBadLineInAPipedLoadIsRefusedWithItsNumberAndNothingIsLoaded() throws Exception {
        String store = dir.resolve("refusing.store").toString();
        shell("./hearth '" + store + "' load < /dev/null");
        Path input = Files.writeString(dir.resolve("bad.jsonl"), "{\"map\":\"m\",\"key\":\"a\",\"value\":1}\n{\"map\":\"m\",\"key\":\n");

        Run refused = shell("./hearth '" + store + "' load < '" + input + "'");

        assertThat(refused.status()).isEqualTo(2);
        assertThat(refused.err()).startsWith("hearth: line 2 of the input: not JSON").endsWith("; nothing was loaded\n");
        assertThat(hearth(store, "dump").out()).isEmpty();
    }

    private Run hearth(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("hearth").toString()));
        command.addAll(List.of(args));
        return start(command);
    }

    private Run shell(String script) throws IOException, InterruptedException {
        return start(List.of("bash", "-c", "set -o pipefail; " + script));
    }

    private Run start(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile());
        // The java of this build first on the PATH, whatever the shell's PATH says.
        builder.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + File.pathSeparator
                + builder.environment().getOrDefault("PATH", "/usr/bin:/bin"));
        builder.environment().remove("HEARTH_JAVA_OPTS");
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not end within 2 minutes (a bound for a stuck test, not a timing claim)");
        }
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}

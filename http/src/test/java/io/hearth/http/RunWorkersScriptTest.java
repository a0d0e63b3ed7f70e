package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** run-workers.sh's own checks, which come before it builds or starts anything. */
class RunWorkersScriptTest {
    private static final Path SCRIPT = Path.of("..", "run-workers.sh").toAbsolutePath().normalize();

    private record Run(int status, String output) {
    }

    @Test
    void helpDescribesTheOptionsAndTheEnvironment() throws Exception {
        Run help = run("--help");
        assertThat(help.status()).isZero();
        assertThat(help.output()).contains("-n WORKERS", "-p PORT", "-s STORE", "-b HOST", "HEARTH_TOKEN", "127.0.0.1");
    }

    @Test
    void aRedisStoreIsRefusedClearlyUntilThatBackendExists() throws Exception {
        Run redis = run("-s", "redis://127.0.0.1:6379/0");
        assertThat(redis.status()).isNotZero();
        assertThat(redis.output()).contains("Redis backend", "not built yet");
    }

    @Test
    void badOptionsAreRefusedBeforeAnythingStarts() throws Exception {
        assertThat(run("-n", "zero").status()).isNotZero();
        assertThat(run("-p", "70000").status()).isNotZero();
        assertThat(run("--frobnicate").output()).contains("unknown option");
    }

    private static Run run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output);
    }
}

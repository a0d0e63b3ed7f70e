package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        assertThat(help.output()).contains("-n WORKERS", "-k STANDBYS", "-p PORT", "-s STORE", "-b HOST", "HEARTH_TOKEN", "127.0.0.1",
                "redis://", "503");
    }

    @Test
    void aStoreUriOtherThanRedisIsRefusedWithoutShowingItsPassword() throws Exception {
        Run other = run("-s", "http://user:secret@127.0.0.1:6379/0");
        assertThat(other.status()).isNotZero();
        assertThat(other.output()).contains("neither a file path nor a redis:// URI").doesNotContain("secret");
    }

    @Test
    void badOptionsAreRefusedBeforeAnythingStarts() throws Exception {
        assertThat(run("-n", "zero").status()).isNotZero();
        assertThat(run("-p", "70000").status()).isNotZero();
        assertThat(run("--frobnicate").output()).contains("unknown option");
    }

    @Test
    void aStartCacheSettingOtherThanAutoOrOffIsRefusedBeforeAnythingStarts() throws Exception {
        Run refused = run(Map.of("HEARTH_START_CACHE", "yes"), "-n", "1");
        assertThat(refused.status()).isEqualTo(2);
        assertThat(refused.output()).contains("HEARTH_START_CACHE must be auto or off, not 'yes'")
                .doesNotContain("building", "start-up cache /");
    }

    @Test
    void helpSaysHowToTurnTheStartCacheOff() throws Exception {
        assertThat(run("--help").output()).contains("HEARTH_START_CACHE", "http/start-cache.sh", "off: no cache");
    }

    private static Run run(String... args) throws IOException, InterruptedException {
        return run(Map.of(), args);
    }

    private static Run run(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output);
    }
}

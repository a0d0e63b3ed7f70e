package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.testkit.ChildJvm;
import io.hearth.testkit.Ports;
import io.hearth.testkit.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a supervisor and its workers print from start to a clean stop: Hearth's lines, in one format. */
class WorkerLogTest {
    private static final Duration STARTUP = Duration.ofMinutes(4);
    /** Time, role and pid, then one of the four level words. */
    private static final String LINE = "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z \\[(supervisor|worker) \\d+] (ERROR|WARN|INFO|DEBUG) .*";

    @TempDir
    Path dir;

    @Test
    void aStartAndAStopPrintOnlyHearthsLinesWithOneFormatAndOneSetOfLevelWords() {
        assertOnlyHearthsLines(dir.resolve("log.store").toString());
    }

    @Test
    void onRedisTooAStartAndAStopPrintOnlyHearthsLines() {
        try (RedisServer redis = RedisServer.start()) {
            assertOnlyHearthsLines(redis.freshStoreUri("timeout=2s"));
        }
    }

    /** Starts a supervisor of two workers on store, sends one request, stops it; checks every line they printed. */
    private static void assertOnlyHearthsLines(String store) {
        int port = Ports.freeLoopbackPort();
        List<String> lines;
        try (ChildJvm supervisor = SupervisorProcess.startReadingErrors("-n", "2", "-p", Integer.toString(port), "-s", store)) {
            supervisor.awaitLine(SupervisorCommand.READY_LINE, STARTUP);
            assertThat(RawHttp.request(port, "POST", "/increment").status()).isEqualTo(200);
            supervisor.terminate();
            assertThat(supervisor.awaitExit(Duration.ofMinutes(1))).isZero();
            lines = supervisor.awaitAllLines(Duration.ofSeconds(10));
        }
        List<String> logLines = lines.stream().filter(line -> !line.startsWith(SupervisorCommand.READY_LINE)).toList();
        assertThat(logLines).isNotEmpty().allMatch(line -> line.matches(LINE), "a log line: time [role pid] LEVEL message");
        assertThat(logLines).noneMatch(line -> line.contains("XNIO version") || line.contains("XNIO NIO Implementation")
                || line.contains("JBoss Threads version") || line.contains("starting server") || line.contains("stopping server")
                || line.contains("Chronicle core loaded") || line.contains("SLF4J") || line.contains("redis.clients"));
    }

    @Test
    void javaLoggingLevelsAreWrittenInTheSupervisorsWords() {
        assertThat(ProcessLog.levelWord(Level.SEVERE)).isEqualTo("ERROR");
        assertThat(ProcessLog.levelWord(Level.WARNING)).isEqualTo("WARN");
        assertThat(ProcessLog.levelWord(Level.INFO)).isEqualTo("INFO");
        assertThat(ProcessLog.levelWord(Level.FINE)).isEqualTo("DEBUG");
    }
}

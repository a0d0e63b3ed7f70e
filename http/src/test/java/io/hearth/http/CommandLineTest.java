package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The workers' and supervisor's options and environment settings, as CommandLine reads them. */
class CommandLineTest {
    @Test
    void hearthProtectReadsIsOneOrZeroAndNeedsAToken() {
        assertThat(CommandLine.protectReads(null, null)).isFalse();
        assertThat(CommandLine.protectReads(null, "t0ken")).isFalse();
        assertThat(CommandLine.protectReads("0", "t0ken")).isFalse();
        assertThat(CommandLine.protectReads("1", "t0ken")).isTrue();
        assertThatThrownBy(() -> CommandLine.protectReads("1", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs HEARTH_TOKEN");
        assertThatThrownBy(() -> CommandLine.protectReads("yes", "t0ken"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'yes'");
        assertThatThrownBy(() -> CommandLine.protectReads("", "t0ken"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("HEARTH_PROTECT_READS");
    }

    @Test
    void migratingQueuedConnectionsIsOffUnlessTheFlagIsGivenAndTakesNoValue() {
        assertThat(CommandLine.parseSupervisor(new String[] {"-n", "2", "-p", "9000"}).migrateQueuedConnections()).isFalse();
        CommandLine.SupervisorOptions options = CommandLine.parseSupervisor(
                new String[] {"--migrate-queued-connections", "-n", "2", "-p", "9000"});
        assertThat(options.migrateQueuedConnections()).isTrue();
        assertThat(options.workers()).isEqualTo(2);
        assertThat(options.port()).isEqualTo(9000);
        assertThat(CommandLine.parseSupervisor(new String[] {"-p", "9000", "--migrate-queued-connections"})
                .migrateQueuedConnections()).isTrue();
    }
}

package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The workers' and supervisor's environment settings, as CommandLine reads them. */
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
}

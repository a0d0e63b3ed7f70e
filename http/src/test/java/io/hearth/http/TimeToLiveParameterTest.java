package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimeToLiveParameterTest {

    @Test
    void aNumberWithAUnitIsThatLongAndABareNumberIsSeconds() {
        assertThat(TimeToLiveParameter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(TimeToLiveParameter.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(TimeToLiveParameter.parse("30")).isEqualTo(Duration.ofSeconds(30));
        assertThat(TimeToLiveParameter.parse("15m")).isEqualTo(Duration.ofMinutes(15));
        assertThat(TimeToLiveParameter.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(TimeToLiveParameter.parse("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(TimeToLiveParameter.parse("007s")).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void theLimitsAreOneMillisecondAnd36500DaysInEveryUnit() {
        assertThat(TimeToLiveParameter.parse("1ms")).isEqualTo(Duration.ofMillis(1));
        assertThat(TimeToLiveParameter.parse("36500d")).isEqualTo(Duration.ofDays(36_500));
        assertThat(TimeToLiveParameter.parse("876000h")).isEqualTo(Duration.ofDays(36_500));
        assertThat(TimeToLiveParameter.parse("52560000m")).isEqualTo(Duration.ofDays(36_500));
        assertThat(TimeToLiveParameter.parse("3153600000")).isEqualTo(Duration.ofDays(36_500));
        assertThat(TimeToLiveParameter.parse("3153600000000ms")).isEqualTo(Duration.ofDays(36_500));
    }

    @Test
    void anythingElseIsRefusedWithAMessageNamingTheLimitAndTheValue() {
        List<String> refused = List.of("", "abc", "s", "10x", "10S", "1.5s", "10 s", " 10s", "+10s", "-5s", "0", "0s", "0ms",
                "36501d", "876001h", "52560001m", "3153600001", "3153600000001ms", "9223372036854775807d",
                "9223372036854775808", "99999999999999999999ms", "1e3s", "10sms");
        for (String text : refused) {
            HttpError error = catchThrowableOfType(() -> TimeToLiveParameter.parse(text), HttpError.class);
            assertThat(error).as("'%s'", text).isNotNull();
            assertThat(error.status()).isEqualTo(400);
            assertThat(error.detail()).as("'%s'", text)
                    .contains("'" + text + "'")
                    .contains("more than 0 and at most 36500 days (100 years)")
                    .contains("ms, s, m, h or d")
                    .contains("Nothing was written");
        }
    }
}

package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link PrometheusText}, the strict parser {@link MetricsEndpointTest} reads /metrics with, refuses what the format forbids. */
class MetricsTextParserTest {
    /** The example of the format's documentation, with a histogram and a summary. */
    private static final String DOCUMENTED = """
            # HELP http_requests_total The total number of HTTP requests.
            # TYPE http_requests_total counter
            http_requests_total{method="post",code="200"} 1027 1395066363000
            http_requests_total{method="post",code="400"}    3 1395066363000

            # Escaping in label values:
            msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9

            # Minimalistic line:
            metric_without_timestamp_and_labels 12.47

            # A weird metric from before the epoch:
            something_weird{problem="division by zero"} +Inf -3982045

            # A histogram, which has a pretty complex representation in the text format:
            # HELP http_request_duration_seconds A histogram of the request duration.
            # TYPE http_request_duration_seconds histogram
            http_request_duration_seconds_bucket{le="0.05"} 24054
            http_request_duration_seconds_bucket{le="0.1"} 33444
            http_request_duration_seconds_bucket{le="0.2"} 100392
            http_request_duration_seconds_bucket{le="0.5"} 129389
            http_request_duration_seconds_bucket{le="1"} 133988
            http_request_duration_seconds_bucket{le="+Inf"} 144320
            http_request_duration_seconds_sum 53423
            http_request_duration_seconds_count 144320

            # Finally a summary, which has a complex representation, too:
            # HELP rpc_duration_seconds A summary of the RPC duration in seconds.
            # TYPE rpc_duration_seconds summary
            rpc_duration_seconds{quantile="0.01"} 3102
            rpc_duration_seconds{quantile="0.05"} 3272
            rpc_duration_seconds{quantile="0.5"} 4773
            rpc_duration_seconds{quantile="0.9"} 9001
            rpc_duration_seconds{quantile="0.99"} 76656
            rpc_duration_seconds_sum 1.7560473e+07
            rpc_duration_seconds_count 2693
            """;

    @Test
    void theDocumentedExampleParsesIntoItsFamiliesAndSamples() {
        PrometheusText text = PrometheusText.parse(DOCUMENTED);
        assertThat(text.families().keySet()).containsExactly("http_requests_total", "msdos_file_access_time_seconds",
                "metric_without_timestamp_and_labels", "something_weird", "http_request_duration_seconds", "rpc_duration_seconds");
        assertThat(text.family("http_requests_total").type()).isEqualTo(PrometheusText.Type.COUNTER);
        assertThat(text.family("http_requests_total").help()).isEqualTo("The total number of HTTP requests.");
        assertThat(text.value("http_requests_total", "method", "post", "code", "400")).isEqualTo(3);
        assertThat(text.samples("msdos_file_access_time_seconds").get(0).labels())
                .containsEntry("path", "C:\\DIR\\FILE.TXT").containsEntry("error", "Cannot find file:\n\"FILE.TXT\"");
        assertThat(text.value("something_weird", "problem", "division by zero")).isInfinite();
        assertThat(text.family("http_request_duration_seconds").type()).isEqualTo(PrometheusText.Type.HISTOGRAM);
        assertThat(text.family("http_request_duration_seconds").samples()).hasSize(8);
        assertThat(text.value("http_request_duration_seconds_bucket", "le", "+Inf")).isEqualTo(144320);
        assertThat(text.family("rpc_duration_seconds").type()).isEqualTo(PrometheusText.Type.SUMMARY);
        assertThat(text.value("rpc_duration_seconds_sum")).isEqualTo(1.7560473e+07);
        assertThat(text.family("metric_without_timestamp_and_labels").type()).isEqualTo(PrometheusText.Type.UNTYPED);
    }

    @Test
    void everyLineTheFormatForbidsIsRefusedWithItsNumberAndTheReason() {
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("a 1", "does not end with a line feed");
        refused.put("a{b=\"c\"} 1\n\n9a 1\n", "line 3: expected a metric name");
        refused.put("a{b=c} 1\n", "expected '\"'");
        refused.put("a{b=\"c} 1\n", "without its closing quote");
        refused.put("a{b=\"\\t\"} 1\n", "\\t is no escape in a label value");
        refused.put("a{b=\"1\",b=\"2\"} 1\n", "label b twice");
        refused.put("a{__b=\"1\"} 1\n", "reserved");
        refused.put("a{b=\"1\" c=\"2\"} 1\n", "expected ','");
        refused.put("a 1 2 3\n", "unexpected '3' after the sample");
        refused.put("a one\n", "'one' is not a number");
        refused.put("a 0x1p3\n", "'0x1p3' is not a number");
        refused.put("a 1 1.5\n", "not an integer timestamp");
        refused.put("a1\n", "expected a blank");
        refused.put("a\"1\"\n", "expected a blank or '{' after the name");
        refused.put("a 1\na 2\n", "a second sample a{}");
        refused.put("a{x=\"1\",y=\"2\"} 1\na{y=\"2\",x=\"1\"} 2\n", "a second sample");
        refused.put("a 1\nb 1\na{x=\"1\"} 2\n", "line 3: sample a of a outside the group");
        refused.put("a 1\n# TYPE a gauge\n", "line 2: # TYPE after the samples of a");
        refused.put("# TYPE a gauge\n# TYPE a counter\n", "a second # TYPE for a");
        refused.put("# HELP a x\n# HELP a y\n", "a second # HELP for a");
        refused.put("# HELP a bad \\t escape\n", "is no escape in a # HELP docstring");
        refused.put("# TYPE a meter\n", "unknown type 'meter'");
        refused.put("# TYPE a\n", "needs a type");
        refused.put("# TYPE a_total counter\na_total -1\n", "counter a_total is negative");
        refused.put("# TYPE a_total counter\na_total NaN\n", "counter a_total is negative or NaN");
        refused.put(histogram("h_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n"), "has no bucket le=\"+Inf\"");
        refused.put(histogram("h_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"), "not a whole number at least the 2.0");
        refused.put(histogram("h_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"),
                "does not come after the one before it");
        refused.put(histogram("h_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n"), "_count is 3.0, the +Inf bucket 2.0");
        refused.put(histogram("h_bucket{le=\"+Inf\"} 2\nh_sum 1\n"), "_count is null");
        refused.put(histogram("h_bucket{le=\"+Inf\"} 2\nh_count 2\n"), "has no _sum");
        refused.put(histogram("h_bucket{le=\"x\"} 2\nh_sum 1\nh_count 2\n"), "'x' is not a number, as the le");
        refused.put(histogram("h_bucket 2\nh_sum 1\nh_count 2\n"), "histogram bucket without le");
        refused.put(histogram("h 2\n"), "has a sample named h;");
        refused.put("# TYPE s summary\ns{quantile=\"2\"} 1\ns_sum 1\ns_count 1\n", "quantile 2 is not from 0 to 1");
        refused.put("# TYPE s summary\ns_sum 1\n", "lacks its _count or its _sum");
        refused.forEach((text, reason) -> assertThatThrownBy(() -> PrometheusText.parse(text)).as(text)
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(reason));
    }

    @Test
    void blanksTabsCommentsTrailingCommasAndEmptyLinesAreAccepted() {
        PrometheusText text = PrometheusText.parse("# a plain comment\n\n  a {b = \"1\" , c=\"2\",}\t3  \n#HELP x y\nx 1\n");
        assertThat(text.value("a", "b", "1", "c", "2")).isEqualTo(3);
        assertThat(text.family("x").help()).as("#HELP, no blank after the hash, is a plain comment").isNull();
        assertThat(PrometheusText.parse("").families()).isEmpty();
    }

    private static String histogram(String samples) {
        return "# TYPE h histogram\n" + samples;
    }
}

package io.hearth.bench.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One line of results.json: a figure, its error (JMH's 99.9% confidence half-width) and the id of
 * the baseline it is compared with, or null.
 */
@JsonPropertyOrder({"benchmark", "unit", "value", "error", "baseline"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Result(String benchmark, String unit, double value, Double error, String baseline) {
    public static final String NS_PER_OP = "ns/op";
    public static final String OPS_PER_S = "ops/s";
    /** Microseconds of one event, such as a failover, sampled outside JMH. */
    public static final String MICROS = "us";
}

package io.hearth.testkit;

/** A map value the tests count with. */
public record Tally(long n) {
    Tally next() {
        return new Tally(n + 1);
    }
}

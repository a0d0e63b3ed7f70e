package io.hearth.testkit;

/**
 * Capacity settings a contract test asks of a fresh store; each backend sets them its own way
 * (the file store's builder, Redis URI options).
 */
public record TestLimits(long maxEntries, int maxCounters, int maxValueBytes) {
}

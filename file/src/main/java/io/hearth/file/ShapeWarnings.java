package io.hearth.file;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Settings apply only when a store is created; an existing store keeps its shape. Opening one
 * with settings that differ (a process that lost the race to create it, or a changed
 * configuration) is said in a warning naming each setting, both values and the file.
 */
final class ShapeWarnings {
    private static final System.Logger LOG = System.getLogger(ShapeWarnings.class.getName());

    private ShapeWarnings() {
    }

    static void warnOfDifferences(Path path, StoreLayout actual, StoreLayout asked, Set<String> given) {
        List<String> differences = new ArrayList<>();
        compare(differences, given, "maxEntries", actual.maxEntries(), asked.maxEntries());
        compare(differences, given, "maxKeyBytes", actual.maxKeyBytes(), asked.maxKeyBytes());
        compare(differences, given, "maxValueBytes", actual.maxValueBytes(), asked.maxValueBytes());
        compare(differences, given, "maxCounters", actual.maxCounters(), asked.maxCounters());
        compare(differences, given, "maxWorkers", actual.workerSlots(), asked.workerSlots());
        compare(differences, given, "maxBroadcastBytes", actual.maxPayloadBytes(), asked.maxPayloadBytes());
        if (!differences.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "store " + path + " already exists with " + String.join(", ", differences)
                    + ": settings apply only when a store is created, so it keeps its own (stats() shows them)");
        }
    }

    private static void compare(List<String> differences, Set<String> given, String setting, long actual, long asked) {
        if (given.contains(setting) && actual != asked) {
            differences.add(setting + "=" + actual + " where this open asked for " + asked);
        }
    }
}

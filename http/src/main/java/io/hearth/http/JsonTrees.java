package io.hearth.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** How deep a JSON tree nests. */
final class JsonTrees {
    /**
     * Most levels of arrays and objects a value of /objects may nest. Jackson reads and writes at most
     * 1000 ({@code StreamReadConstraints}, {@code StreamWriteConstraints}), and a reply carries the
     * value one level down or more: a value stored at 1000 could not be answered.
     */
    static final int MAX_DEPTH = 500;

    private JsonTrees() {
    }

    /** How many levels of arrays and objects node nests: 0 for a number or string, 1 for {@code []} or {@code {"a":1}}. */
    static int depth(JsonNode node) {
        int depth = 0;
        List<JsonNode> level = List.of(node);
        while (true) {
            List<JsonNode> below = new ArrayList<>();
            boolean containers = false;
            for (JsonNode each : level) {
                if (each.isContainerNode()) {
                    containers = true;
                    each.forEach(below::add);
                }
            }
            if (!containers) {
                return depth;
            }
            depth++;
            level = below;
        }
    }
}

package io.hearth.cli;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The JSON the commands print. */
final class Output {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Output() {
    }
}

package io.hearth.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A store {@link PeerBenchmarks} measures Hearth against, doing what a Hearth map and counter do:
 * one {@link Profile} under {@link PeerBenchmarks#KEY}, encoded and decoded by Jackson with the
 * mapper a Hearth store uses by default, and one counter under {@link PeerBenchmarks#COUNTER}.
 */
interface PeerStore extends AutoCloseable {
    /** The object's bytes, read and decoded. */
    Profile get();

    /** The object encoded and written. */
    void put(Profile profile);

    /** Read, decode, change, encode and write, in one transaction. */
    Profile update(UnaryOperator<Profile> change);

    /** Read the counter, add one, write it, in one transaction; returns the new value. */
    long increment();

    @Override
    void close();

    /** The peers, each opened in a directory of its own (where a helper JVM opens it too). */
    enum Kind {
        LMDB("lmdb", LmdbPeer.JVM_OPTIONS),
        SQLITE("sqlite", List.of());

        /** The prefix of its ids and its name on a helper's command line. */
        final String id;
        /** What a JVM opening it needs besides Hearth's own options. */
        final List<String> jvmOptions;

        Kind(String id, List<String> jvmOptions) {
            this.id = id;
            this.jvmOptions = jvmOptions;
        }

        PeerStore open(Path dir) {
            return this == LMDB ? LmdbPeer.open(dir) : SqlitePeer.open(dir);
        }

        static Kind of(String id) {
            for (Kind kind : values()) {
                if (kind.id.equals(id)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("unknown peer " + id);
        }
    }

    static byte[] encode(ObjectMapper mapper, Profile profile) {
        try {
            return mapper.writeValueAsBytes(profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Profile decode(ObjectMapper mapper, byte[] json) {
        try {
            return mapper.readValue(json, Profile.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.hearth.bench;

/** The map value of every map benchmark: 106 bytes of JSON, as a small user record would be. */
public record Profile(String id, String name, String email, long visits, long lastSeen) {
    public static Profile sample() {
        return new Profile("user-42", "Ada Lovelace", "ada@example.org", 1_000_000_000L, 1_732_280_000L);
    }

    /** The visits stay ten digits for billions of updates, so the JSON keeps its size. */
    public Profile visited() {
        return new Profile(id, name, email, visits + 1, lastSeen);
    }
}

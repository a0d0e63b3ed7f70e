package io.hearth.cli;

import static io.hearth.cli.Cli.run;
import static io.hearth.cli.Cli.runWithInput;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hearth.BroadcastMessage;
import io.hearth.SharedStore;
import io.hearth.testkit.Stores;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every command of {@code hearth}, run in this JVM through picocli against a real store:
 * {@code CliFileTest} on a store file, {@code CliRedisTest} on a real redis-server.
 */
abstract class CliContract {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** This test's store, as the command's first parameter; it exists (and is empty) when the test begins. */
    protected abstract String store();

    /** Makes this test's store exist, empty. */
    protected abstract void createStore();

    /** Another empty store that takes at most maxEntries entries, as the command's first parameter. */
    protected abstract String cappedStore(int maxEntries);

    @BeforeEach
    void createTheStore() {
        createStore();
    }

    private Cli.Result hearth(String... args) {
        return run(prepend(store(), args));
    }

    private Cli.Result hearthWithInput(String stdin, String... args) {
        return runWithInput(stdin, prepend(store(), args));
    }

    private static String[] prepend(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    @Test
    void putPrintsTheVersionAndGetPrintsTheValueWithEveryDigitOfItsNumbers() {
        String value = "{\"name\":\"Ada Lovelace\",\"pi\":3.14159265358979323846264338327950288,\"huge\":1e400,"
                + "\"tiny\":-1.5E-400,\"big\":123456789012345678901234567890,\"text\":\"é \\\"quoted\\\" \\u0000 \\n\",\"list\":[1,[],{}]}";

        Cli.Result put = hearth("put", "users", "ada", value);
        Cli.Result get = hearth("get", "users", "ada");

        assertThat(put.status()).as(put.toString()).isZero();
        assertThat(Long.parseLong(put.out().strip())).isPositive();
        assertThat(get.status()).as(get.toString()).isZero();
        assertThat(get.out()).isEqualTo(value + "\n");
        assertThat(get.err()).isEmpty();
    }

    @Test
    void putTakesAnyJsonValueAndReadsItFromStdinWhenToldDash() {
        assertThat(hearth("put", "values", "number", "42").status()).isZero();
        assertThat(hearth("put", "values", "string", "\"forty-two\"").status()).isZero();
        assertThat(hearth("put", "values", "null", "null").status()).isZero();
        assertThat(hearthWithInput(" { \"from\" : \"stdin\" }\n", "put", "values", "piped", "-").status()).isZero();

        assertThat(hearth("get", "values", "number").out()).isEqualTo("42\n");
        assertThat(hearth("get", "values", "string").out()).isEqualTo("\"forty-two\"\n");
        assertThat(hearth("get", "values", "null").out()).isEqualTo("null\n");
        assertThat(hearth("get", "values", "piped").out()).isEqualTo("{\"from\":\"stdin\"}\n");
    }

    @Test
    void getOfAnAbsentEntryPrintsNothingOnStdoutOneLineOnStderrAndExitsOne() {
        Cli.Result absent = hearth("get", "users", "nobody");

        assertThat(absent.status()).isEqualTo(1);
        assertThat(absent.out()).isEmpty();
        assertThat(absent.err().lines()).singleElement().asString().contains("no entry 'nobody' in map 'users'");
    }

    @Test
    void getWithMetaPrintsTheEntryAsADumpLineWithItsVersionAndTimeToLive() throws Exception {
        long version = Long.parseLong(hearth("put", "sessions", "s-1", "{\"user\":\"ada\"}", "--ttl", "30m").out().strip());

        JsonNode meta = JSON.readTree(hearth("get", "sessions", "s-1", "--meta").out());

        assertThat(meta.get("map").asText()).isEqualTo("sessions");
        assertThat(meta.get("key").asText()).isEqualTo("s-1");
        assertThat(meta.get("version").asLong()).isEqualTo(version);
        assertThat(meta.get("value")).isEqualTo(JSON.readTree("{\"user\":\"ada\"}"));
        assertThat(meta.get("ttl_ms").asLong()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(30).toMillis());
    }

    @Test
    void anEntryPutWithATimeToLiveIsGoneOnceItExpires() {
        assertThat(hearth("put", "cache", "page", "\"<h1>hi</h1>\"", "--ttl", "100ms").status()).isZero();

        awaitTrue(() -> hearth("get", "cache", "page").status() == 1);

        assertThat(hearth("keys", "cache").out()).isEmpty();
        assertThat(hearth("dump").out()).isEmpty();
    }

    @Test
    void putOfJsonThatDoesNotReadIsRefusedWithExitTwoAndChangesNothing() {
        hearth("put", "users", "ada", "{\"name\":\"Ada\"}");
        String before = hearth("dump").out();

        for (String bad : List.of("{\"name\":", "{'single':1}", "1 2", "", "NaN", "{\"a\":1,\"a\":2}")) {
            Cli.Result refused = hearth("put", "users", "ada", bad);

            assertThat(refused.status()).as(bad + ": " + refused).isEqualTo(2);
            assertThat(refused.err().lines()).as(bad).singleElement().asString().startsWith("hearth: the value for key 'ada' is ");
        }
        assertThat(hearth("put", "other", "k", "{").status()).isEqualTo(2);
        assertThat(hearth("dump").out()).isEqualTo(before);
    }

    @Test
    void putToAMapNameOfHearthsOwnOrWithAKeyOverTheLimitIsRefusedWithExitTwo() {
        Cli.Result reserved = hearth("put", "\u0001locks", "k", "1");
        Cli.Result longKey = hearth("put", "users", "k".repeat(300), "1");

        assertThat(reserved.status()).isEqualTo(2);
        assertThat(reserved.err()).contains("U+0001");
        assertThat(longKey.status()).isEqualTo(2);
        assertThat(longKey.err()).contains("maxKeyBytes");
        assertThat(hearth("dump").out()).isEmpty();
    }

    @Test
    void rmRemovesAnEntryAndExitsOneWhenThereIsNone() {
        hearth("put", "users", "ada", "1");
        hearth("put", "users", "bob", "2");

        Cli.Result removed = hearth("rm", "users", "ada");
        Cli.Result again = hearth("rm", "users", "ada");

        assertThat(removed.status()).isZero();
        assertThat(removed.out()).isEmpty();
        assertThat(again.status()).isEqualTo(1);
        assertThat(again.err()).contains("no entry 'ada' in map 'users'");
        assertThat(hearth("keys", "users").lines()).containsExactly("bob");
    }

    @Test
    void keysPrintsAMapsKeysSortedWithAPrefixAndALimit() {
        for (String key : List.of("bob", "ada", "alan", "alice", "carl")) {
            hearth("put", "users", key, "{}");
        }
        hearth("put", "other", "zed", "{}");

        assertThat(hearth("keys", "users").lines()).containsExactly("ada", "alan", "alice", "bob", "carl");
        assertThat(hearth("keys", "users", "--prefix", "al").lines()).containsExactly("alan", "alice");
        assertThat(hearth("keys", "users", "--limit", "2").lines()).containsExactly("ada", "alan");
        assertThat(hearth("keys", "users", "--prefix", "a", "--limit", "1").lines()).containsExactly("ada");
        assertThat(hearth("keys", "nothing").out()).isEmpty();
        assertThat(hearth("keys", "users", "--limit", "-1").status()).isEqualTo(2);
    }

    @Test
    void incrAddsOneOrByAndPrintsTheNewValueANegativeBySubtracting() {
        assertThat(hearth("incr", "hits").out()).isEqualTo("1\n");
        assertThat(hearth("incr", "hits", "41").out()).isEqualTo("42\n");
        assertThat(hearth("incr", "hits", "-50").out()).isEqualTo("-8\n");
        assertThat(hearth("incr", "hits", "many").status()).isEqualTo(2);
        assertThat(hearth("counters").lines()).containsExactly("hits\t-8\t-");
    }

    @Test
    void countersListsEveryCounterWithItsValueAndWhatIsLeftOfItsTimeToLive() throws Exception {
        hearth("incr", "hits", "3");
        hearth("incr", "rate:ada", "--ttl", "1h");
        hearth("incr", "api.calls", "7");

        List<String> lines = hearth("counters").lines();
        JsonNode json = JSON.readTree(hearth("counters", "--json").out());

        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo("api.calls\t7\t-");
        assertThat(lines.get(1)).isEqualTo("hits\t3\t-");
        assertThat(lines.get(2)).startsWith("rate:ada\t1\t");
        assertThat(Long.parseLong(lines.get(2).split("\t")[2])).isPositive().isLessThanOrEqualTo(Duration.ofHours(1).toMillis());
        assertThat(hearth("counters", "--prefix", "rate:").lines()).hasSize(1);
        assertThat(json).hasSize(3);
        assertThat(json.get(0).get("name").asText()).isEqualTo("api.calls");
        assertThat(json.get(0).has("ttl_ms")).isFalse();
        assertThat(json.get(2).get("ttl_ms").asLong()).isPositive();
    }

    @Test
    void statsCountsEntriesAndCountersAsLinesOrJson() throws Exception {
        hearth("put", "users", "ada", "1");
        hearth("put", "users", "bob", "2");
        hearth("incr", "hits");

        List<String> lines = hearth("stats").lines();
        JsonNode json = JSON.readTree(hearth("stats", "--json").out());

        assertThat(lines).contains("entries: 2", "counters: 1", "workers: 0");
        assertThat(lines).anyMatch(line -> line.startsWith("location: "));
        assertThat(json.get("entries").asLong()).isEqualTo(2);
        assertThat(json.get("counters").asInt()).isEqualTo(1);
        assertThat(json.get("max_key_bytes").asInt()).isPositive();
    }

    @Test
    void workersListsTheAttachedProcessesButTheCommandsOwn() {
        assertThat(hearth("workers").out()).isEmpty();

        try (SharedStore attached = Stores.open(store())) {
            List<String> lines = hearth("workers").lines();

            // The process attached here and the command run in the same JVM, so the pid is the same.
            assertThat(lines).singleElement().asString().startsWith(ProcessHandle.current().pid() + "\t");
            assertThat(lines.get(0).split("\t")).hasSize(3);
        }
    }

    @Test
    void broadcastIsDeliveredToAnAttachedProcessWhichAcknowledgesIt() throws Exception {
        try (SharedStore attached = Stores.open(store())) {
            List<String> payloads = new CopyOnWriteArrayList<>();
            attached.subscribe("reload", (BroadcastMessage message) -> payloads.add(message.payload()));

            Cli.Result sent = hearth("broadcast", "reload", "{\"why\":\"config\"}", "--wait", "10s");

            assertThat(sent.status()).as(sent.toString()).isZero();
            JsonNode reply = JSON.readTree(sent.out());
            assertThat(reply.get("topic").asText()).isEqualTo("reload");
            assertThat(reply.get("acked")).singleElement().extracting(JsonNode::asLong).isEqualTo(ProcessHandle.current().pid());
            assertThat(reply.get("missing")).isEmpty();
            assertThat(payloads).containsExactly("{\"why\":\"config\"}");
        }
    }

    @Test
    void dumpWritesEveryEntryThenEveryCounterOneJsonObjectALineSorted() throws Exception {
        hearth("put", "users", "bob", "{\"n\":2}");
        hearth("put", "users", "ada", "{\"n\":1}");
        hearth("put", "sessions", "s-1", "\"x\"", "--ttl", "1h");
        hearth("incr", "hits", "5");
        hearth("incr", "rate", "--ttl", "1h");

        List<String> lines = hearth("dump").lines();

        assertThat(lines).hasSize(5);
        List<JsonNode> parsed = lines.stream().map(CliContract::tree).toList();
        assertThat(parsed.get(0).get("map").asText()).isEqualTo("sessions");
        assertThat(parsed.get(0).get("ttl_ms").asLong()).isPositive();
        assertThat(parsed.get(1).get("key").asText()).isEqualTo("ada");
        assertThat(parsed.get(2).get("key").asText()).isEqualTo("bob");
        assertThat(parsed.get(1).has("ttl_ms")).isFalse();
        assertThat(parsed.get(1).get("version").asLong()).isPositive();
        assertThat(lines.get(3)).isEqualTo("{\"counter\":\"hits\",\"value\":5}");
        assertThat(parsed.get(4).get("counter").asText()).isEqualTo("rate");
        assertThat(parsed.get(4).get("ttl_ms").asLong()).isPositive();
    }

    @Test
    void loadWritesADumpsEntriesAndCountersAndOverwritesWhatHasTheSameNames() {
        hearth("put", "users", "ada", "\"old\"");
        hearth("put", "users", "kept", "\"kept\"");
        hearth("incr", "hits", "100", "--ttl", "1h");
        String dump = """
                {"map":"users","key":"ada","version":17,"value":{"name":"Ada"}}
                {"map":"sessions","key":"s-1","value":[1,2.50],"ttl_ms":3600000}

                {"counter":"hits","value":-3}
                {"counter":"rate","value":9,"ttl_ms":3600000}
                """;

        Cli.Result loaded = hearthWithInput(dump, "load");

        assertThat(loaded.status()).as(loaded.toString()).isZero();
        assertThat(loaded.out()).startsWith("loaded 2 entries of 2 maps and 2 counters into ");
        assertThat(hearth("get", "users", "ada").out()).isEqualTo("{\"name\":\"Ada\"}\n");
        assertThat(hearth("get", "users", "kept").out()).isEqualTo("\"kept\"\n");
        assertThat(tree(hearth("get", "sessions", "s-1", "--meta").out()).get("ttl_ms").asLong()).isPositive();
        assertThat(hearth("get", "sessions", "s-1").out()).isEqualTo("[1,2.50]\n");
        List<String> counters = hearth("counters").lines();
        assertThat(counters.get(0)).as("the loaded counter has no expiry, as in the dump").isEqualTo("hits\t-3\t-");
        assertThat(counters.get(1)).startsWith("rate\t9\t");
    }

    @Test
    void loadRefusesALineItCannotReadNamingItsNumberAndLoadsNothing() {
        String good = "{\"map\":\"users\",\"key\":\"ada\",\"value\":1}\n";
        List<String> bad = List.of(
                "{\"map\":\"users\",\"key\":\"bob\",\"value\":",
                "[1,2]",
                "{\"map\":\"users\",\"value\":1}",
                "{\"map\":\"users\",\"key\":\"bob\"}",
                "{\"map\":\"users\",\"key\":\"bob\",\"value\":1,\"color\":\"red\"}",
                "{\"map\":\"users\",\"key\":\"bob\",\"value\":1,\"value\":2}",
                "{\"map\":\"users\",\"key\":\"bob\",\"value\":1,\"ttl_ms\":0}",
                "{\"map\":\"users\",\"key\":\"bob\",\"value\":1,\"ttl_ms\":\"1h\"}",
                "{\"map\":\"users\",\"key\":\"bob\",\"value\":1} {}",
                "{\"map\":\"users\",\"counter\":\"c\",\"key\":\"bob\",\"value\":1}",
                "{\"counter\":\"c\",\"value\":1.5}",
                "{\"counter\":\"c\",\"value\":99999999999999999999}",
                "{\"map\":\"users\",\"key\":\"\",\"value\":1}",
                "{\"map\":\"\\u0001locks\",\"key\":\"k\",\"value\":1}");
        for (String line : bad) {
            Cli.Result refused = hearthWithInput(good + good + line + "\n" + good, "load");

            assertThat(refused.status()).as(line + ": " + refused).isEqualTo(2);
            assertThat(refused.err().lines()).as(line).singleElement().asString()
                    .startsWith("hearth: line 3 of the input: ").endsWith("; nothing was loaded");
            assertThat(refused.out()).isEmpty();
        }
        Cli.Result notUtf8 = runWithInput(concat(good.getBytes(StandardCharsets.UTF_8), new byte[] {'"', (byte) 0xff, '"', '\n'}),
                store(), "load");
        assertThat(notUtf8.status()).isEqualTo(2);
        assertThat(notUtf8.err()).startsWith("hearth: line 2 of the input: the line is not UTF-8");
        assertThat(hearth("dump").out()).isEmpty();
    }

    @Test
    void loadRefusesAKeyOrValueOverTheStoresLimitNamingItsLineAndLoadsNothing() {
        String longKey = "{\"map\":\"users\",\"key\":\"" + "k".repeat(300) + "\",\"value\":1}\n";
        String largeValue = "{\"map\":\"users\",\"key\":\"big\",\"value\":\"" + "v".repeat(70_000) + "\"}\n";
        String good = "{\"map\":\"users\",\"key\":\"ada\",\"value\":1}\n";
        String longMapName = "{\"map\":\"" + "m".repeat(200) + "\",\"key\":\"k\",\"value\":1}\n";

        Cli.Result key = hearthWithInput(good + longKey, "load");
        Cli.Result value = hearthWithInput(good + good + largeValue, "load");
        Cli.Result map = hearthWithInput(longMapName, "load");

        assertThat(key.status()).isEqualTo(2);
        assertThat(key.err()).startsWith("hearth: line 2 of the input: its key is 300 bytes").contains("maxKeyBytes");
        assertThat(value.status()).isEqualTo(2);
        assertThat(value.err()).startsWith("hearth: line 3 of the input: its value is").contains("maxValueBytes");
        assertThat(map.status()).isEqualTo(2);
        assertThat(map.err()).startsWith("hearth: line 1 of the input: map name");
        assertThat(hearth("dump").out()).isEmpty();
    }

    @Test
    void loadWithDryRunChecksTheStreamAndWritesNothing() {
        Cli.Result dry = hearthWithInput("{\"map\":\"users\",\"key\":\"ada\",\"value\":1}\n{\"counter\":\"hits\",\"value\":1}\n",
                "load", "--dry-run");

        assertThat(dry.status()).as(dry.toString()).isZero();
        assertThat(dry.out()).startsWith("would load 1 entries of 1 maps and 1 counters (2 lines) into ");
        assertThat(hearth("dump").out()).isEmpty();
    }

    @Test
    void aLoadThatFailsPartwaySaysExactlyWhichLinesWereLoaded() {
        String capped = cappedStore(2);
        String dump = """
                {"map":"users","key":"a","value":1}
                {"counter":"hits","value":1}
                {"map":"users","key":"b","value":2}
                {"map":"users","key":"c","value":3}
                {"map":"users","key":"d","value":4}
                """;

        Cli.Result partial = runWithInput(dump, capped, "load");

        assertThat(partial.status()).as(partial.toString()).isEqualTo(3);
        assertThat(partial.err().lines()).singleElement().asString().startsWith("hearth: line 4 of the input: ")
                .endsWith("; lines 1 to 3 were loaded (2 entries and 1 counters), line 4 and the 1 after it were not");
        assertThat(run(capped, "keys", "users").lines()).containsExactly("a", "b");
    }

    @Test
    void aDumpLoadedIntoAnotherStoreOfTheSameKindGivesTheSameDumpVersionsAside() {
        hearth("put", "users", "ada", "{\"pi\":3.14159265358979323846264338327950288}");
        hearth("put", "users", "bob", "[]", "--ttl", "1h");
        hearth("incr", "hits", "-9223372036854775808");
        String other = cappedStore(1000);

        Cli.Result loaded = runWithInput(hearth("dump").out(), other, "load");

        assertThat(loaded.status()).as(loaded.toString()).isZero();
        assertThat(withoutVersionsAndTimesToLive(run(other, "dump").out()))
                .isEqualTo(withoutVersionsAndTimesToLive(hearth("dump").out()));
    }

    static String withoutVersionsAndTimesToLive(String dump) {
        return dump.replaceAll(",\"version\":[0-9]+", "").replaceAll(",\"ttl_ms\":[0-9]+", ",\"ttl_ms\":SOME");
    }

    static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = new byte[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    /** Waits, polling, until condition holds; fails after 10 s (a bound for a stuck test, not a timing claim). */
    static void awaitTrue(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("condition still false after 10 s").isNegative();
            LockSupport.parkNanos(20_000_000);
        }
    }
}

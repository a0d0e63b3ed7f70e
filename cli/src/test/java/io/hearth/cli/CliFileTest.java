package io.hearth.cli;

import static io.hearth.cli.Cli.run;
import static io.hearth.cli.Cli.runWithInput;
import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.SharedLock;
import io.hearth.SharedStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command on a store file, and what only a file store has: missing, empty and foreign files, Hearth's own maps, the check. */
class CliFileTest extends CliContract {
    /** Every command that opens an existing store, with arguments that would otherwise succeed or write. */
    private static final List<List<String>> EVERY_COMMAND_BUT_LOAD = List.of(
            List.of("stats"), List.of("workers"), List.of("counters"), List.of("get", "m", "k"), List.of("put", "m", "k", "1"),
            List.of("rm", "m", "k"), List.of("keys", "m"), List.of("incr", "c"), List.of("check"),
            List.of("broadcast", "t", "p", "--wait", "0"), List.of("dump"));

    @TempDir
    Path dir;

    private Path path() {
        return dir.resolve("hearth.store");
    }

    @Override
    protected String store() {
        return path().toString();
    }

    @Override
    protected void createStore() {
        SharedStore.open(path()).close();
    }

    @Override
    protected String cappedStore(int maxEntries) {
        Path capped = dir.resolve("capped-" + maxEntries + ".store");
        SharedStore.builder(capped).maxEntries(maxEntries).open().close();
        return capped.toString();
    }

    @Test
    void aFileUriNamesTheSameStoreAsItsPath() {
        run(store(), "put", "users", "ada", "1");

        assertThat(run(path().toUri().toString(), "get", "users", "ada").out()).isEqualTo("1\n");
    }

    @Test
    void dumpLeavesOutTheMapsOfHearthsOwnLocks() {
        run(store(), "put", "users", "ada", "1");
        try (SharedStore store = SharedStore.open(path())) {
            SharedLock lock = store.lock("migration");
            lock.lock();
            try {
                assertThat(run(store(), "dump").lines()).containsExactly("{\"map\":\"users\",\"key\":\"ada\",\"version\":1,\"value\":1}");
            } finally {
                lock.unlock();
            }
        }
    }

    @Test
    void checkOfASoundStoreSaysSoAndExitsZero() {
        run(store(), "put", "users", "ada", "1");
        run(store(), "incr", "hits");

        Cli.Result check = run(store(), "check");

        assertThat(check.status()).as(check.toString()).isZero();
        assertThat(check.lines()).containsExactly(path() + ": 1 entries, 1 counters, 0 live recoveries", "store is sound");
    }

    @Test
    void checkOfAFileThatIsNotAStoreIsOneLineAndExitsOneLeavingItAsItWas() throws Exception {
        Path foreign = dir.resolve("notes.txt");
        Files.writeString(foreign, "not a store at all, just some text that is longer than a few bytes\n".repeat(100));
        byte[] before = Files.readAllBytes(foreign);

        Cli.Result check = run(foreign.toString(), "check");

        assertThat(check.status()).isEqualTo(1);
        assertThat(check.out()).isEmpty();
        assertThat(check.err().lines()).singleElement().asString().startsWith("hearth: ").contains("not a Hearth store");
        assertThat(Files.readAllBytes(foreign)).isEqualTo(before);
        assertThat(dir.resolve("notes.txt.entries")).doesNotExist();
    }

    @Test
    void aPathWithNoStoreIsRefusedByEveryCommandButLoadAndNothingIsCreated() {
        Path missing = dir.resolve("typo").resolve("hearth.stroe");
        for (List<String> command : EVERY_COMMAND_BUT_LOAD) {
            Cli.Result refused = run(args(missing.toString(), command));

            assertThat(refused.status()).as(command + ": " + refused).isEqualTo(3);
            assertThat(refused.err().lines()).as(command.toString()).singleElement().asString().startsWith("hearth: no store at " + missing);
        }
        assertThat(missing.getParent()).doesNotExist();
    }

    @Test
    void aFileThatIsNotAStoreIsRefusedByEveryCommandAndLeftAsItWas() throws Exception {
        Path foreign = dir.resolve("notes.txt");
        Files.writeString(foreign, "some notes\n".repeat(1000));
        byte[] before = Files.readAllBytes(foreign);
        for (List<String> command : EVERY_COMMAND_BUT_LOAD) {
            Cli.Result refused = run(args(foreign.toString(), command));

            assertThat(refused.status()).as(command + ": " + refused).isIn(1, 3); // check's verdict is 1, as StoreCheck's
            assertThat(refused.err().lines()).as(command.toString()).singleElement().asString().contains("is not a Hearth store");
        }
        Cli.Result load = runWithInput("{\"map\":\"m\",\"key\":\"k\",\"value\":1}\n", foreign.toString(), "load");
        assertThat(load.status()).isEqualTo(3);
        assertThat(load.err()).contains("is not a Hearth store");
        assertThat(Files.readAllBytes(foreign)).isEqualTo(before);
        assertThat(dir.resolve("notes.txt.entries")).doesNotExist();
    }

    @Test
    void anEmptyFileOrADirectoryIsRefusedAndNothingIsMadeInIt() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.store"));
        for (List<String> command : EVERY_COMMAND_BUT_LOAD) {
            Cli.Result refused = run(args(empty.toString(), command));

            assertThat(refused.status()).as(command + ": " + refused).isIn(1, 3);
            assertThat(refused.err().lines()).as(command.toString()).hasSize(1);
        }
        assertThat(Files.size(empty)).isZero();
        assertThat(dir.resolve("empty.store.entries")).doesNotExist();
        Cli.Result directory = run(dir.toString(), "stats");
        assertThat(directory.status()).isEqualTo(3);
        assertThat(directory.err()).contains("is a directory");
    }

    @Test
    void loadCreatesAStoreThatDoesNotExistInADirectoryThatDoesNotEither() {
        Path fresh = dir.resolve("new").resolve("restored.store");

        Cli.Result loaded = runWithInput("{\"map\":\"users\",\"key\":\"ada\",\"value\":1}\n", fresh.toString(), "load");

        assertThat(loaded.status()).as(loaded.toString()).isZero();
        assertThat(run(fresh.toString(), "get", "users", "ada").out()).isEqualTo("1\n");
    }

    @Test
    void loadOfAnEmptyStreamMakesAnEmptyStore() {
        Path fresh = dir.resolve("empty-made.store");

        assertThat(runWithInput("", fresh.toString(), "load").status()).isZero();
        assertThat(run(fresh.toString(), "stats").lines()).contains("entries: 0");
    }

    @Test
    void aLoadRefusedForABadLineCreatesNoStore() {
        Path fresh = dir.resolve("never.store");

        Cli.Result refused = runWithInput("{\"map\":\"users\",\"key\":\"ada\",\"value\":1}\nnot json\n", fresh.toString(), "load");
        Cli.Result dry = runWithInput("{\"map\":\"users\",\"key\":\"ada\",\"value\":1}\n", fresh.toString(), "load", "--dry-run");

        assertThat(refused.status()).isEqualTo(2);
        assertThat(refused.err()).startsWith("hearth: line 2 of the input: not JSON");
        assertThat(dry.status()).isZero();
        assertThat(dry.out()).contains("does not exist yet");
        assertThat(fresh).doesNotExist();
    }

    private static String[] args(String store, List<String> command) {
        String[] args = new String[command.size() + 1];
        args[0] = store;
        for (int i = 0; i < command.size(); i++) {
            args[i + 1] = command.get(i);
        }
        return args;
    }
}

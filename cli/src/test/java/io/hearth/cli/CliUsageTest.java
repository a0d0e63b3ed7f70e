package io.hearth.cli;

import static io.hearth.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.SharedStore;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line itself: help, and every way of getting it wrong, each one line on stderr and exit status 2. */
class CliUsageTest {
    private static final List<String> COMMANDS = List.of("stats", "workers", "counters", "get", "put", "rm", "keys", "incr", "check",
            "broadcast", "dump", "load");

    @TempDir
    Path dir;

    private String store() {
        Path path = dir.resolve("usage.store");
        SharedStore.open(path).close();
        return path.toString();
    }

    @Test
    void helpListsEveryCommandAndTheExitStatusesAndExitsZero() {
        Cli.Result help = run("--help");

        assertThat(help.status()).isZero();
        assertThat(help.out()).startsWith("Usage: hearth [-h] [STORE] COMMAND").contains("Exit status:", "Examples:");
        COMMANDS.forEach(command -> assertThat(help.out()).contains("  " + command + " "));
        assertThat(help.err()).isEmpty();
    }

    @Test
    void everyCommandHasItsOwnHelpWithOrWithoutAStore() {
        String store = store();
        for (String command : COMMANDS) {
            Cli.Result help = run(command, "--help");
            Cli.Result withStore = run(store, command, "-h");
            Cli.Result helpCommand = run("help", command);

            assertThat(help.status()).as(command).isZero();
            assertThat(help.out()).as(command).startsWith("Usage: hearth STORE " + command);
            assertThat(withStore.out()).as(command).isEqualTo(help.out());
            assertThat(helpCommand.out()).as(command).isEqualTo(help.out());
        }
    }

    @Test
    void anUnknownCommandIsOneLineNamingItAndExitTwo() {
        Cli.Result unknown = run(store(), "frobnicate", "now");

        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.out()).isEmpty();
        assertThat(unknown.err().lines()).singleElement().isEqualTo("hearth: unknown command 'frobnicate' (see 'hearth --help')");
    }

    @Test
    void aMissingStoreOrCommandIsOneLineAndExitTwo() {
        Cli.Result nothing = run();
        Cli.Result noCommand = run(store());
        Cli.Result noStore = run("get", "users", "ada");

        assertThat(nothing.status()).isEqualTo(2);
        assertThat(nothing.err().lines()).singleElement().asString().startsWith("hearth: no store given");
        assertThat(noCommand.status()).isEqualTo(2);
        assertThat(noCommand.err().lines()).singleElement().asString().startsWith("hearth: no command given");
        assertThat(noStore.status()).isEqualTo(2);
        assertThat(noStore.err().lines()).singleElement().asString().startsWith("hearth: no store given");
    }

    @Test
    void aMissingParameterAnUnknownOptionOrABadValueIsOneLineAndExitTwo() {
        String store = store();
        for (List<String> args : List.of(List.of("get", "users"), List.of("put", "users", "ada"), List.of("stats", "--verbose"),
                List.of("put", "m", "k", "1", "--ttl", "soon"), List.of("put", "m", "k", "1", "--ttl", "0"),
                List.of("incr", "c", "1.5"), List.of("keys", "m", "--limit", "many"), List.of("broadcast", "t", "p", "--wait", "2y"),
                List.of("get", "m", "k", "extra"))) {
            String[] all = new String[args.size() + 1];
            all[0] = store;
            for (int i = 0; i < args.size(); i++) {
                all[i + 1] = args.get(i);
            }
            Cli.Result refused = run(all);

            assertThat(refused.status()).as(args + ": " + refused).isEqualTo(2);
            assertThat(refused.err().lines()).as(args.toString()).singleElement().asString().startsWith("hearth: ");
            assertThat(refused.out()).as(args.toString()).isEmpty();
        }
        assertThat(run(store, "dump").out()).isEmpty();
    }

    @Test
    void aStoreThatIsNeitherAPathNorARedisUriIsAUsageError() {
        Cli.Result http = run("http://127.0.0.1:8080/", "stats");
        Cli.Result malformed = run("redis://127.0.0.1:6379/0?x=%zz", "stats");
        Cli.Result fileWithHost = run("file://host/tmp/x.store", "stats");

        assertThat(http.status()).isEqualTo(2);
        assertThat(http.err()).contains("'http://...' is neither a file path nor a redis:// URI");
        assertThat(malformed.status()).isEqualTo(2);
        assertThat(malformed.err()).contains("malformed");
        assertThat(fileWithHost.status()).isEqualTo(2);
    }
}

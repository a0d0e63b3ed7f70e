package io.hearth.cli;

import io.hearth.HearthException;
import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code hearth} command, the executable jar's main class ({@code ./hearth} runs it):
 * {@code hearth STORE COMMAND [ARGS]}, as {@code sqlite3 FILE} and {@code redis-cli -u URI} take
 * theirs. Every failure is one line on stderr and an exit status from {@link Exit}.
 */
@Command(name = "hearth",
        synopsisSubcommandLabel = "COMMAND",
        usageHelpAutoWidth = true,
        description = {
                "Inspects and changes a Hearth store from a shell: the maps and counters every worker shares.",
                "",
                "STORE is a store file (data/hearth.store, or file:///abs/path) or redis://[:PASSWORD@]HOST:PORT/DB[?prefix=...]"
                        + " (the options of SharedStore.open). Only 'load' creates a file store that does not exist; every"
                        + " other command refuses a missing one, so a mistyped path leaves nothing behind. 'hearth STORE"
                        + " COMMAND --help' tells more of each command.",
                ""},
        subcommands = {
                StatsCommand.class, WorkersCommand.class, CountersCommand.class,
                GetCommand.class, PutCommand.class, RmCommand.class, KeysCommand.class, IncrCommand.class,
                CheckCommand.class, BroadcastCommand.class, DumpCommand.class, LoadCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
                "0:done",
                "1:no: no such entry, a check that found problems, a broadcast not every worker acknowledged",
                "2:the command line or its input is wrong (unknown command or option, bad argument, JSON that does not"
                        + " read, a bad load line); nothing was changed",
                "3:the store could not be opened or used (no store at the path, not a store, Redis unreachable, store"
                        + " full), or a load stopped partway (stderr says which lines were loaded)"},
        footerHeading = "%nExamples:%n",
        footer = {
                "  ./hearth data/hearth.store stats",
                "  ./hearth data/hearth.store put users ada '{\"name\":\"Ada\"}' --ttl 30m",
                "  ./hearth data/hearth.store get users ada",
                "  ./hearth data/hearth.store keys users --prefix a --limit 10",
                "  ./hearth data/hearth.store dump > backup.jsonl",
                "  ./hearth data/restored.store load < backup.jsonl",
                "  ./hearth data/hearth.store dump | ./hearth redis://127.0.0.1:6379/0 load"})
public final class HearthCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "STORE",
            description = "the store: a file path, file:///path, or redis://HOST:PORT/DB")
    String store;

    @Mixin
    HelpOption help;

    @Spec
    CommandSpec spec;

    /** What put, broadcast and load read when told '-': the process's stdin, or a test's. */
    final InputStream in;

    HearthCommand(InputStream in) {
        this.in = in;
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        // Hearth's own notes (a store that grew, say) are not a command's output; warnings still show.
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out),
                StandardCharsets.UTF_8), 1 << 16), false);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8), true);
        int status = run(System.in, out, err, args);
        out.flush();
        err.flush();
        System.exit(status);
    }

    /** Runs one command line with these streams; returns its exit status. */
    static int run(InputStream in, PrintWriter out, PrintWriter err, String... args) {
        return commandLine(in, out, err).execute(args);
    }

    /** The command line, its output and errors going to out and err. */
    static CommandLine commandLine(InputStream in, PrintWriter out, PrintWriter err) {
        CommandLine line = new CommandLine(new HearthCommand(in));
        line.setOut(out);
        line.setErr(err);
        line.setParameterExceptionHandler(HearthCommand::usageError);
        line.setExecutionExceptionHandler((e, command, parsed) -> failure(e, command));
        for (CommandLine command : line.getSubcommands().values()) {
            if (!(command.getCommand() instanceof CommandLine.HelpCommand)) {
                // Each command's usage starts as it is typed: the store comes first.
                String synopsis = new CommandLine.Help(command.getCommandSpec(), command.getColorScheme()).synopsis(0);
                command.getCommandSpec().usageMessage().customSynopsis(synopsis.replaceFirst("^hearth ", "hearth STORE ").stripTrailing());
            }
        }
        return line;
    }

    @Override
    public Integer call() {
        target(); // no store is the first thing to say
        throw CliException.usage("no command given after the store: one of stats, workers, counters, get, put, rm, keys, incr,"
                + " check, broadcast, dump, load (see --help)");
    }

    /** The store the first parameter names. */
    Target target() {
        return Target.parse(store);
    }

    /** A command line picocli could not read: one line naming the problem, status 2. */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        String message = e.getMessage();
        if (e instanceof UnmatchedArgumentException unmatched && command.getCommandSpec().parent() == null
                && !unmatched.getUnmatched().isEmpty() && !unmatched.getUnmatched().get(0).startsWith("-")) {
            message = "unknown command '" + unmatched.getUnmatched().get(0) + "'";
        }
        command.getErr().println("hearth: " + message + " (see '" + command.getCommandSpec().qualifiedName() + " --help')");
        return Exit.USAGE;
    }

    /** A command that failed: one line naming the problem, and the status it calls for. */
    private static int failure(Exception e, CommandLine command) {
        int status;
        String message = e.getMessage();
        if (e instanceof CliException cli) {
            status = cli.exitCode();
        } else if (e instanceof IllegalArgumentException || e instanceof UnsupportedOperationException) {
            status = Exit.USAGE; // a name or value the store refuses, before it wrote anything
        } else if (e instanceof HearthException || e instanceof UncheckedIOException) {
            status = Exit.STORE;
        } else {
            status = Exit.STORE;
            message = e.toString();
        }
        command.getErr().println("hearth: " + (message == null ? e.getClass().getName() : message));
        command.getErr().flush();
        return status;
    }
}

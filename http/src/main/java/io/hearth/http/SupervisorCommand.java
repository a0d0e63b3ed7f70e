package io.hearth.http;

import io.hearth.SharedStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;

/**
 * The supervisor's command line, the jar's main class: {@code ./run-workers.sh} and
 * {@code java -jar hearth-http-exec.jar} run it. It parses the options ({@code --help}), checks that
 * the workers could serve before starting any (status 2 when they could not), runs a
 * {@link Supervisor} in the foreground, prints a line starting {@value #READY_LINE} once every
 * worker serves and one starting {@value #STANDBYS_LINE} once every standby is warm too, and on
 * SIGTERM or Ctrl-C stops them and exits with the supervisor's status.
 */
public final class SupervisorCommand {
    /** The start of the line on stdout saying every worker serves. */
    static final String READY_LINE = "hearth: ";
    /** The start of the line on stdout, after the ready line, saying every standby is warm. */
    static final String STANDBYS_LINE = "hearth: standbys warm";

    private SupervisorCommand() {
    }

    /** Runs the supervisor in the foreground until SIGTERM or Ctrl-C; see {@code --help}. */
    public static void main(String[] args) throws InterruptedException {
        CommandLine.SupervisorOptions options;
        try {
            options = CommandLine.parseSupervisor(args);
            CommandLine.protectReads(System.getenv("HEARTH_PROTECT_READS"), CommandLine.token(System.getenv("HEARTH_TOKEN")));
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println();
            System.err.print(CommandLine.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.print(CommandLine.USAGE);
            return;
        }
        String problem = cannotServe(options);
        if (problem != null) {
            System.err.println("error: " + problem);
            System.exit(2);
            return;
        }
        ProcessLog log = new ProcessLog("supervisor");
        Supervisor.Builder settings = Supervisor.builder(options.store()).workers(options.workers()).standbys(options.standbys())
                .host(options.host()).port(options.port())
                .workerJvmOptions(WorkerCommand.splitJvmOptions(System.getenv("HEARTH_WORKER_JAVA_OPTS")));
        if (options.migrateQueuedConnections()) {
            settings.migrateQueuedConnections();
        }
        Supervisor supervisor = settings.start();
        Runtime.getRuntime().addShutdownHook(new Thread(supervisor::close, "hearth-supervisor-stop"));
        Signals.onTerminate(() -> new Thread(supervisor::close, "hearth-supervisor-stop").start());
        Signals.onHangUp(supervisor::restart); // returns at once: the restart runs on a thread of its own
        while (!supervisor.awaitReady(Duration.ofSeconds(30))) {
            if (supervisor.stopping()) {
                break;
            }
            log.warn("still waiting for workers to serve; " + supervisor.workerPids().size() + " of "
                    + options.workers() + " do");
        }
        if (!supervisor.stopping()) {
            System.out.println(READY_LINE + options.workers() + " workers serving http://" + options.host() + ":"
                    + options.port() + " (pids " + supervisor.workerPids() + "); Ctrl-C stops them");
        }
        if (options.standbys() > 0) {
            while (!supervisor.awaitStandbys(Duration.ofSeconds(30))) {
                if (supervisor.stopping()) {
                    break;
                }
                log.warn("still waiting for standbys to warm up; " + supervisor.standbyPids().size() + " of "
                        + options.standbys() + " are");
            }
            if (!supervisor.stopping()) {
                System.out.println(STANDBYS_LINE + ": " + options.standbys() + " (pids " + supervisor.standbyPids()
                        + "), each ready to serve at once in place of a worker that dies");
            }
        }
        System.exit(supervisor.awaitTermination());
    }

    /** Why the workers could not serve, found before starting any; null when they can. */
    private static String cannotServe(CommandLine.SupervisorOptions options) {
        if (!options.store().isFile()) {
            // A bad option or an unreachable Redis would fail every worker alike: say so once, with host and port.
            try (SharedStore store = options.store().open()) {
                store.stats();
            } catch (RuntimeException e) {
                return "cannot use store " + options.store() + ": " + e.getMessage();
            }
        }
        if (options.workers() > 1) {
            try (ServerSocketChannel channel = ServerSocketChannel.open()) {
                if (!channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                    return "this platform's sockets have no SO_REUSEPORT, so only one process can bind a port; run with -n 1";
                }
            } catch (IOException e) {
                return "cannot open a socket: " + e.getMessage();
            }
        }
        // Workers share the port with each other only; a server already on it would silently share it too.
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(options.host(), options.port()));
        } catch (IOException e) {
            return "cannot bind " + options.host() + ":" + options.port() + " (" + e.getMessage()
                    + "); is another server on that port? choose another with -p";
        }
        return null;
    }
}

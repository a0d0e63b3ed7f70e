package io.hearth.http;

import io.hearth.http.internal.ReusePortSelectorProvider;
import io.hearth.internal.JvmOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that starts one {@link Worker} process: this JVM's {@code java}, on this JVM's
 * class path, with the JVM options Hearth needs and {@link ReusePortSelectorProvider}, which lets
 * every worker bind the same port. Immutable.
 */
final class WorkerCommand {
    private final StoreAddress store;
    private final String host;
    private final int port;
    private final List<String> jvmOptions;

    /** Workers serving host:port from store, each JVM started with jvmOptions as well. */
    WorkerCommand(StoreAddress store, String host, int port, List<String> jvmOptions) {
        this.store = store;
        this.host = host;
        this.port = port;
        this.jvmOptions = List.copyOf(jvmOptions);
    }

    /** Whitespace-separated JVM options (HEARTH_WORKER_JAVA_OPTS) as a list; none when options is null. */
    static List<String> splitJvmOptions(String options) {
        List<String> split = new ArrayList<>();
        if (options != null) {
            for (String option : options.trim().split("\\s+")) {
                if (!option.isEmpty()) {
                    split.add(option);
                }
            }
        }
        return split;
    }

    /**
     * The command, program first: a worker that stands by until told to serve on its stdin; it
     * watches this process's pid and stops when it is gone.
     */
    List<String> toList() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JvmOptions.required().arguments());
        command.add("-D" + ReusePortSelectorProvider.PROPERTY + "=" + ReusePortSelectorProvider.class.getName());
        command.add("-Dchronicle.announcer.disable=true"); // its banner, times N workers, buries the log
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Worker.class.getName());
        command.addAll(List.of("--store", store.argument(), "--host", host,
                "--port", Integer.toString(port), "--supervisor-pid", Long.toString(ProcessHandle.current().pid()), "--standby"));
        return command;
    }
}

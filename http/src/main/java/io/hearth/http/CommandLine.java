package io.hearth.http;

/** Parsing and checking of the supervisor's and workers' options. */
final class CommandLine {
    static final String USAGE = """
            Usage: run-workers.sh [-n WORKERS] [-k STANDBYS] [-p PORT] [-s STORE] [-b HOST]
                                 [--migrate-queued-connections]
                   java -jar hearth-http-exec.jar [the same options]

            Starts WORKERS Hearth HTTP worker processes that all serve one port and share one
            store (a file on this host, or Redis for workers on several hosts), and STANDBYS more,
            warmed up but not listening: when a worker dies, a standby serves in its place within
            milliseconds and another standby starts. Stops them all gracefully on Ctrl-C or SIGTERM.

              -n, --workers WORKERS  worker processes (default: the number of cores)
              -k, --standbys STANDBYS
                                     warm standby processes (default: one per 4 cores, at least 1)
              -p, --port PORT        TCP port every worker serves (default: 8080)
              -s, --store STORE      store file path (default: ./data/hearth.store), or
                                     redis://[:password@]host:port/db[?timeout=2s&prefix=hearth:...]
                                     to share the store through Redis with workers on other hosts;
                                     Redis unreachable: requests get 503, recovery is automatic
              -b, --bind HOST        address to bind (default: 127.0.0.1, this host only)
              --migrate-queued-connections
                                     set Linux's net.ipv4.tcp_migrate_req to 1 (needs root): the
                                     connections queued on a worker that stops or dies then go to
                                     another worker instead of being reset; it is a setting of
                                     the whole host (network namespace), so it is off unless asked
              -h, --help             this text

            Environment:
              HEARTH_TOKEN             if set, POST/PUT/PATCH/DELETE need Authorization: Bearer <token>;
                                       reads stay open to anyone who can connect, unless:
              HEARTH_PROTECT_READS     1: reads need the token too (all but /livez and /health)
              HEARTH_LOG_TOPICS        broadcast topics workers log, comma-separated (default: reload)
              HEARTH_WORKER_JAVA_OPTS  extra JVM options for each worker, e.g. -Xmx256m
            """;

    private CommandLine() {
    }

    /** The supervisor's options. */
    record SupervisorOptions(int workers, int standbys, int port, StoreAddress store, String host,
            boolean migrateQueuedConnections, boolean help) {
    }

    static SupervisorOptions parseSupervisor(String[] args) {
        int workers = Runtime.getRuntime().availableProcessors();
        int standbys = Supervisor.defaultStandbys(Runtime.getRuntime().availableProcessors());
        int port = 8080;
        String store = "data/hearth.store";
        String host = "127.0.0.1";
        boolean migrateQueuedConnections = false;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("-h") || option.equals("--help")) {
                return new SupervisorOptions(workers, standbys, port, null, host, migrateQueuedConnections, true);
            }
            if (option.equals("--migrate-queued-connections")) {
                migrateQueuedConnections = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "-n", "--workers" -> workers = (int) number(option, value, 1, 256);
                case "-k", "--standbys" -> standbys = (int) number(option, value, 0, 256);
                case "-p", "--port" -> port = port(value);
                case "-s", "--store" -> store = value;
                case "-b", "--bind" -> host = value;
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        StoreAddress address = StoreAddress.parse(store);
        if (port == 0 && workers > 1) {
            throw new IllegalArgumentException("port 0 would give each worker a port of its own; choose a port");
        }
        return new SupervisorOptions(workers, standbys, port, address, host, migrateQueuedConnections, false);
    }

    static int port(String value) {
        return (int) number("port", value, 0, 65_535);
    }

    static long number(String what, String value, long min, long max) {
        long number;
        try {
            number = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a whole number, not '" + value + "'");
        }
        if (number < min || number > max) {
            throw new IllegalArgumentException(what + " must be from " + min + " to " + max + ", not " + number);
        }
        return number;
    }

    /**
     * Whether HEARTH_PROTECT_READS asks for reads to need the token: unset or {@code 0} no, {@code 1}
     * yes; anything else, or {@code 1} without a token, is refused rather than silently read as no.
     */
    static boolean protectReads(String value, String token) {
        if (value == null || value.equals("0")) {
            return false;
        }
        if (!value.equals("1")) {
            throw new IllegalArgumentException("HEARTH_PROTECT_READS must be 1 (reads need the token) or 0, not '"
                    + Requests.printable(value) + "'");
        }
        if (token == null) {
            throw new IllegalArgumentException("HEARTH_PROTECT_READS=1 needs HEARTH_TOKEN: set the token reads must carry");
        }
        return true;
    }

    /** HEARTH_TOKEN's value: null when unset; an empty or spaced one is refused rather than silently ignored. */
    static String token(String value) {
        if (value == null) {
            return null;
        }
        if (value.isBlank() || !value.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("HEARTH_TOKEN is set but empty or not printable ASCII without spaces;"
                    + " unset it, or give it a real token");
        }
        return value;
    }
}

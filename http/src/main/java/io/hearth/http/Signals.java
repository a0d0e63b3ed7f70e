package io.hearth.http;

import java.lang.reflect.Proxy;

/**
 * SIGTERM and SIGINT as a request to stop, handled on a thread of our own before any JVM shutdown
 * hook runs: the process then stops in order (a worker finishes its requests while the store is
 * still open) and exits with status 0, as gunicorn does, rather than the JVM's 143. SIGHUP, for
 * the supervisor, as a request to replace every worker ({@link Supervisor#restart()}).
 * {@code sun.misc.Signal} (jdk.unsupported) is reached reflectively to keep the build free of its
 * warnings; where it is missing, the callers' shutdown hooks stop them instead.
 */
final class Signals {
    private Signals() {
    }

    static void onTerminate(Runnable action) {
        on(action, "TERM", "INT");
    }

    /** SIGHUP: for the supervisor, a restart of every worker (gunicorn's HUP). */
    static void onHangUp(Runnable action) {
        on(action, "HUP");
    }

    private static void on(Runnable action, String... names) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Object proxy = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[]{handler}, (self, method, args) -> {
                if (method.getName().equals("handle")) {
                    action.run();
                    return null;
                }
                return method.getName().equals("hashCode") ? System.identityHashCode(self)
                        : method.getName().equals("equals") ? self == args[0] : "handler of " + String.join(", ", names);
            });
            var handle = signal.getMethod("handle", signal, handler);
            for (String name : names) {
                handle.invoke(null, signal.getConstructor(String.class).newInstance(name), proxy);
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // this JVM will not let us: the shutdown hook stops the workers instead (and SIGHUP ends the JVM)
        }
    }
}

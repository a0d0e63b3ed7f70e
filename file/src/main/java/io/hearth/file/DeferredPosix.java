package io.hearth.file;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import net.openhft.posix.PosixAPI;
import net.openhft.posix.internal.PosixAPIHolder;

/**
 * Defers the loading of Chronicle's native POSIX binding until Chronicle calls it. Chronicle Core
 * loads it when its {@code Jvm} class initialises, which every process does: jnr-ffi generating
 * and loading its glue cost about 0.3 s of CPU per JVM here, a tenth of a worker's start. A process
 * that opens an existing store never calls it (Chronicle calls {@code posix_fallocate} only when
 * a map's file grows, and {@code msync} only as it creates a map), so a replacement worker need not pay.
 *
 * <p>Installed before any Chronicle class loads, and only where no binding is loaded yet: Chronicle
 * reads the binding from a public field of its holder, which this sets to a proxy. The proxy's
 * first call loads the binding Chronicle would have loaded (the same choice, and the same fallback
 * to a no-op when the native library cannot load), and every call goes on to it.
 *
 * <p>Chronicle also syncs a new map's header to disk ({@code msync}) as it creates it, which would
 * load the binding in {@link ChronicleWarmUp}'s scratch map, deleted a moment later: on the thread
 * running {@link #withoutSyncs}, a sync through the deferral does nothing and reports success.
 */
final class DeferredPosix implements InvocationHandler {
    private static final ThreadLocal<Boolean> SKIPPING_SYNCS = ThreadLocal.withInitial(() -> false);
    private volatile PosixAPI loaded;

    private DeferredPosix() {
    }

    /** Puts the proxy in Chronicle's holder unless a binding is already there. */
    static synchronized void install() {
        if (PosixAPIHolder.POSIX_API == null) {
            PosixAPIHolder.POSIX_API = (PosixAPI) Proxy.newProxyInstance(PosixAPI.class.getClassLoader(),
                    new Class<?>[] {PosixAPI.class}, new DeferredPosix());
        }
    }

    /** Runs work on this thread with Chronicle's syncs through the deferral skipped: for scratch files only. */
    static void withoutSyncs(Runnable work) {
        SKIPPING_SYNCS.set(true);
        try {
            work.run();
        } finally {
            SKIPPING_SYNCS.remove();
        }
    }

    /** Whether the binding in Chronicle's holder is still this deferral, not yet loaded. */
    static boolean deferred() {
        PosixAPI current = PosixAPIHolder.POSIX_API;
        return current != null && Proxy.isProxyClass(current.getClass())
                && Proxy.getInvocationHandler(current) instanceof DeferredPosix handler && handler.loaded == null;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "DeferredPosix[" + (loaded == null ? "not loaded" : loaded) + "]";
            };
        }
        if (method.getName().equals("msync") && SKIPPING_SYNCS.get()) {
            return 0; // a scratch file: nothing to make durable
        }
        try {
            return method.invoke(binding(), args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private PosixAPI binding() {
        PosixAPI binding = loaded;
        return binding != null ? binding : load();
    }

    private synchronized PosixAPI load() {
        if (loaded == null) {
            // Chronicle's own choice: the holder loads it when its field is empty (a caller of
            // PosixAPI.posix() in between loads one too, which is what it did before the deferral).
            PosixAPIHolder.POSIX_API = null;
            PosixAPIHolder.loadPosixApi();
            loaded = PosixAPIHolder.POSIX_API;
        }
        return loaded;
    }
}

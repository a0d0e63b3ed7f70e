package io.hearth.file;

import io.hearth.HearthException;
import io.hearth.MissingJvmOptionsException;
import io.hearth.StoreCheck;
import io.hearth.internal.JvmOptions;
import io.hearth.spi.StoreBackend;
import io.hearth.spi.StoreBackendProvider;
import io.hearth.spi.StoreOptions;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/** Opens file stores: {@code file:///path}, and every {@code SharedStore.open(Path)}. */
public final class FileBackendProvider implements StoreBackendProvider {
    /** Broadcast messages the ring keeps; a reader further behind loses the oldest. */
    static final int BROADCAST_SLOTS = 64;

    @Override
    public String scheme() {
        return "file";
    }

    /**
     * @throws MissingJvmOptionsException  if this JVM lacks options Chronicle Map needs
     * @throws io.hearth.IncompatibleStoreException if the file is not a Hearth store of this format
     * @throws io.hearth.HearthException            if the files cannot be created or read
     */
    @Override
    public StoreBackend open(URI uri, StoreOptions options) {
        requireJvmOptions();
        prepareJvm();
        // Only in a JVM with the options Chronicle needs: without them, the open itself is to fail as Chronicle does.
        ChronicleWarmUp.once();
        return openPrepared(uri, options);
    }

    /**
     * As {@link #open}, in this JVM as it is: without first checking the JVM options Chronicle
     * needs, so that a test can show what Chronicle itself does when one is missing.
     */
    static StoreBackend openWithoutCheckingJvmOptions(URI uri, StoreOptions options) {
        prepareJvm();
        return openPrepared(uri, options);
    }

    /** Opens the store once {@link #prepareJvm()} has run. */
    private static StoreBackend openPrepared(URI uri, StoreOptions options) {
        Path path = pathOf(uri);
        long maxCounters = options.given().contains("maxCounters") ? options.maxCounters() : 0;
        long maxEntries = options.given().contains("maxEntries") ? options.maxEntries() : 0;
        long expectedEntries = options.given().contains("expectedEntries") ? options.expectedEntries()
                : maxEntries > 0 ? Math.min(maxEntries, StoreLayout.DEFAULT_SHARD_ENTRIES) : StoreLayout.DEFAULT_SHARD_ENTRIES;
        long shardEntries = StoreLayout.shardEntriesFor(expectedEntries, maxEntries);
        StoreLayout layout = new StoreLayout(StoreLayout.DEFAULT_COUNTER_SLOTS, options.maxWorkers(), BROADCAST_SLOTS,
                BroadcastRing.PAYLOAD + options.maxBroadcastBytes(), options.maxKeyBytes(), options.maxValueBytes(),
                maxEntries, StoreLayout.DEFAULT_LOCK_STRIPES, maxCounters, shardEntries,
                StoreLayout.shardLevelFor(expectedEntries, shardEntries));
        if (layout.fileLength() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("maxWorkers=" + options.maxWorkers()
                    + ", maxBroadcastBytes=" + options.maxBroadcastBytes() + " and maxValueBytes=" + options.maxValueBytes()
                    + " make a store file of " + layout.fileLength() + " bytes, over the limit of " + Integer.MAX_VALUE);
        }
        return StoreOpener.open(path, layout, options);
    }

    /** Reads the files as they are, beside live processes or none, and changes nothing; see {@link FileCheck}. */
    @Override
    public StoreCheck.Report check(URI uri) {
        requireJvmOptions();
        prepareJvm();
        return FileCheck.run(pathOf(uri));
    }

    private static Path pathOf(URI uri) {
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawAuthority() != null) {
            throw new IllegalArgumentException("a file store URI is file:///path, with no host, query or fragment: " + uri
                    + "; set capacities with SharedStore.builder(path)");
        }
        return Path.of(uri).toAbsolutePath();
    }

    /** Chronicle Map needs module options on every Java version, and more from Java 24 on ({@link JvmOptions}). */
    private static void requireJvmOptions() {
        List<String> missing = JvmOptions.required().missingIn(FileBackendProvider.class.getModule());
        if (!missing.isEmpty()) {
            throw new MissingJvmOptionsException(missing);
        }
    }

    /** Chronicle Map needs javac's entry point, or a stand-in; it must also never call home. */
    private static void prepareJvm() {
        AbsentJavac.standInWhereMissing();
        // Belt and braces: chronicle-analytics is excluded from the build, but an application may
        // bring it back; this property keeps it silent. Set before any Chronicle class loads.
        setUnlessSet("chronicle.analytics.disable", "true");
        // Quiet embedding: Chronicle's release-notes banner, and SLF4J's three warning lines when
        // the application brings no logging binding (Chronicle logs through SLF4J; Hearth does not).
        // Each only when the application has not chosen, and only before SLF4J or Chronicle start.
        setUnlessSet("chronicle.announcer.disable", "true");
        setUnlessSet("slf4j.internal.verbosity", "ERROR");
        DeferredPosix.install(); // before Chronicle's Jvm class initialises, which would load the binding
    }

    private static void setUnlessSet(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }
}

package io.hearth.file;

import io.hearth.SharedStore;
import io.hearth.testkit.StoreContract;
import io.hearth.testkit.Tally;
import io.hearth.testkit.TestLimits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import net.openhft.chronicle.core.analytics.AnalyticsFacade;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on the memory-mapped file, plus what only the file store does. */
class FileStoreTest extends StoreContract {
    @TempDir
    Path dir;

    /** In a directory that does not exist yet: opening creates it. */
    private Path path() {
        return dir.resolve("stores").resolve("store.store");
    }

    @Override
    protected String store() {
        return path().toString();
    }

    @Override
    protected SharedStore openWithLimits(TestLimits limits) {
        return FileStores.openWithLimits(path(), limits);
    }

    @Override
    protected String expectedLocation() {
        return path().toString();
    }

    @Test
    void aFileUriOpensTheSameStoreAsItsPath() {
        try (SharedStore byPath = open();
             SharedStore byUri = SharedStore.open(path().toUri())) {
            byPath.counter("c").set(7);
            assertThat(byUri.counter("c").get()).isEqualTo(7);
            assertThat(byUri.location()).isEqualTo(byPath.location());
        }
    }

    @Test
    void aUriWithoutASchemeOrWithAnUnknownOneIsRefusedNamingWhatWorks() {
        assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> SharedStore.open(java.net.URI.create("data/store"))))
                .hasMessageContaining("has no scheme").hasMessageContaining("file:///path");
        assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> SharedStore.open(java.net.URI.create("memcached://h:1"))))
                .hasMessageContaining("no Hearth backend for scheme 'memcached'");
    }

    @Test
    void chronicleAnalyticsStaysDisabledAndItsLibraryIsNotOnTheClassPath() {
        try (SharedStore store = open()) {
            store.map("m", Tally.class).put("k", new Tally(1));
            assertThat(AnalyticsFacade.isEnabled()).isFalse();
            assertThatThrownBy(() -> Class.forName("net.openhft.chronicle.analytics.Analytics"))
                    .isInstanceOf(ClassNotFoundException.class);
        }
    }
}

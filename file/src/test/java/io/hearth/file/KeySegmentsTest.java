package io.hearth.file;

import io.hearth.spi.StoreBackend;
import io.hearth.spi.StoreOptions;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.Random;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeySegmentsTest {
    @TempDir
    Path dir;

    @Test
    void theSegmentComputedForAKeyIsTheOneChroniclesQueryContextFinds() throws Exception {
        StoreBackend backend = new FileBackendProvider().open(dir.resolve("s.store").toUri(), StoreOptions.DEFAULTS);
        try {
            Field field = FileBackend.class.getDeclaredField("shards");
            field.setAccessible(true);
            EntryShards shards = (EntryShards) field.get(backend);
            ChronicleMap<String, byte[]> map = shards.shard(0).map();
            assertThat(map.segments()).isGreaterThan(1);
            Random random = new Random(42);
            String[] alphabets = {"abcxyz0123456789-:/", "\u00e9\u00fc\u00df\u4e2d\u6587", "\ud83d\ude00\ud83c\udf89a"};
            for (int i = 0; i < 20_000; i++) {
                StringBuilder key = new StringBuilder();
                String alphabet = alphabets[i % alphabets.length];
                int length = 1 + random.nextInt(40);
                while (key.length() < length) {
                    int at = random.nextInt(alphabet.length());
                    char c = alphabet.charAt(at);
                    if (Character.isHighSurrogate(c)) {
                        key.append(c).append(alphabet.charAt(at + 1));
                    } else if (!Character.isLowSurrogate(c)) {
                        key.append(c);
                    }
                }
                String composite = CompositeKeys.of("map-" + (i % 7), key.toString());
                try (ExternalMapQueryContext<String, byte[], ?> context = map.queryContext(composite)) {
                    assertThat(KeySegments.segmentOf(map, composite)).as("segment of %s", composite)
                            .isEqualTo(context.segmentIndex());
                }
            }
        } finally {
            backend.close();
        }
    }
}

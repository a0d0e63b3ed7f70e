package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import net.openhft.chronicle.hash.VanillaGlobalMutableState;
import net.openhft.chronicle.values.Values;
import org.junit.jupiter.api.Test;

/**
 * The pre-generated {@code VanillaGlobalMutableState$$Native} in this module's sources, which spares
 * every worker a javac run when it opens the store, must be exactly what the Chronicle Values of
 * this build would generate: that class reads and writes the map's header in the file.
 */
class ChronicleNativeClassTest {
    private static final Path SOURCE = Path.of("src/main/java/net/openhft/chronicle/hash/VanillaGlobalMutableState$$Native.java");

    @Test
    void theCommittedClassIsWhatThisChronicleVersionGenerates() throws Exception {
        Class<?> valueModel = Class.forName("net.openhft.chronicle.values.ValueModel");
        Object model = valueModel.getMethod("acquire", Class.class).invoke(null, VanillaGlobalMutableState.class);
        Method generate = Class.forName("net.openhft.chronicle.values.Generators")
                .getDeclaredMethod("generateNativeClass", valueModel, String.class);
        generate.setAccessible(true);
        String generated = (String) generate.invoke(null, model, "VanillaGlobalMutableState$$Native");

        String committed = Files.readString(SOURCE);
        committed = committed.substring(committed.indexOf("package "))
                .replace("@SuppressWarnings(\"rawtypes\")\n", "");
        if (!committed.equals(generated)) {
            System.out.println("Chronicle Values now generates, for " + SOURCE + ":\n" + generated);
        }
        assertThat(committed).as("%s against what Chronicle generates (printed above)", SOURCE).isEqualTo(generated);
    }

    @Test
    void chronicleMapLoadsTheCommittedClassInsteadOfCompilingOne() {
        assertThat(Values.nativeClassFor(VanillaGlobalMutableState.class).getProtectionDomain().getCodeSource().getLocation()
                .getPath()).as("where the class Chronicle uses comes from").endsWith("/http/target/classes/");
    }
}

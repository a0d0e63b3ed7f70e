package io.hearth.file;


import static org.assertj.core.api.Assertions.assertThat;

import java.security.CodeSource;
import net.openhft.chronicle.hash.VanillaGlobalMutableState;
import net.openhft.chronicle.values.Values;
import org.junit.jupiter.api.Test;

/**
 * Chronicle Map generates and compiles (javac, over a second of CPU) a class for its map header in
 * every process that opens a map, unless the class is on the class path. The build generates it
 * from the Chronicle Values library it ships with (file/src/build) into the file module's own classes.
 */
class ChronicleNativeClassTest {
    @Test
    void chronicleLoadsTheHeaderClassBuiltWithHearthInsteadOfCompilingOneAtRunTime() {
        Class<?> used = Values.nativeClassFor(VanillaGlobalMutableState.class);

        CodeSource source = used.getProtectionDomain().getCodeSource();
        assertThat(source).as("code source of %s (a class compiled at run time has none)", used).isNotNull();
        assertThat(source.getLocation()).isEqualTo(FileBackend.class.getProtectionDomain().getCodeSource().getLocation());
    }
}

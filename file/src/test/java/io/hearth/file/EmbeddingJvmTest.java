package io.hearth.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.internal.JvmOptions;
import io.hearth.testkit.ChildJvm;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an application's JVM meets when it embeds the file store. An embedding without a logging
 * binding prints nothing of Hearth's or Chronicle's. The JVM options Hearth asks for name no
 * jdk.compiler package, and a JVM without that module (a jlinked runtime, --limit-modules) opens
 * stores too: Chronicle's generated class is compiled at build time, and AbsentJavac stands in for
 * the javac entry point Chronicle looks up.
 */
class EmbeddingJvmTest {
    @TempDir
    Path dir;

    @Test
    void aJvmWithoutJdkCompilerOpensWritesAndReadsAStore() {
        assertThat(JvmOptions.required().arguments()).noneMatch(option -> option.contains("jdk.compiler"));
        List<String> options = new ArrayList<>(JvmOptions.required().arguments());
        options.add("--limit-modules=" + String.join(",", systemModulesThatDoNotNeed("jdk.compiler")));
        try (ChildJvm child = ChildJvm.builder(FaultChild.class).jvmOptions(options)
                .args("without-compiler", dir.resolve("limited.store").toString()).start()) {
            assertThat(child.awaitLine("COMPILER", Duration.ofSeconds(60))).isEqualTo("absent");
            assertThat(child.awaitLine("READ", Duration.ofSeconds(60))).isEqualTo("7 1");
            assertThat(child.awaitExit(Duration.ofSeconds(60))).isZero();
        }
    }

    @Test
    void aSecondProcessWithoutJdkCompilerReadsWhatTheFirstWrote() {
        List<String> options = new ArrayList<>(JvmOptions.required().arguments());
        options.add("--limit-modules=" + String.join(",", systemModulesThatDoNotNeed("jdk.compiler")));
        Path store = dir.resolve("shared.store");
        for (String expected : List.of("7 1", "7 2")) {
            try (ChildJvm child = ChildJvm.builder(FaultChild.class).jvmOptions(options)
                    .args("without-compiler", store.toString()).start()) {
                assertThat(child.awaitLine("READ", Duration.ofSeconds(60))).isEqualTo(expected);
                assertThat(child.awaitExit(Duration.ofSeconds(60))).isZero();
            }
        }
    }

    @Test
    void aJvmWithJdkCompilerButWithoutItsOptionsOpensWritesAndReadsAStore() {
        try (ChildJvm child = ChildJvm.builder(FaultChild.class).args("without-compiler", dir.resolve("full.store").toString()).start()) {
            assertThat(child.awaitLine("COMPILER", Duration.ofSeconds(60))).isEqualTo("present");
            assertThat(child.awaitLine("READ", Duration.ofSeconds(60))).isEqualTo("7 1");
            assertThat(child.awaitExit(Duration.ofSeconds(60))).isZero();
        }
    }

    @Test
    void anEmbeddingWithNoLoggingBindingPrintsNothingButItsOwnOutput() {
        try (ChildJvm child = ChildJvm.builder(FaultChild.class).classPathWithout("slf4j-nop").stderrInLines()
                .args("without-compiler", dir.resolve("quiet.store").toString()).start()) {
            assertThat(child.awaitExit(Duration.ofSeconds(60))).isZero();
            assertThat(child.awaitAllLines(Duration.ofSeconds(10))).containsExactly("COMPILER present", "READ 7 1");
        }
    }

    @Test
    void theArgumentFileTheCoreJarPrintsIsAllAJvmNeedsToOpenAStore() throws Exception {
        List<String> printed;
        try (ChildJvm options = ChildJvm.builder(JvmOptions.class).jvmOptions(List.of()).start()) {
            assertThat(options.awaitExit(Duration.ofSeconds(60))).isZero();
            printed = options.awaitAllLines(Duration.ofSeconds(10));
        }
        assertThat(printed).isEqualTo(JvmOptions.required().arguments());
        Path argumentFile = dir.resolve("hearth.args");
        java.nio.file.Files.write(argumentFile, printed);
        try (ChildJvm child = ChildJvm.builder(FaultChild.class).jvmOptions(List.of("@" + argumentFile))
                .args("without-compiler", dir.resolve("argfile.store").toString()).start()) {
            assertThat(child.awaitLine("READ", Duration.ofSeconds(60))).isEqualTo("7 1");
            assertThat(child.awaitExit(Duration.ofSeconds(60))).isZero();
        }
    }

    /** Every system module whose requirements, followed through, never reach the excluded one. */
    private static Set<String> systemModulesThatDoNotNeed(String excluded) {
        Map<String, ModuleDescriptor> all = new HashMap<>();
        for (ModuleReference module : ModuleFinder.ofSystem().findAll()) {
            all.put(module.descriptor().name(), module.descriptor());
        }
        Map<String, Boolean> needs = new HashMap<>();
        return all.keySet().stream().filter(name -> !needs(name, excluded, all, needs, new HashSet<>())).collect(Collectors.toSet());
    }

    private static boolean needs(String name, String excluded, Map<String, ModuleDescriptor> all, Map<String, Boolean> known,
                                 Set<String> visiting) {
        if (name.equals(excluded)) {
            return true;
        }
        Boolean cached = known.get(name);
        if (cached != null) {
            return cached;
        }
        if (!visiting.add(name) || !all.containsKey(name)) {
            return false;
        }
        boolean result = all.get(name).requires().stream()
                .anyMatch(requirement -> needs(requirement.name(), excluded, all, known, visiting));
        known.put(name, result);
        return result;
    }
}

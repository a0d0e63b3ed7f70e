package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A newcomer's project, as the README's "Use it from your project" tells it: a separate Maven
 * project that depends on {@code io.hearth:hearth-file} from a local repository holding Hearth's
 * installed jars and poms (the ones this build just made), built and run by its own {@code mvn}
 * ({@code exec:exec}) with the argument file {@code io.hearth.internal.JvmOptions} prints. Its output
 * must be its own lines and nothing else: no SLF4J warning, no Chronicle banner, nothing of Maven's.
 *
 * <p>The nested build reads every other artifact from this machine's Maven repository as if it were
 * a remote one (a {@code file:} mirror), so it needs no network; it needs {@code mvn} on the PATH,
 * and the jars of modules core and file, which {@code mvn verify} packages before this module's tests.
 */
class SeparateProjectEmbeddingTest {
    private static final String VERSION = System.getProperty("hearth.version", "0.1.0-SNAPSHOT");

    @TempDir
    Path dir;

    @Test
    void aSeparateMavenProjectBuildsAgainstTheInstalledArtifactsAndRunsQuietlyWithTheArgumentFile() throws Exception {
        Path checkout = Path.of("").toAbsolutePath().getParent();
        Path repository = dir.resolve("repository");
        install(repository, checkout.resolve("pom.xml"), null, "hearth-parent");
        install(repository, checkout.resolve("core/pom.xml"), checkout.resolve("core/target/hearth-core-" + VERSION + ".jar"), "hearth-core");
        install(repository, checkout.resolve("file/pom.xml"), checkout.resolve("file/target/hearth-file-" + VERSION + ".jar"), "hearth-file");

        Path project = Files.createDirectories(dir.resolve("consumer"));
        Files.writeString(project.resolve("pom.xml"), consumerPom());
        Path source = Files.createDirectories(project.resolve("src/main/java/example")).resolve("Main.java");
        Files.writeString(source, """
                package example;

                import io.hearth.SharedStore;
                import java.nio.file.Path;

                public final class Main {
                    public static void main(String[] args) {
                        try (SharedStore store = SharedStore.open(Path.of(args[0]))) {
                            System.out.println("visits " + store.counter("visits").incrementAndGet());
                        }
                    }
                }
                """);
        Path settings = Files.writeString(dir.resolve("settings.xml"), settings(repository, thisMachinesRepository()));

        Path coreJar = repository.resolve("io/hearth/hearth-core/" + VERSION + "/hearth-core-" + VERSION + ".jar");
        Path argumentFile = project.resolve("hearth.args");
        Files.write(argumentFile, run(project, List.of(java(), "-cp", coreJar.toString(), "io.hearth.internal.JvmOptions")));

        // As the README says: exec:exec (not exec:java, which would run inside Maven's JVM) with the argument file.
        List<String> mvn = List.of("mvn", "-B", "-q", "-s", settings.toString(), "compile", "exec:exec", "-Dexec.executable=" + java(),
                "-Dexec.args=@hearth.args -cp %classpath example.Main " + dir.resolve("app.store"));
        assertThat(run(project, mvn)).containsExactly("visits 1");
        assertThat(run(project, mvn)).containsExactly("visits 2");
    }

    /** What {@code mvn install} would put in a local repository: the pom, and the jar of a jar module. */
    private static void install(Path repository, Path pom, Path jar, String artifactId) throws IOException {
        Path directory = Files.createDirectories(repository.resolve("io/hearth/" + artifactId + "/" + VERSION));
        Files.copy(pom, directory.resolve(artifactId + "-" + VERSION + ".pom"));
        if (jar != null) {
            assertThat(jar).as("module jar, made by mvn package before this module's tests").exists();
            Files.copy(jar, directory.resolve(artifactId + "-" + VERSION + ".jar"));
        }
    }

    private static String consumerPom() {
        return """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>example</groupId>
                  <artifactId>consumer</artifactId>
                  <version>1</version>
                  <properties>
                    <maven.compiler.release>17</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                  <dependencies>
                    <dependency>
                      <groupId>io.hearth</groupId>
                      <artifactId>hearth-file</artifactId>
                      <version>%s</version>
                    </dependency>
                  </dependencies>
                  <build>
                    <plugins>
                      <plugin><artifactId>maven-resources-plugin</artifactId><version>%s</version></plugin>
                      <plugin><artifactId>maven-compiler-plugin</artifactId><version>%s</version></plugin>
                      <plugin><groupId>org.codehaus.mojo</groupId><artifactId>exec-maven-plugin</artifactId><version>%s</version></plugin>
                    </plugins>
                  </build>
                </project>
                """.formatted(VERSION, System.getProperty("hearth.resourcesPluginVersion"),
                System.getProperty("hearth.compilerPluginVersion"), System.getProperty("hearth.execPluginVersion"));
    }

    private static String settings(Path repository, Path mirror) {
        return """
                <settings>
                  <localRepository>%s</localRepository>
                  <mirrors>
                    <mirror><id>this-machine</id><mirrorOf>*</mirrorOf><url>%s</url></mirror>
                  </mirrors>
                </settings>
                """.formatted(repository, mirror.toUri());
    }

    /** The Maven repository this build resolved from: where Jackson's jar on this class path lives. */
    private static Path thisMachinesRepository() throws URISyntaxException {
        Path jar = Path.of(ObjectMapper.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        // .../com/fasterxml/jackson/core/jackson-databind/VERSION/jackson-databind-VERSION.jar
        return jar.getParent().getParent().getParent().getParent().getParent().getParent().getParent();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Runs a command to its end; returns its stdout and stderr lines, interleaved as written; fails on a non-zero exit. */
    private static List<String> run(Path directory, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        // The nested Maven runs on the Java these tests run on. From Java 24 on, Maven 3.8's own JVM warns that its
        // Guava calls sun.misc.Unsafe unless told to allow it: lines of Maven's, not of the project it runs.
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        if (Runtime.version().feature() >= 24) {
            builder.environment().merge("MAVEN_OPTS", "--sun-misc-unsafe-memory-access=allow", (own, allow) -> own + " " + allow);
        }
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // Maven 3.8 writes terminal resets (ESC[0m) around its output even in batch mode, the last without a newline.
        List<String> lines = new ArrayList<>(output.replaceAll("\u001B\\[[0-9;]*m", "").lines().toList());
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("%s finished", command).isTrue();
        assertThat(process.exitValue()).as("exit of %s; it printed %s", command, lines).isZero();
        return lines;
    }
}

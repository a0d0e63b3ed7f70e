package io.hearth.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The {@code --add-exports}/{@code --add-opens} options Chronicle Map needs on Java 17. The list
 * lives in the root pom; the build copies it into {@code io/hearth/jvm-options.properties}, and
 * this class reads it from there, to check the running JVM and to start child JVMs.
 */
public final class JvmOptions {
    private static final String RESOURCE = "/io/hearth/jvm-options.properties";

    private final List<String> exports;
    private final List<String> opens;

    private JvmOptions(List<String> exports, List<String> opens) {
        this.exports = exports;
        this.opens = opens;
    }

    /** The options as the build recorded them. */
    public static JvmOptions required() {
        Properties properties = new Properties();
        try (InputStream in = JvmOptions.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " is missing from the Hearth jar");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        return new JvmOptions(split(properties.getProperty("add-exports", "")), split(properties.getProperty("add-opens", "")));
    }

    /**
     * Prints the options one per line: a Java argument file, for {@code java @hearth.jvmargs ...}.
     * {@code java -cp hearth-core.jar io.hearth.internal.JvmOptions > hearth.jvmargs} writes it.
     */
    public static void main(String[] args) {
        required().arguments().forEach(System.out::println);
    }

    /** Command-line arguments that grant every option to the class path, for starting a JVM. */
    public List<String> arguments() {
        List<String> arguments = new ArrayList<>();
        exports.forEach(target -> arguments.add("--add-exports=" + target + "=ALL-UNNAMED"));
        opens.forEach(target -> arguments.add("--add-opens=" + target + "=ALL-UNNAMED"));
        return arguments;
    }

    /** The arguments among {@link #arguments()} that this JVM was not started with, for code in module {@code to}. */
    public List<String> missingIn(Module to) {
        List<String> missing = new ArrayList<>();
        for (String target : exports) {
            if (!granted(target, to, false)) {
                missing.add("--add-exports=" + target + "=ALL-UNNAMED");
            }
        }
        for (String target : opens) {
            if (!granted(target, to, true)) {
                missing.add("--add-opens=" + target + "=ALL-UNNAMED");
            }
        }
        return missing;
    }

    private static boolean granted(String target, Module to, boolean open) {
        int slash = target.indexOf('/');
        Optional<Module> module = ModuleLayer.boot().findModule(target.substring(0, slash));
        String packageName = target.substring(slash + 1);
        return module.map(m -> open ? m.isOpen(packageName, to) : m.isExported(packageName, to)).orElse(false);
    }

    private static List<String> split(String list) {
        List<String> items = new ArrayList<>();
        for (String item : list.trim().split("\\s+")) {
            if (!item.isEmpty()) {
                items.add(item);
            }
        }
        return List.copyOf(items);
    }
}

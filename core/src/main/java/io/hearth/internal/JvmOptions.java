package io.hearth.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The JVM options Chronicle Map needs, for one Java version: on every version the
 * {@code --add-exports}/{@code --add-opens} options, and from Java 24 on also
 * {@code --enable-native-access=ALL-UNNAMED} and {@code --sun-misc-unsafe-memory-access=allow},
 * without which Chronicle's native calls (jnr-ffi) and its {@code sun.misc.Unsafe} memory access
 * print warnings (JEP 472 and 471); Java 17 rejects the second as unrecognised, so it is given only
 * where it exists. The lists live in the root pom; the build copies them into
 * {@code io/hearth/jvm-options.properties} ({@code add-exports}, {@code add-opens}, and
 * {@code from-java-N} for the options of Java N and later), and this class reads them from there,
 * to check the running JVM and to start child JVMs; the scripts read the build's copy too
 * ({@code jvm-options.sh}). Immutable.
 */
public final class JvmOptions {
    private static final String RESOURCE = "/io/hearth/jvm-options.properties";
    private static final String NATIVE_ACCESS = "--enable-native-access=";
    private static final String UNSAFE_MEMORY_ACCESS = "--sun-misc-unsafe-memory-access=";
    /** What {@code --sun-misc-unsafe-memory-access} sets; the JVM leaves it among the system properties. */
    private static final String UNSAFE_MEMORY_ACCESS_PROPERTY = "sun.misc.unsafe.memory.access";

    private final int javaVersion;
    private final List<String> exports;
    private final List<String> opens;
    private final List<String> newer;

    private JvmOptions(int javaVersion, List<String> exports, List<String> opens, List<String> newer) {
        this.javaVersion = javaVersion;
        this.exports = exports;
        this.opens = opens;
        this.newer = newer;
        for (String option : newer) {
            if (!option.startsWith(NATIVE_ACCESS) && !option.startsWith(UNSAFE_MEMORY_ACCESS)) {
                throw new IllegalStateException("no check for JVM option " + option + " listed in " + RESOURCE);
            }
        }
    }

    /** The options this JVM needs, as the build recorded them. */
    public static JvmOptions required() {
        return forJava(Runtime.version().feature());
    }

    /** The options a JVM of this feature version ({@code 17}, {@code 25}) needs, as the build recorded them. */
    public static JvmOptions forJava(int javaVersion) {
        Properties properties = new Properties();
        try (InputStream in = JvmOptions.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " is missing from the Hearth jar");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        // "from-java-N": options that Java N and later have and need.
        List<String> newer = new ArrayList<>();
        properties.stringPropertyNames().stream().filter(name -> name.matches("from-java-[1-9][0-9]*"))
                .filter(name -> Integer.parseInt(name.substring("from-java-".length())) <= javaVersion).sorted()
                .forEach(name -> newer.addAll(split(properties.getProperty(name))));
        return new JvmOptions(javaVersion, split(properties.getProperty("add-exports", "")),
                split(properties.getProperty("add-opens", "")), List.copyOf(newer));
    }

    /**
     * Prints the options one per line: a Java argument file, for {@code java @hearth.args ...}.
     * {@code java -cp hearth-core.jar io.hearth.internal.JvmOptions > hearth.args} writes the one for
     * the Java that runs it; with an argument, a feature version ({@code 17}, {@code 25}), the one for that version.
     */
    public static void main(String[] args) {
        if (args.length > 1 || (args.length == 1 && !args[0].matches("[1-9][0-9]*"))) {
            System.err.println("usage: java -cp hearth-core.jar io.hearth.internal.JvmOptions [JAVA_FEATURE_VERSION] > hearth.args");
            System.exit(2);
        }
        JvmOptions options = args.length == 1 ? forJava(Integer.parseInt(args[0])) : required();
        options.arguments().forEach(System.out::println);
    }

    /** The Java feature version these options are for. */
    public int javaVersion() {
        return javaVersion;
    }

    /** Command-line arguments that grant every option to the class path, for starting a JVM. */
    public List<String> arguments() {
        List<String> arguments = new ArrayList<>();
        exports.forEach(target -> arguments.add("--add-exports=" + target + "=ALL-UNNAMED"));
        opens.forEach(target -> arguments.add("--add-opens=" + target + "=ALL-UNNAMED"));
        arguments.addAll(newer);
        return arguments;
    }

    /**
     * The arguments among {@link #arguments()} that this JVM was not started with, for code in
     * module {@code to}. Meant for the options of the running Java version ({@link #required()}).
     */
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
        for (String option : newer) {
            if (!inForce(option, to)) {
                missing.add(option);
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

    /** Whether one of the options from Java 24 on is in force, checked as the JVM itself reads it. */
    private static boolean inForce(String option, Module to) {
        if (option.startsWith(UNSAFE_MEMORY_ACCESS)) {
            return option.substring(UNSAFE_MEMORY_ACCESS.length()).equals(System.getProperty(UNSAFE_MEMORY_ACCESS_PROPERTY));
        }
        // --enable-native-access; Module.isNativeAccessEnabled() is there from Java 22 on, and this code is built for 17.
        try {
            return (Boolean) Module.class.getMethod("isNativeAccessEnabled").invoke(to);
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalStateException("cannot tell whether " + option + " is in force on Java " + Runtime.version(), e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("cannot tell whether " + option + " is in force on Java " + Runtime.version(), e.getCause());
        }
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

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Build step (core/pom.xml, generate-sources): asks the Chronicle Values library on the class path
 * to generate the source of the native classes Chronicle Map would otherwise generate and compile
 * with javac in every process that opens a map (over a second of CPU per process start). The
 * classes are compiled into Hearth's jar; Chronicle loads a class of that name when it finds one.
 * Nothing is kept in Hearth's sources: each build generates them from the library it ships with.
 *
 * <p>Usage: {@code java -cp <class path> GenerateChronicleNativeClasses.java OUTPUT_DIRECTORY}
 */
public final class GenerateChronicleNativeClasses {
    private static final List<String> VALUE_INTERFACES = List.of("net.openhft.chronicle.hash.VanillaGlobalMutableState");

    public static void main(String[] args) throws Exception {
        Path output = Path.of(args[0]);
        Class<?> valueModel = Class.forName("net.openhft.chronicle.values.ValueModel");
        // Package-private in Chronicle Values: the same generator its runtime path calls.
        Method generate = Class.forName("net.openhft.chronicle.values.Generators")
                .getDeclaredMethod("generateNativeClass", valueModel, String.class);
        generate.setAccessible(true);
        for (String name : VALUE_INTERFACES) {
            Class<?> valueInterface = Class.forName(name);
            Object model = valueModel.getMethod("acquire", Class.class).invoke(null, valueInterface);
            String simpleName = valueInterface.getSimpleName() + "$$Native";
            String source = (String) generate.invoke(null, model, simpleName);
            Path file = output.resolve(valueInterface.getPackageName().replace('.', '/')).resolve(simpleName + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, "// Generated at build time by file/src/build/GenerateChronicleNativeClasses.java; do not edit.\n" + source);
            System.out.println("generated " + file);
        }
    }
}

package io.hearth;

import java.util.List;

/**
 * The JVM was started without JVM options the file store's engine, Chronicle Map, needs on this
 * Java version: {@code --add-exports}/{@code --add-opens} on every version, and from Java 24 on
 * {@code --enable-native-access=ALL-UNNAMED} and {@code --sun-misc-unsafe-memory-access=allow}.
 * The message lists exactly the missing ones, ready to paste on a command line.
 */
public final class MissingJvmOptionsException extends HearthException {
    private static final long serialVersionUID = 1L;

    private final List<String> missingOptions;

    public MissingJvmOptionsException(List<String> missingOptions) {
        // The options on a line of their own, so that they paste into a command line as they are.
        super("Hearth needs these JVM options on Java " + Runtime.version().feature() + ", missing from this JVM"
                + " ('java -cp hearth-core.jar io.hearth.internal.JvmOptions > hearth.args' writes them all, for 'java @hearth.args'):\n"
                + String.join(" ", missingOptions));
        this.missingOptions = List.copyOf(missingOptions);
    }

    /** The missing options, each as a command-line argument such as {@code --add-exports=java.base/sun.nio.ch=ALL-UNNAMED}. */
    public List<String> missingOptions() {
        return missingOptions;
    }
}

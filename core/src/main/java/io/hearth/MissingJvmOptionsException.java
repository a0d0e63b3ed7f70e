package io.hearth;

import java.util.List;

/**
 * The JVM was started without the {@code --add-exports}/{@code --add-opens} options Chronicle Map
 * needs on Java 17. The message lists exactly the missing ones, ready to paste on a command line.
 */
public final class MissingJvmOptionsException extends HearthException {
    private static final long serialVersionUID = 1L;

    private final List<String> missingOptions;

    public MissingJvmOptionsException(List<String> missingOptions) {
        // The options on a line of their own, so that they paste into a command line as they are.
        super("Hearth needs these JVM options, missing from this JVM; an executable jar can carry them as"
                + " Add-Exports/Add-Opens manifest attributes:\n" + String.join(" ", missingOptions));
        this.missingOptions = List.copyOf(missingOptions);
    }

    /** The missing options, each as a command-line argument such as {@code --add-exports=java.base/sun.nio.ch=ALL-UNNAMED}. */
    public List<String> missingOptions() {
        return missingOptions;
    }
}

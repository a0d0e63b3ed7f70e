package io.hearth.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Telling a full disk from other I/O failures, and saying how much room is left, for messages. */
final class DiskSpace {
    private DiskSpace() {
    }

    /** Whether the failure, or one of its causes, is the file system being out of space. */
    static boolean isOutOfSpace(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            String message = String.valueOf(cause.getMessage());
            if (message.contains("No space left on device") || message.contains("Not enough space to fallocate")
                    || message.contains("posix_fallocate") || message.contains("File too large")) {
                return true;
            }
        }
        return false;
    }

    /** " (N bytes usable there)" for the file system holding file, or "" when it cannot be read. */
    static String usable(Path file) {
        try {
            Path existing = Files.exists(file) ? file : file.getParent();
            return " (" + Files.getFileStore(existing).getUsableSpace() + " bytes usable there)";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}

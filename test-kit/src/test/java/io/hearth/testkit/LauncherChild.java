package io.hearth.testkit;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The child of {@link ChildJvmTest}: prints its environment variable HEARTH_TEST_VAR and a line on
 * stderr, optionally starts {@code sleep 600} and prints its pid, then echoes each stdin line
 * until "exit N", which ends it with status N. With argument "java" it only prints the Java it
 * runs on: "JAVA java.home version".
 */
public final class LauncherChild {
    private LauncherChild() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("java")) {
            System.out.println("JAVA " + System.getProperty("java.home") + " " + Runtime.version());
            return;
        }
        System.out.println("VAR " + System.getenv("HEARTH_TEST_VAR"));
        System.err.println("ERR on stderr");
        if (args.length > 0 && args[0].equals("spawn")) {
            System.out.println("GRANDCHILD " + new ProcessBuilder("sleep", "600").start().pid());
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.startsWith("exit ")) {
                System.exit(Integer.parseInt(line.substring("exit ".length())));
            }
            System.out.println("ECHO " + line);
        }
    }
}

package io.hearth.bench;

import io.hearth.internal.JvmOptions;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The jar's entry point: JMH's own command line (-f, -wi, -i, -rf, -foe, a regexp, ...), plus the
 * JVM options Chronicle needs and every -Dhearth.* property of this JVM, appended to each fork.
 */
public final class Bench {
    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        CommandLineOptions command = new CommandLineOptions(args);
        if (command.shouldHelp()) {
            command.showHelp();
            return;
        }
        List<String> jvmArgs = new ArrayList<>(command.getJvmArgsAppend().orElse(List.of()));
        jvmArgs.addAll(JvmOptions.required().arguments());
        jvmArgs.add("-Dchronicle.analytics.disable=true");
        jvmArgs.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        System.getProperties().stringPropertyNames().stream()
                .filter(name -> name.startsWith("hearth."))
                .sorted()
                .forEach(name -> jvmArgs.add("-D" + name + "=" + System.getProperty(name)));
        Options options = new OptionsBuilder().parent(command).jvmArgsAppend(jvmArgs.toArray(String[]::new)).build();
        Runner runner = new Runner(options);
        if (command.shouldList()) {
            runner.list();
            return;
        }
        runner.run();
    }
}

package io.hearth.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** What every command of {@code hearth STORE COMMAND} has: the store it was given, its output, stdin, --help. */
abstract class Subcommand implements Callable<Integer> {
    @ParentCommand
    HearthCommand hearth;

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** The text an argument gives, or all of stdin when it is '-'. */
    String textOrStdin(String argument) throws IOException {
        if (!"-".equals(argument)) {
            return argument;
        }
        return Utf8.decode(hearth.in.readAllBytes(), "stdin");
    }
}

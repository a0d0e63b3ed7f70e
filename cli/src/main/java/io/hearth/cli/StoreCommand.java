package io.hearth.cli;

import io.hearth.SharedStore;
import io.hearth.WorkerInfo;
import java.util.ArrayList;
import java.util.List;

/** A command that opens the store, does its work, and closes it. */
abstract class StoreCommand extends Subcommand {
    @Override
    public final Integer call() throws Exception {
        Target target = hearth.target();
        prepare();
        try (SharedStore store = target.open(false)) {
            return run(store);
        }
    }

    /** Reads and checks the arguments before the store is opened: a bad one changes nothing. */
    void prepare() throws Exception {
    }

    /** The command's work; returns the exit status. */
    abstract int run(SharedStore store) throws Exception;

    /** The processes attached to the store but this one, which attached to run the command. */
    static List<WorkerInfo> others(List<WorkerInfo> workers) {
        List<WorkerInfo> others = new ArrayList<>(workers);
        long self = ProcessHandle.current().pid();
        for (int i = 0; i < others.size(); i++) {
            if (others.get(i).pid() == self) {
                others.remove(i); // once: on Redis, a process of another host may have the same pid
                break;
            }
        }
        return others;
    }
}

package io.hearth.http;

import io.hearth.testkit.ChildJvm;
import io.hearth.testkit.Listeners;

/** Reads the listening sockets on a port every 2 ms until interrupted: the fewest seen, and the most one process held. */
final class PortWatch extends Thread {
    private final int port;
    private final ChildJvm supervisor;
    volatile int fewest = Integer.MAX_VALUE;
    volatile int mostHeldByOne;
    volatile long samples;

    PortWatch(int port, ChildJvm supervisor) {
        super("port-watch-" + port);
        this.port = port;
        this.supervisor = supervisor;
        setDaemon(true);
    }

    @Override
    public void run() {
        while (!isInterrupted()) {
            fewest = Math.min(fewest, Listeners.socketsOn(port).size());
            if (samples % 10 == 0) { // reading every process's descriptors takes longer than the kernel's table
                for (ProcessHandle process : supervisor.descendants()) {
                    mostHeldByOne = Math.max(mostHeldByOne, Listeners.socketsHeldOn(port, process));
                }
            }
            samples++;
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}

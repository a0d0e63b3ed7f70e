package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The roster's rule on fake slots: who is told to serve, and that nobody is told twice. */
class RosterTest {
    private final List<Long> told = new ArrayList<>();
    private final List<Long> stopped = new ArrayList<>();

    /** A slot that records what it is told; a process that has exited cannot be told. */
    private final class Slot implements Roster.Member {
        boolean exiting;

        @Override
        public boolean tellToServe(long pid) {
            if (exiting) {
                return false;
            }
            told.add(pid);
            return true;
        }

        @Override
        public void stopGracefully(long pid) {
            stopped.add(pid);
        }
    }

    @Test
    void theFirstWarmProcessesServeUpToTheWantedNumberAndTheRestStandBy() {
        Roster roster = new Roster(2);
        Slot a = new Slot();
        Slot b = new Slot();
        Slot c = new Slot();
        roster.started(a, 1);
        roster.started(b, 2);
        roster.started(c, 3);
        roster.warm(b, 2);
        roster.warm(c, 3);
        roster.warm(a, 1);

        assertThat(told).containsExactly(2L, 3L);
        assertThat(roster.role(a)).isEqualTo(Roster.Role.STANDBY);
        assertThat(roster.count(Roster.Role.PROMOTED)).isEqualTo(2);
    }

    @Test
    void whenAServingProcessExitsTheLongestWaitingStandbyIsToldAndNoOtherIs() {
        Roster roster = new Roster(1);
        Slot serving = new Slot();
        Slot first = new Slot();
        Slot second = new Slot();
        roster.started(serving, 1);
        roster.warm(serving, 1);
        roster.serving(serving, 1);
        roster.started(first, 2);
        roster.started(second, 3);
        roster.warm(first, 2);
        roster.warm(second, 3);
        told.clear();

        roster.exited(serving, 1);
        assertThat(told).containsExactly(2L);
        roster.exited(serving, 1); // reported twice: changes nothing
        roster.warm(first, 2); // a late line from the promoted one: it is not a standby again
        assertThat(told).containsExactly(2L);
        assertThat(roster.role(first)).isEqualTo(Roster.Role.PROMOTED);
        assertThat(roster.role(second)).isEqualTo(Roster.Role.STANDBY);
    }

    @Test
    void aStandbyThatCannotBeToldIsSkippedForTheNextOne() {
        Roster roster = new Roster(1);
        Slot gone = new Slot();
        Slot next = new Slot();
        roster.started(gone, 7);
        roster.started(next, 8);
        roster.warm(gone, 7);
        assertThat(told).containsExactly(7L);
        roster.serving(gone, 7);
        Slot standbyExiting = new Slot();
        roster.started(standbyExiting, 9);
        roster.warm(standbyExiting, 9);
        standbyExiting.exiting = true;
        roster.warm(next, 8);

        roster.exited(gone, 7);
        assertThat(told).containsExactly(7L, 8L);
        assertThat(roster.role(standbyExiting)).isEqualTo(Roster.Role.STARTING);
    }

    @Test
    void aRetiredWorkerStopsCountingSoAStandbyServesBesideItUntilItIsStopped() {
        Roster roster = new Roster(1);
        Slot old = new Slot();
        Slot standby = new Slot();
        roster.started(old, 1);
        roster.warm(old, 1);
        roster.serving(old, 1);
        roster.started(standby, 2);
        roster.warm(standby, 2);
        told.clear();

        assertThat(roster.retire(1)).isTrue();
        assertThat(roster.retire(1)).as("retired already").isFalse();
        assertThat(told).containsExactly(2L);
        roster.serving(standby, 2);
        assertThat(roster.pids(Roster.Role.SERVING)).containsExactly(2L);
        assertThat(roster.pids(Roster.Role.RETIRING)).containsExactly(1L);
        assertThat(roster.stopGracefully(1)).isTrue();
        assertThat(stopped).containsExactly(1L);
        roster.exited(old, 1);
        assertThat(told).containsExactly(2L);
        assertThat(roster.isRunning(1)).isFalse();
    }

    @Test
    void theDeathOfAServingProcessIsTimedButAStandbysOrARetiredOnesIsNot() {
        Roster roster = new Roster(1);
        Slot serving = new Slot();
        Slot standby = new Slot();
        Slot spare = new Slot();
        roster.started(serving, 1);
        roster.warm(serving, 1);
        roster.serving(serving, 1);
        roster.started(standby, 2);
        roster.warm(standby, 2);
        roster.started(spare, 3);
        roster.warm(spare, 3);
        assertThat(roster.nanosSinceServingDeath(System.nanoTime())).as("none died").isEqualTo(Long.MAX_VALUE);

        roster.exited(spare, 3); // a standby
        assertThat(roster.nanosSinceServingDeath(System.nanoTime())).as("a standby died").isEqualTo(Long.MAX_VALUE);
        assertThat(roster.retire(1)).isTrue(); // a restart: 2 is told to serve in its place
        roster.serving(standby, 2);
        roster.exited(serving, 1); // retired: asked to go
        assertThat(roster.nanosSinceServingDeath(System.nanoTime())).as("a retired one exited").isEqualTo(Long.MAX_VALUE);

        long before = System.nanoTime();
        roster.exited(standby, 2); // serving, and nobody asked it to go
        long since = roster.nanosSinceServingDeath(System.nanoTime());
        assertThat(since).as("a serving one died").isBetween(0L, System.nanoTime() - before);
    }

    @Test
    void onlyAProcessToldToServeCanBecomeServing() {
        Roster roster = new Roster(1);
        Slot standby = new Slot();
        Slot other = new Slot();
        roster.started(other, 1);
        roster.warm(other, 1);
        roster.started(standby, 2);
        roster.warm(standby, 2);
        roster.serving(standby, 2); // it says it serves, but nobody told it: the roster does not believe it
        assertThat(roster.role(standby)).isEqualTo(Roster.Role.STANDBY);
    }
}

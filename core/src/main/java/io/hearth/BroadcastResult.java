package io.hearth;

import java.util.List;

/**
 * What became of a broadcast: which of the processes that were live when it was sent
 * acknowledged it (their handlers for the topic returned), and which did not before the wait ended.
 * A process that died meanwhile is in neither list.
 *
 * @param topic    the topic
 * @param sequence the message's sequence number
 * @param acked    pids that acknowledged, the sender included
 * @param missing  pids still live that had not acknowledged when the wait ended
 */
public record BroadcastResult(String topic, long sequence, List<Long> acked, List<Long> missing) {
    public BroadcastResult {
        acked = List.copyOf(acked);
        missing = List.copyOf(missing);
    }

    /** True when every live process acknowledged. */
    public boolean complete() {
        return missing.isEmpty();
    }
}

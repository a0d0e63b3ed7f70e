package io.hearth;

import java.time.Instant;

/**
 * A message delivered to a subscriber.
 *
 * @param topic     the topic it was sent to
 * @param payload   what the sender sent
 * @param sequence  its position among all broadcasts on the store, starting at 1
 * @param senderPid the process that sent it
 * @param sentAt    when it was sent
 */
public record BroadcastMessage(String topic, String payload, long sequence, long senderPid, Instant sentAt) {
}

package io.hearth.file;

/**
 * What one step of the expiry sweep saw.
 *
 * @param examined entries (or counter slots) looked at
 * @param removed  of them, expired and removed
 */
record SweepStep(int examined, int removed) {
}

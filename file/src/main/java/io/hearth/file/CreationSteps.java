package io.hearth.file;

/**
 * The steps of creating a new store, and those of a split, a sweep and a tier bulk allocation
 * (holding Chronicle's tier allocation lock), named so that a crash
 * test can stop a process at each: with system property {@value #PAUSE_AT} set to a step's name, the process prints
 * {@code PAUSED <step>} on stdout when it gets there and waits to be killed, or, with
 * {@value #PAUSE_MILLIS} set too, waits that many milliseconds and goes on. Unset (always, outside
 * those tests), each step costs one comparison.
 */
final class CreationSteps {
    static final String PAUSE_AT = "hearth.test.pauseCreationAt";
    static final String PAUSE_MILLIS = "hearth.test.pauseMillis";
    private static final String PAUSE = System.getProperty(PAUSE_AT);
    private static final long PAUSE_FOR_MILLIS = Long.getLong(PAUSE_MILLIS, Long.MAX_VALUE);

    private CreationSteps() {
    }

    static void reached(String step) {
        if (step.equals(PAUSE)) {
            System.out.println("PAUSED " + step);
            System.out.flush();
            try {
                Thread.sleep(PAUSE_FOR_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

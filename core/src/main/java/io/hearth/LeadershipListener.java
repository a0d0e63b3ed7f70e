package io.hearth;

/**
 * Hears when this process gains and loses the leadership of a name ({@link SharedStore#leadership}).
 * Both run on the leadership's own thread, one at a time and in turn; an exception from either is
 * logged and does not change who leads.
 */
public interface LeadershipListener {
    /** This process leads now: start the job that must run in one process only. */
    void gained();

    /** This process no longer leads (it resigned, its store is closing, or its claim was taken): stop the job. */
    default void lost() {
    }
}

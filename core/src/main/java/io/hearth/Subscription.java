package io.hearth;

import java.util.concurrent.atomic.AtomicBoolean;

/** A handler registered with {@link SharedStore#subscribe}; closing it stops deliveries to it. Safe to close twice. */
public final class Subscription implements AutoCloseable {
    private final Runnable unsubscribe;
    private final AtomicBoolean closed = new AtomicBoolean();

    Subscription(Runnable unsubscribe) {
        this.unsubscribe = unsubscribe;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            unsubscribe.run();
        }
    }
}

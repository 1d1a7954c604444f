package dev.loop.internal.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import dev.loop.TimerHandle;

/**
 * A timer in the {@link TimerQueue}. Cancellation is lazy, as in asyncio: a cancelled entry stays in
 * the heap and is counted until it reaches the head or the queue is purged. The state moves by CAS so
 * that {@link #cancel()} from any thread and removal on the loop thread agree on who counts it.
 */
public final class TimerEntry extends CallbackHandle implements TimerHandle {

    static final int IN_QUEUE = 1;
    static final int CANCELLED_IN_QUEUE = 2;
    static final int OUT = 3;

    private static final VarHandle STATE = VarHandles.field(MethodHandles.lookup(),
            TimerEntry.class, "state", int.class);

    final long when;
    final long seq;
    private final Throwable scheduledAt;
    private final TimerQueue queue;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state = OUT;

    TimerEntry(TimerQueue queue, long when, long seq, Runnable callback, Throwable scheduledAt) {
        super(callback);
        this.scheduledAt = scheduledAt;
        this.queue = queue;
        this.when = when;
        this.seq = seq;
    }

    @Override
    public long when() {
        return when;
    }

    @Override
    public Throwable scheduledAt() {
        return scheduledAt;
    }

    @Override
    public void cancel() {
        super.cancel();
        if (STATE.compareAndSet(this, IN_QUEUE, CANCELLED_IN_QUEUE)) {
            queue.cancelledInQueue.incrementAndGet();
        }
    }

    void enqueued() {
        STATE.setRelease(this, IN_QUEUE);
    }

    /** Takes the entry out of the queue; returns whether it was live (not cancelled). */
    boolean dequeue() {
        if (STATE.compareAndSet(this, IN_QUEUE, OUT)) {
            return true;
        }
        if (STATE.compareAndSet(this, CANCELLED_IN_QUEUE, OUT)) {
            queue.cancelledInQueue.decrementAndGet();
        }
        return false;
    }

    @Override
    public String toString() {
        Runnable cb = callback();
        return "TimerHandle[when=" + when + ", " + (cb == null ? "cancelled" : cb) + "]";
    }
}

package dev.loop.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;

/**
 * Callbacks posted from other threads: an intrusive multi-producer single-consumer queue (Dmitry
 * Vyukov's). The handle is its own node, so a post is one atomic swap and no allocation beyond the
 * handle. Producers: {@link #offer}; the loop thread: {@link #drainTo} and {@link #isEmpty}.
 *
 * <p>A producer that has swapped the tail but not yet linked its node leaves a gap that
 * {@link #drainTo} stops at; {@link #isEmpty} still reports the queue non-empty (it compares with the
 * tail), so the loop does not park on it and picks the node up in its next step.
 */
final class Inbox extends InboxTail {

    private static final VarHandle TAIL;
    private static final VarHandle NEXT;

    static {
        try {
            TAIL = MethodHandles.lookup().findVarHandle(InboxTail.class, "tail", PostedHandle.class);
            NEXT = MethodHandles.lookup().findVarHandle(PostedHandle.class, "next", PostedHandle.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    Inbox() {
        PostedHandle stub = new PostedHandle(null, null);
        head = stub;
        TAIL.setRelease(this, stub);
    }

    void offer(PostedHandle h) {
        PostedHandle prev = (PostedHandle) TAIL.getAndSet(this, h);
        NEXT.setRelease(prev, h);
    }

    boolean isEmpty() {
        return (PostedHandle) TAIL.getVolatile(this) == head;
    }

    /** Moves every linked node to {@code out}, in posting order; returns how many. */
    int drainTo(ArrayDeque<CallbackHandle> out) {
        PostedHandle h = head;
        int n = 0;
        PostedHandle next;
        while ((next = (PostedHandle) NEXT.getAcquire(h)) != null) {
            NEXT.set(h, null); // let the taken node go; only its successor's link is needed
            out.addLast(next);
            h = next;
            n++;
        }
        head = h;
        return n;
    }

    /** Drops everything (the loop is closing, no producer may post any more). */
    void clear() {
        drainTo(new ArrayDeque<CallbackHandle>());
    }
}

/** Padding so that the consumer's head and the producers' tail sit on different cache lines. */
abstract class InboxPad0 {
    long p00, p01, p02, p03, p04, p05, p06, p07;
}

/** Consumer side: the last node taken (or the initial stub); its successor is the next to take. */
abstract class InboxHead extends InboxPad0 {
    PostedHandle head;
}

abstract class InboxPad1 extends InboxHead {
    long p10, p11, p12, p13, p14, p15, p16, p17;
}

/** Producer side: the last node posted. */
abstract class InboxTail extends InboxPad1 {
    volatile PostedHandle tail;
    long p20, p21, p22, p23, p24, p25, p26, p27;
}

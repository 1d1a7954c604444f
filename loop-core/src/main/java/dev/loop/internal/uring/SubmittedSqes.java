package dev.loop.internal.uring;

import java.util.Arrays;

/**
 * What each operation in flight was submitted with, by slot, so that it can be submitted again when the kernel
 * cancels it without being asked. io_uring runs an operation's completion work in the thread that submitted it;
 * once that thread has exited (a loop thread that ended with a pause, a thread that used a loop nobody ran), the
 * kernel completes the operation with {@code -ECANCELED} when it fires, having done nothing (Linux 6.x:
 * {@code io_should_terminate_tw}). The loop submits it again from its running thread, which owns it from then
 * on. Cancels the loop asked for are marked, and end the operation as before. Loop thread (or the closing thread).
 */
final class SubmittedSqes {

    private static final int STRIDE = 5;
    private static final long CANCEL_REQUESTED = 1L << 32;
    private static final long RESUBMITTED = 1L << 33;

    /** Per slot: addr, offset, fd|len, opFlags|ioprio|opcode|sqeFlags, bufGroup|marks. */
    private long[] sqes;

    SubmittedSqes(int slots) {
        sqes = new long[slots * STRIDE];
    }

    void record(int slot, int opcode, int fd, long addr, int len, long offset, int opFlags, int ioprio, int sqeFlags,
            int bufGroup) {
        int i = slot * STRIDE;
        if (i + STRIDE > sqes.length) {
            sqes = Arrays.copyOf(sqes, Math.max(sqes.length * 2, i + STRIDE));
        }
        sqes[i] = addr;
        sqes[i + 1] = offset;
        sqes[i + 2] = (fd & 0xFFFF_FFFFL) | ((long) len << 32);
        sqes[i + 3] = (opFlags & 0xFFFF_FFFFL) | ((ioprio & 0xFFFFL) << 32) | ((opcode & 0xFFL) << 48)
                | ((sqeFlags & 0xFFL) << 56);
        sqes[i + 4] = bufGroup & 0xFFFFL;
    }

    /** The loop asked the kernel to cancel it: an {@code -ECANCELED} then ends it. */
    void cancelRequested(int slot) {
        sqes[slot * STRIDE + 4] |= CANCEL_REQUESTED;
    }

    boolean isCancelRequested(int slot) {
        return (sqes[slot * STRIDE + 4] & CANCEL_REQUESTED) != 0;
    }

    /** Whether it was submitted again after a cancel nobody asked for. */
    boolean wasResubmitted(int slot) {
        return (sqes[slot * STRIDE + 4] & RESUBMITTED) != 0;
    }

    int opcode(int slot) {
        return (int) (sqes[slot * STRIDE + 3] >>> 48) & 0xFF;
    }

    /** Prepares it again in {@code ring}, as first submitted, with {@code userData}. */
    void resubmit(int slot, IoUring ring, long userData) {
        int i = slot * STRIDE;
        sqes[i + 4] |= RESUBMITTED;
        long fdLen = sqes[i + 2];
        long flags = sqes[i + 3];
        ring.prepare((int) (flags >>> 48) & 0xFF, (int) fdLen, sqes[i], (int) (fdLen >>> 32), sqes[i + 1], (int) flags,
                (int) (flags >>> 32) & 0xFFFF, (int) (flags >>> 56) & 0xFF, (int) sqes[i + 4] & 0xFFFF, userData);
    }
}

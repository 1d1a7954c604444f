package dev.loop.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A count one thread increments and another reads, with a cache line of padding on each side: a plain
 * {@code AtomicLong} lands wherever the allocator puts it, and when that is next to what the reading
 * thread uses (the benchmark's own state), false sharing slows whichever executor is measured, by up
 * to half, depending only on the fork's heap layout.
 */
final class PaddedCounter extends PaddedCounterValue {
    long q0, q1, q2, q3, q4, q5, q6, q7;

    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(PaddedCounterValue.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Single writer: a release store, no atomic read-modify-write. */
    void increment() {
        VALUE.setRelease(this, value + 1);
    }

    long get() {
        return (long) VALUE.getAcquire(this);
    }
}

/** Padding before the value (fields of a superclass are laid out first). */
abstract class PaddedCounterPad {
    long p0, p1, p2, p3, p4, p5, p6, p7;
}

abstract class PaddedCounterValue extends PaddedCounterPad {
    long value;
}

package dev.loop.internal.uring;

import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

import dev.loop.internal.engine.Loop;

/**
 * The result of a read that completed while the protocol had paused reading (asyncio's proactor does the same:
 * the read stays in flight across a pause, and what it brings waits here), delivered on resume in a callback of
 * its own. Shared by the stream and datagram I/O of the proactor. Loop thread.
 */
final class ParkedResult {

    private static final int NONE = Integer.MIN_VALUE;

    private final Loop loop;
    private int result = NONE;
    private boolean deliveryScheduled;

    ParkedResult(Loop loop) {
        this.loop = loop;
    }

    void park(int res) {
        result = res;
    }

    /** Whether a result waits, or is about to be delivered: no new read is to be submitted meanwhile. */
    boolean pending() {
        return result != NONE || deliveryScheduled;
    }

    void clear() {
        result = NONE;
    }

    /**
     * On resume: the parked result goes to {@code handle} in its own callback, unless the transport is closing by
     * then ({@code closing}: dropped) or paused again ({@code paused}: kept for the next resume).
     */
    void deliverSoon(BooleanSupplier closing, BooleanSupplier paused, IntConsumer handle) {
        if (deliveryScheduled || result == NONE) {
            return;
        }
        deliveryScheduled = true;
        loop.callSoon(() -> {
            deliveryScheduled = false;
            if (closing.getAsBoolean()) {
                result = NONE;
            } else if (!paused.getAsBoolean()) {
                int res = result;
                result = NONE;
                handle.accept(res);
            }
        });
    }
}

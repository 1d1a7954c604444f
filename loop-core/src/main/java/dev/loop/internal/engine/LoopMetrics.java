package dev.loop.internal.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;

import dev.loop.LoopMetricsListener;
import dev.loop.capability.Capability;
import dev.loop.capability.CapabilityUsage;

/**
 * What the loop measures beyond its counters ({@link LoopStats}): the loop delay (how long a post waits for
 * the loop thread, sampled on request of the monitor), timer lateness for a {@link LoopMetricsListener}, and
 * which capabilities the application used.
 */
final class LoopMetrics {

    private static final VarHandle DELAY_REQUEST = VarHandles.field(MethodHandles.lookup(),
            LoopMetrics.class, "delayRequestedAt", long.class);

    final LoopStats stats = new LoopStats();
    private final CapabilityUsage usage = new CapabilityUsage();
    /** Timers asked for with a delay under a millisecond (a plain counter: callLater is a hot path). */
    private long subMillisecondTimers;
    @SuppressWarnings("unused") // through DELAY_REQUEST
    private volatile long delayRequestedAt;
    private volatile long lastDelay;
    private volatile LoopMetricsListener listener;

    /** Any thread: asks for a delay sample from {@code now}; true when this request is the pending one. */
    boolean requestDelaySample(long now) {
        return DELAY_REQUEST.compareAndSet(this, 0L, now);
    }

    /** Whether a delay sample waits to be answered (a request made while the loop thread was not parked). */
    boolean delaySampleRequested() {
        return (long) DELAY_REQUEST.getVolatile(this) != 0;
    }

    /** Loop thread, after each wait: a pending delay request is answered at {@code now}. */
    void afterPoll(long now) {
        long requested = (long) DELAY_REQUEST.getAcquire(this);
        if (requested != 0) {
            DELAY_REQUEST.setVolatile(this, 0L);
            long delay = now - requested;
            stats.delay.record(delay);
            lastDelay = delay;
            LoopMetricsListener l = listener;
            if (l != null) {
                l.delay(delay);
            }
        }
    }

    /** A timer ran {@code lateNanos} after its due time, at {@code now}. */
    void timerLateness(long lateNanos, long now) {
        stats.timerLateness.record(lateNanos);
        stats.recentTimerLateness.record(lateNanos, now);
        LoopMetricsListener l = listener;
        if (l != null) {
            l.timerLateness(lateNanos);
        }
    }

    /** A timer was asked for with a delay of {@code nanos}. */
    void timerDelay(long nanos) {
        if (nanos > 0 && nanos < 1_000_000) {
            subMillisecondTimers++;
        }
    }

    long recentDelayNanos() {
        long requested = delayRequestedAt;
        long pending = requested == 0 ? 0 : System.nanoTime() - requested;
        return Math.max(lastDelay, pending);
    }

    long subMillisecondTimers() {
        return subMillisecondTimers;
    }

    void setListener(LoopMetricsListener listener) {
        this.listener = listener;
    }

    void recordUse(Capability capability, String what) {
        usage.record(capability, what);
    }

    Map<Capability, Map<String, Long>> capabilityUsage() {
        Map<Capability, Map<String, Long>> m = usage.snapshot();
        long subMs = subMillisecondTimers;
        if (subMs > 0) {
            m.put(Capability.SUB_MILLISECOND_TIMERS, Map.of("timer", subMs));
        }
        return m;
    }
}

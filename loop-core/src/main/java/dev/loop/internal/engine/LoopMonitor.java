package dev.loop.internal.engine;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * One daemon thread per loop, for the two things the loop cannot do for itself:
 * <ul>
 * <li>the watchdog: a callback that has run longer than the blocked threshold is reported once, with
 * the loop thread's stack (Vert.x's blocked-thread checker);</li>
 * <li>loop-delay sampling: it asks for a sample and wakes the loop; the loop records how long it took
 * to get to its next step.</li>
 * </ul>
 */
final class LoopMonitor implements Runnable {

    private static final System.Logger LOG = dev.loop.LoopLogging.getLogger("dev.loop.watchdog");

    private final Loop loop;
    private final long blockedNanos;
    private final long samplingNanos;
    private final Thread thread;
    private volatile boolean stopped;

    LoopMonitor(Loop loop, Duration blocked, Duration sampling) {
        this.loop = loop;
        this.blockedNanos = blocked.toNanos();
        this.samplingNanos = sampling.toNanos();
        this.thread = new Thread(this, loop.name() + "-monitor");
        this.thread.setDaemon(true);
    }

    static boolean needed(Duration blocked, Duration sampling) {
        return !blocked.isZero() || !sampling.isZero();
    }

    void start() {
        thread.start();
    }

    void stop() {
        stopped = true;
        LockSupport.unpark(thread);
        LoopLifecycle.joinUninterruptibly(thread);
    }

    @Override
    public void run() {
        long checkEvery = blockedNanos == 0 ? Long.MAX_VALUE : Math.max(1_000_000, Math.min(blockedNanos / 4, 250_000_000));
        long period = Math.min(checkEvery, samplingNanos == 0 ? Long.MAX_VALUE : samplingNanos);
        long reportedStart = 0;
        long nextSample = System.nanoTime();
        while (!stopped) {
            LockSupport.parkNanos(this, period);
            if (stopped) {
                return;
            }
            long now = System.nanoTime();
            if (blockedNanos > 0) {
                long started = loop.currentCallbackStart();
                if (started != 0 && started != reportedStart && now - started >= blockedNanos) {
                    reportedStart = started;
                    reportBlocked(now - started);
                }
            }
            if (samplingNanos > 0 && now - nextSample >= 0) {
                nextSample = now + samplingNanos;
                loop.requestDelaySample(now);
            }
        }
    }

    private void reportBlocked(long runningNanos) {
        loop.metrics.stats.blockedCallback();
        Thread t = loop.thread();
        StringBuilder sb = new StringBuilder();
        sb.append("Event loop '").append(loop.name()).append("' is blocked: a callback has been running for ")
                .append(runningNanos / 1_000_000).append(" ms (blocked threshold ").append(blockedNanos / 1_000_000)
                .append(" ms). Loop thread '").append(t == null ? "?" : t.getName()).append("' is at:");
        if (t != null) {
            for (StackTraceElement e : t.getStackTrace()) {
                sb.append("\n\tat ").append(e);
            }
        }
        LOG.log(Level.WARNING, sb.toString());
    }
}

package dev.loop.internal.engine;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import dev.loop.LoopClosedException;
import dev.loop.LoopOptions;
import dev.loop.NotInLoopThreadException;
import dev.loop.capability.Capability;
import dev.loop.internal.nativeio.TimerSlack;

/**
 * A loop's life: which thread runs it, starting (on its own thread or the caller's), stopping after the
 * current step, closing (waiting for the loop thread, then releasing everything the loop owns), and failing:
 * a loop thread that ends on an exception records the cause, closes the loop and releases what it owned.
 */
final class LoopLifecycle extends LoopLifecyclePad1 {

    private final Loop loop;
    private final LoopOptions options;
    private final Object lock = new Object();
    private Thread ownThread;
    /** Guarded by lock: the thread {@link #start} made has finished running steps (it may not have ended yet). */
    private boolean ownThreadDone;
    private LoopMonitor monitor;
    /** Guarded by lock: completed when the running loop stops. */
    private final java.util.List<CompletableFuture<Void>> stopWaiters = new java.util.ArrayList<>();
    /**
     * Held by a thread acting as the loop's thread while no thread runs the loop (not started yet, paused,
     * stopped): work handed over from other threads then runs at once on its caller's thread, one caller at a
     * time, and a run cannot begin, nor a close release the loop, under such work. Never held while a thread runs
     * the loop, so posts never meet it.
     */
    private final ReentrantLock idle = new ReentrantLock();

    LoopLifecycle(Loop loop, LoopOptions options) {
        this.loop = loop;
        this.options = options;
    }

    Thread thread() {
        return thread;
    }

    boolean stopping() {
        return stopping;
    }

    boolean closed() {
        return closed;
    }

    Throwable failure() {
        return failure;
    }

    void checkOpen() {
        if (closed) {
            throw new LoopClosedException(loop.name());
        }
    }

    /**
     * Runs {@code action} now on the calling thread, acting as the loop's thread, if no thread runs the loop (one
     * such caller at a time: several threads using a paused loop must not touch its tables at once); false when
     * a thread runs it, and the action must be handed over. A closed loop: {@link LoopClosedException}.
     */
    boolean runIfIdle(Runnable action) {
        idle.lock();
        try {
            if (thread != null) {
                return false;
            }
            checkOpen();
            action.run();
            return true;
        } finally {
            idle.unlock();
        }
    }

    /** Loop-thread-only methods: allowed from any thread while the loop is not running. */
    void checkThread(String method) {
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            throw new NotInLoopThreadException(loop.name(), method, t);
        }
    }

    void start() {
        if (idle.isHeldByCurrentThread()) { // the new thread could not begin its run until this work ended
            throw new IllegalStateException("Event loop '" + loop.name() + "' cannot be started from work it runs "
                    + "on the caller's thread while no thread runs it; start it afterwards, or run it here with runForever");
        }
        CountDownLatch running = new CountDownLatch(1);
        AtomicBoolean failed = new AtomicBoolean();
        Thread ending;
        synchronized (lock) {
            ending = thread == null && ownThreadDone ? ownThread : null;
        }
        if (ending != null && ending != Thread.currentThread()) {
            // The last run's thread has stopped running steps and is on its way out (a pause's future completes
            // there): a start right after a pause waits for it rather than calling the loop still running.
            joinUninterruptibly(ending);
        }
        synchronized (lock) {
            checkOpen();
            if (thread != null || (ownThread != null && ownThread.isAlive())) {
                throw new IllegalStateException("Event loop '" + loop.name() + "' is already running");
            }
            Thread t = new Thread(() -> {
                try {
                    runForever(running::countDown);
                } catch (RuntimeException | Error e) {
                    failed.set(true);
                    running.countDown(); // a failure after the start was recorded, logged and closed the loop
                }
            }, options.threadName());
            t.setDaemon(options.daemon());
            ownThread = t;
            ownThreadDone = false;
            t.start();
        }
        awaitUninterruptibly(running);
        if (failed.get()) {
            throw new IllegalStateException("Event loop '" + loop.name() + "' failed to start");
        }
    }

    /** Runs steps on the calling thread until stopped; {@code onRunning} once the loop counts as running. */
    void runForever(Runnable onRunning) {
        idle.lock(); // work another thread runs as the loop's thread ends first
        try {
            synchronized (lock) {
                checkOpen();
                if (thread != null) {
                    throw new IllegalStateException("Event loop '" + loop.name() + "' is already running");
                }
                thread = Thread.currentThread();
                if (monitor == null && LoopMonitor.needed(options.blockedThreshold(), options.delaySamplingInterval())) {
                    monitor = new LoopMonitor(loop, options.blockedThreshold(), options.delaySamplingInterval());
                    monitor.start();
                }
            }
        } finally {
            idle.unlock();
        }
        long ownSlack;
        try {
            ownSlack = applyTimerSlack();
        } catch (RuntimeException | Error e) {
            synchronized (lock) {
                thread = null;
            }
            throw e;
        }
        if (onRunning != null) {
            onRunning.run();
        }
        Throwable failed = null;
        try {
            loop.runSteps();
        } catch (Throwable e) {
            failed = e;
            throw e;
        } finally {
            restoreTimerSlack(ownSlack);
            stopping = false;
            if (failed != null) {
                closeAfterFailure(failed);
            }
            java.util.List<CompletableFuture<Void>> waiters;
            synchronized (lock) {
                thread = null;
                ownThreadDone = Thread.currentThread() == ownThread;
                lock.notifyAll();
                waiters = java.util.List.copyOf(stopWaiters);
                stopWaiters.clear();
            }
            waiters.forEach(w -> w.complete(null));
        }
    }

    /**
     * Sets the running thread's timer slack as the options ask (the loop's default when unset, none for 0) and
     * records the slack read back from the thread; returns the thread's own slack, to give back when the run
     * ends, or -1 when nothing was set. Where the platform has no such control there is nothing to set or read
     * (an explicit value was refused when the loop was made).
     */
    private long applyTimerSlack() {
        if (!loop.capabilities().supports(Capability.TIMER_SLACK)) {
            return -1;
        }
        Duration asked = options.timerSlack() != null ? options.timerSlack() : LoopOptions.DEFAULT_TIMER_SLACK;
        long own = TimerSlack.get();
        if (asked.isZero()) {
            loop.timerSlackInForce(own);
            return -1;
        }
        loop.timerSlackInForce(TimerSlack.set(asked.toNanos()));
        return own;
    }

    /** Gives the thread its own slack back: a thread {@code runForever} borrowed keeps no trace of the loop. */
    private static void restoreTimerSlack(long own) {
        if (own > 0) {
            TimerSlack.set(own);
        }
    }

    /** Completes {@code stopped} once the loop is not running (at once when it is not running now). */
    void completeWhenStopped(CompletableFuture<Void> stopped) {
        synchronized (lock) {
            if (thread != null) {
                stopWaiters.add(stopped);
                return;
            }
        }
        stopped.complete(null);
    }

    /**
     * The loop thread is ending on {@code cause}, a failure of the loop itself: it says so, records the
     * cause, and closes the loop, so that nothing it owned stays open and nothing posted to it is accepted
     * and never run.
     */
    private void closeAfterFailure(Throwable cause) {
        failure = cause;
        loop.reporter().loopFailed(cause);
        LoopMonitor mon;
        synchronized (lock) {
            closed = true;
            mon = monitor;
        }
        release(mon);
    }

    <T> T runUntilComplete(CompletableFuture<T> future) {
        Objects.requireNonNull(future, "future");
        AtomicBoolean waiting = new AtomicBoolean(true);
        future.whenComplete((r, e) -> {
            if (waiting.compareAndSet(true, false)) {
                stop();
            }
        });
        try {
            runForever(null);
        } finally {
            waiting.set(false);
        }
        if (!future.isDone()) {
            throw new IllegalStateException("Event loop stopped before Future completed.");
        }
        return future.join();
    }

    void stop() {
        stopping = true;
        if (!closed) {
            loop.wakeupIfParked();
        }
    }

    void close() {
        Thread t = thread;
        if (t != null && t == Thread.currentThread()) {
            throw new IllegalStateException("Cannot close a running event loop from its own thread");
        }
        Thread own;
        LoopMonitor mon;
        synchronized (lock) {
            if (closed) {
                return;
            }
            boolean interrupted = false;
            while (thread != null) {
                stop();
                try {
                    lock.wait(100);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            closed = true;
            own = ownThread;
            mon = monitor;
        }
        if (own != null && own != Thread.currentThread()) {
            joinUninterruptibly(own);
        }
        if (failure == null) { // else released by the failing loop thread
            idle.lock(); // after work another thread was running as the loop's thread (new work sees the close)
            try {
                release(mon);
            } finally {
                idle.unlock();
            }
        }
    }

    private void release(LoopMonitor mon) {
        if (mon != null) {
            try {
                mon.stop();
            } catch (RuntimeException | Error e) {
                loop.reportError("Stopping the loop's monitor failed", e, null, -1, null);
            }
        }
        loop.releaseOwned();
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}

/**
 * Padding: every post from another thread reads the loop's thread and closed flag, so they sit on cache lines
 * of their own, not beside state the loop thread writes per callback (a shared line cost a tenth of the
 * cross-thread post rate).
 */
abstract class LoopLifecyclePad0 {
    long p00, p01, p02, p03, p04, p05, p06, p07;
}

/** The state other threads read: which thread runs the loop, and whether it is stopping, closed or failed. */
abstract class LoopLifecycleState extends LoopLifecyclePad0 {
    volatile Thread thread;
    volatile boolean stopping;
    volatile boolean closed;
    volatile Throwable failure;
}

abstract class LoopLifecyclePad1 extends LoopLifecycleState {
    long p10, p11, p12, p13, p14, p15, p16, p17;
}

package dev.loop.internal.engine;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.loop.EventLoop;
import dev.loop.ExceptionContext;
import dev.loop.ExceptionHandler;
import dev.loop.Handle;
import dev.loop.LoopClosedException;
import dev.loop.LoopOptions;
import dev.loop.LoopStatsSnapshot;
import dev.loop.LoopStatsSnapshot.HandleCounts;
import dev.loop.NotInLoopThreadException;
import dev.loop.TimerHandle;
import dev.loop.capability.Capability;
import dev.loop.internal.nativeio.Descriptors;
import dev.loop.internal.nativeio.Descriptors.FileType;

/**
 * The backend-independent loop: ready queue, timer queue, the run-once step, lifecycle, errors and
 * statistics. A backend supplies {@link #pollBackend(long, long)} (wait, then queue the callbacks of ready
 * descriptors through {@link #enqueueReady(CallbackHandle)}), {@link #wakeup()} and
 * {@link #closeBackend()}.
 */
public abstract class BaseEventLoop implements EventLoop {

    private static final System.Logger LOG = System.getLogger("dev.loop.EventLoop");

    /** The longest single wait, as asyncio: OS calls overflow on huge timeouts. */
    static final long MAX_POLL_NANOS = Duration.ofHours(24).toNanos();
    /** Delays are clamped to about 146 years so that due times never overflow. */
    static final long MAX_DELAY_NANOS = 1L << 62;
    /**
     * Due times further in the past are clamped to this far back (about 73 years): the timer heap compares
     * due times by their differences (so the clock may wrap), which holds while they span less than 2^63.
     */
    static final long MAX_PAST_NANOS = 1L << 61;
    /** Outside debug mode, the clock is read once per this many callbacks. */
    static final int CLOCK_EVERY = 16;

    private static final VarHandle PARKED;
    private static final VarHandle CALLBACK_START;
    private static final VarHandle DELAY_REQUEST;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PARKED = l.findVarHandle(BaseEventLoop.class, "parked", boolean.class);
            CALLBACK_START = l.findVarHandle(LoopThreadState.class, "callbackStart", long.class);
            DELAY_REQUEST = l.findVarHandle(BaseEventLoop.class, "delayRequestedAt", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static {
        // Loaded now, not at the first error: under EMFILE a class still to be loaded from a jar or a
        // directory of classes fails to load, and the error could not even be reported.
        preload(ExceptionContext.class, dev.loop.NativeException.class, dev.loop.NativeIOException.class,
                dev.loop.internal.nativeio.Errno.class);
    }

    private static void preload(Class<?>... classes) {
        // the class literals load them
    }

    protected final LoopOptions options;
    final LoopStats stats = new LoopStats();
    /** Callbacks of the loop thread (callSoon) and of ready descriptors. */
    private final ArrayDeque<CallbackHandle> ready = new ArrayDeque<>(256);
    /** Callbacks from other threads: lock-free, run by the loop thread straight from its slots. */
    private final Inbox inbox = new Inbox();
    private final LoopResources resources = new LoopResources();
    private final dev.loop.capability.CapabilityUsage usage = new dev.loop.capability.CapabilityUsage();
    /** Timers asked for with a delay under a millisecond (a plain counter: callLater is a hot path). */
    private long subMillisecondTimers;
    private java.util.concurrent.ExecutorService defaultExecutor;
    private final TimerQueue timers = new TimerQueue();
    /** {@link TimerQueue#scheduledCount()} when the step's wait began. */
    private long timersBeforePoll;
    private final Object lifecycle = new Object();
    private final long slowNanos;

    private volatile Thread thread;
    private volatile boolean stopping;
    private volatile boolean closed;
    private volatile Throwable failure;
    private volatile boolean debug;
    @SuppressWarnings("unused") // through PARKED
    private volatile boolean parked;
    @SuppressWarnings("unused") // through DELAY_REQUEST
    private volatile long delayRequestedAt;
    private volatile long lastDelay;
    private volatile dev.loop.LoopMetricsListener metricsListener;
    private volatile ExceptionHandler exceptionHandler;
    private Thread ownThread;
    private LoopMonitor monitor;
    /** Fields the loop thread writes all the time, away from those posting threads read. */
    private final LoopThreadState own = new LoopThreadState();

    protected BaseEventLoop(LoopOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        this.debug = options.debug();
        this.slowNanos = options.slowCallbackThreshold().toNanos();
    }

    // ------------------------------------------------------------------ backend hooks

    /**
     * Waits for I/O no longer than {@code timeoutNanos} (0: do not block; negative: no limit), and
     * queues the callbacks of ready descriptors with {@link #enqueueReady(CallbackHandle)}.
     * {@code nowNanos} is the clock reading the timeout was computed from.
     */
    protected abstract void pollBackend(long timeoutNanos, long nowNanos);

    /** Interrupts a {@link #pollBackend(long, long)} in progress. Thread-safe; never called after {@link #closeBackend()}. */
    protected abstract void wakeup();

    /** Releases the backend's descriptors and registrations. Called once, on close, with the loop stopped. */
    protected abstract void closeBackend();

    protected abstract int readerCount();

    protected abstract int writerCount();

    protected final void enqueueReady(CallbackHandle handle) {
        ready.addLast(handle);
    }

    /**
     * Whether the step has something to run (ready callbacks, posts), the loop is stopping, or a timer was
     * scheduled since the wait began: a backend that runs callbacks inside its wait must not wait on past a
     * timer they scheduled, which the wait's timeout does not know.
     */
    protected final boolean hasWorkForStep() {
        return !ready.isEmpty() || stopping || !inbox.isEmpty() || timers.scheduledCount() != timersBeforePoll;
    }

    // ------------------------------------------------------------------ the step

    /**
     * One step, as asyncio's {@code _run_once}: clean up cancelled timers, compute the timeout (0 when
     * callbacks are ready, and once more right after a step that ran callbacks), poll, then run exactly
     * the callbacks that are ready now followed by the timers due now.
     */
    protected final void runOnce() {
        TimerEntry head = timers.purgeAndPeek();
        long start = System.nanoTime();
        checkLastGroup(start);
        long timeout;
        if (!ready.isEmpty() || stopping || !inbox.isEmpty()) {
            timeout = 0;
        } else if (head == null) {
            timeout = -1;
        } else {
            timeout = Math.min(Math.max(0, head.when - start), MAX_POLL_NANOS);
        }
        if (timeout != 0 && own.ranLastStep) {
            timeout = 0; // one non-blocking lap before parking: a burst of posts then costs no wake-up
        }
        if (timeout != 0) {
            PARKED.setVolatile(this, true);
            if (!inbox.isEmpty() || stopping) {
                timeout = 0;
            }
        }
        timersBeforePoll = timers.scheduledCount();
        pollBackend(timeout, start);
        PARKED.setOpaque(this, false);
        long now = System.nanoTime();
        long busy = own.lastPollEnd == 0 ? 0 : start - own.lastPollEnd;
        long pollTime = now - start;
        own.lastPollEnd = now;

        long requested = (long) DELAY_REQUEST.getAcquire(this);
        if (requested != 0) {
            DELAY_REQUEST.setVolatile(this, 0L);
            long delay = now - requested;
            stats.delay.record(delay);
            lastDelay = delay;
            dev.loop.LoopMetricsListener l = metricsListener;
            if (l != null) {
                l.delay(delay);
            }
        }
        long ran = runStep(ready.size(), inbox.limit(), now);
        own.ranLastStep = ran > 0;
        stats.endStep(ran, pollTime, busy);
    }

    /**
     * Runs the step's callbacks: the {@code ntodo} queued ones (earlier callbacks, then I/O), then those
     * posted from other threads before {@code postLimit} (taken straight from the inbox), then the
     * timers due at {@code now}, popped and run one by one (asyncio queues them behind the others; the
     * order is the same, and a popped timer is still in cache when it runs). Timers scheduled meanwhile
     * wait beside the heap until the step ends.
     *
     * <p>Reading the clock costs about as much as running a small callback, so outside debug mode it
     * is read once per group of {@value #CLOCK_EVERY} callbacks: a slow callback is then counted once
     * per group (and the watchdog sees the group's start); in debug mode every callback is timed and a
     * slow one is logged with where it was scheduled.
     */
    private long runStep(int ntodo, long postLimit, long now) {
        LoopThreadState st = own;
        st.timeEach = debug;
        st.mark = now;
        st.sinceMark = 0;
        long ran = 0;
        CALLBACK_START.setOpaque(st, now);
        timers.deferNewTimers(true);
        try {
            for (int i = 0; i < ntodo; i++) {
                CallbackHandle h = ready.pollFirst();
                Runnable cb = h.callback();
                if (cb != null) {
                    run(h, cb, st);
                    ran++;
                }
            }
            Object posted;
            while ((posted = inbox.take(postLimit)) != null) {
                if (posted instanceof CallbackHandle h) { // debug mode: a handle that knows where it was posted
                    Runnable cb = h.callback();
                    if (cb != null) {
                        run(h, cb, st);
                        ran++;
                    }
                } else {
                    run(null, (Runnable) posted, st);
                    ran++;
                }
            }
            TimerEntry t;
            while ((t = timers.pollDueOne(now)) != null) {
                Runnable cb = t.callback();
                if (cb != null) {
                    stats.timerLateness.record(st.mark - t.when);
                    dev.loop.LoopMetricsListener l = metricsListener;
                    if (l != null) {
                        l.timerLateness(st.mark - t.when);
                    }
                    run(t, cb, st);
                    ran++;
                }
            }
        } finally {
            timers.deferNewTimers(false);
            // The last group is timed by the next clock read (the next step's start): one read less per step.
            st.openGroupStart = st.sinceMark > 0 ? st.mark : 0;
            CALLBACK_START.setOpaque(st, 0L);
        }
        return ran;
    }

    private void run(CallbackHandle h, Runnable cb, LoopThreadState st) {
        try {
            cb.run();
        } catch (Throwable e) { // Errors too (a StackOverflowError, say): a callback never ends the loop
            stats.error();
            reportError("Exception in callback " + cb, e, h, -1, h == null ? null : h.scheduledAt());
        }
        if (st.timeEach || ++st.sinceMark == CLOCK_EVERY) {
            long end = System.nanoTime();
            if (end - st.mark >= slowNanos) {
                stats.slowCallback();
                if (st.timeEach) {
                    logSlow(h, cb, end - st.mark);
                }
            }
            CALLBACK_START.setOpaque(st, end);
            st.mark = end;
            st.sinceMark = 0;
        }
    }

    private void logSlow(CallbackHandle h, Runnable cb, long nanos) {
        String msg = String.format("Executing %s took %.3f seconds", cb, nanos / 1e9);
        if (h != null && h.scheduledAt() != null) {
            LOG.log(Level.WARNING, msg + "; scheduled at:", h.scheduledAt());
        } else {
            LOG.log(Level.WARNING, msg);
        }
    }

    /** Finishes timing the last group of callbacks of the previous step, at {@code now}. */
    private void checkLastGroup(long now) {
        long groupStart = own.openGroupStart;
        if (groupStart != 0) {
            own.openGroupStart = 0;
            if (now - groupStart >= slowNanos) {
                stats.slowCallback();
            }
        }
    }

    long currentCallbackStart() {
        return (long) CALLBACK_START.getOpaque(own);
    }

    void requestDelaySample(long now) {
        if (thread != null && DELAY_REQUEST.compareAndSet(this, 0L, now)) {
            wakeupIfParked();
        }
    }

    /** Wakes the loop only if it is parked in the poller, and only once per park. */
    protected final void wakeupIfParked() {
        if ((boolean) PARKED.getVolatile(this) && PARKED.compareAndSet(this, true, false)) {
            stats.wakeup();
            wakeup();
        }
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public String name() {
        return options.name();
    }

    @Override
    public void start() {
        CountDownLatch running = new CountDownLatch(1);
        AtomicBoolean failed = new AtomicBoolean();
        synchronized (lifecycle) {
            checkOpen();
            if (thread != null || (ownThread != null && ownThread.isAlive())) {
                throw new IllegalStateException("Event loop '" + name() + "' is already running");
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
            t.start();
        }
        awaitUninterruptibly(running);
        if (failed.get()) {
            throw new IllegalStateException("Event loop '" + name() + "' failed to start");
        }
    }

    @Override
    public void runForever() {
        runForever(null);
    }

    private void runForever(Runnable onRunning) {
        synchronized (lifecycle) {
            checkOpen();
            if (thread != null) {
                throw new IllegalStateException("Event loop '" + name() + "' is already running");
            }
            thread = Thread.currentThread();
            if (monitor == null && LoopMonitor.needed(options.blockedThreshold(), options.delaySamplingInterval())) {
                monitor = new LoopMonitor(this, options.blockedThreshold(), options.delaySamplingInterval());
                monitor.start();
            }
        }
        if (onRunning != null) {
            onRunning.run();
        }
        Throwable failed = null;
        try {
            own.lastPollEnd = 0;
            while (true) {
                runOnce();
                if (stopping) {
                    break;
                }
            }
        } catch (Throwable e) {
            failed = e;
            throw e;
        } finally {
            checkLastGroup(System.nanoTime());
            stopping = false;
            if (failed != null) {
                closeAfterFailure(failed);
            }
            synchronized (lifecycle) {
                thread = null;
                lifecycle.notifyAll();
            }
        }
    }

    /**
     * The loop thread is ending on {@code cause}, a failure of the loop itself: it says so, records the
     * cause ({@link #failure()}), and closes the loop, so that nothing it owned stays open and nothing
     * posted to it is accepted and never run.
     */
    private void closeAfterFailure(Throwable cause) {
        failure = cause;
        try {
            LOG.log(Level.ERROR, "Event loop '" + name() + "' failed and is closed", cause);
        } catch (Throwable e) {
            lastResort("Event loop '" + name() + "' failed and is closed", cause);
        }
        LoopMonitor mon;
        synchronized (lifecycle) {
            closed = true;
            mon = monitor;
        }
        releaseOwned(mon);
    }

    @Override
    public <T> T runUntilComplete(CompletableFuture<T> future) {
        Objects.requireNonNull(future, "future");
        AtomicBoolean waiting = new AtomicBoolean(true);
        future.whenComplete((r, e) -> {
            if (waiting.compareAndSet(true, false)) {
                stop();
            }
        });
        try {
            runForever();
        } finally {
            waiting.set(false);
        }
        if (!future.isDone()) {
            throw new IllegalStateException("Event loop stopped before Future completed.");
        }
        return future.join();
    }

    @Override
    public void stop() {
        stopping = true;
        if (!closed) {
            wakeupIfParked();
        }
    }

    @Override
    public void close() {
        Thread t = thread;
        if (t != null && t == Thread.currentThread()) {
            throw new IllegalStateException("Cannot close a running event loop from its own thread");
        }
        Thread own;
        LoopMonitor mon;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            boolean interrupted = false;
            while (thread != null) {
                stop();
                try {
                    lifecycle.wait(100);
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
            releaseOwned(mon);
        }
    }

    /** Releases everything the loop owns: its monitor, resources, executor, queues and backend. */
    private void releaseOwned(LoopMonitor mon) {
        Runnable[] steps = {
            () -> {
                if (mon != null) {
                    mon.stop();
                }
            },
            resources::releaseAll, this::shutdownDefaultExecutor, ready::clear, inbox::clear, timers::clear,
            this::closeBackend};
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (RuntimeException | Error e) { // one failing part never keeps the others open
                reportError("Releasing a part of the loop failed", e, null, -1, null);
            }
        }
    }

    @Override
    public boolean isRunning() {
        return thread != null;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public Throwable failure() {
        return failure;
    }

    @Override
    public boolean inLoopThread() {
        return thread == Thread.currentThread();
    }

    @Override
    public Thread thread() {
        return thread;
    }

    // ------------------------------------------------------------------ executors

    @Override
    public <T> CompletableFuture<T> runInExecutor(java.util.concurrent.Executor executor,
            java.util.concurrent.Callable<T> task) {
        Objects.requireNonNull(task, "task");
        checkOpen();
        java.util.concurrent.Executor ex = executor != null ? executor : defaultExecutor();
        CompletableFuture<T> result = new CompletableFuture<>();
        ex.execute(() -> {
            if (result.isDone()) {
                return; // cancelled before it started
            }
            T value = null;
            Throwable error = null;
            try {
                value = task.call();
            } catch (Throwable e) {
                error = e;
            }
            T v = value;
            Throwable err = error;
            try {
                callSoonThreadsafe(() -> {
                    if (err != null) {
                        result.completeExceptionally(err);
                    } else {
                        result.complete(v);
                    }
                });
            } catch (LoopClosedException e) {
                // The loop closed meanwhile: nothing may be posted to it (asyncio's test_run_in_executor_cancel).
            }
        });
        return result;
    }

    /**
     * The loop's own executor, created at first use: up to {@code min(32, cores + 4)} daemon threads
     * named after the loop (asyncio's ThreadPoolExecutor default), idle ones ending after 60 s. Shut
     * down by {@link #close()}; tasks still running finish, but post nothing back.
     */
    public final java.util.concurrent.ExecutorService defaultExecutor() {
        synchronized (lifecycle) {
            checkOpen();
            if (defaultExecutor == null) {
                int n = Math.min(32, Runtime.getRuntime().availableProcessors() + 4);
                java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
                java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(n, n, 60,
                        java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                            Thread t = new Thread(r, name() + "-executor-" + count.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
                pool.allowCoreThreadTimeOut(true);
                defaultExecutor = pool;
            }
            return defaultExecutor;
        }
    }

    private void shutdownDefaultExecutor() {
        java.util.concurrent.ExecutorService ex;
        synchronized (lifecycle) {
            ex = defaultExecutor;
            defaultExecutor = null;
        }
        if (ex != null) {
            ex.shutdown();
        }
    }

    /**
     * Runs {@code action} at once when called on the loop thread or while the loop is not running (its
     * exceptions are thrown to the caller); from another thread while the loop runs, hands it to the loop
     * and returns a future that follows the action's.
     */
    public final <T> CompletableFuture<T> onLoop(java.util.function.Supplier<CompletableFuture<T>> action) {
        checkOpen();
        if (inLoopThread() || !isRunning()) {
            return action.get();
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        callSoonThreadsafe(() -> {
            try {
                action.get().whenComplete((v, e) -> {
                    if (e != null) {
                        result.completeExceptionally(e instanceof java.util.concurrent.CompletionException
                                && e.getCause() != null ? e.getCause() : e);
                    } else {
                        result.complete(v);
                    }
                });
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** Runs {@code action} on the loop thread: now when possible, else handed over; dropped once closed. */
    public final void runOnLoop(Runnable action) {
        if (closed) {
            return;
        }
        if (inLoopThread() || !isRunning()) {
            action.run();
        } else {
            try {
                callSoonThreadsafe(action);
            } catch (LoopClosedException e) {
                // closed meanwhile: the loop's close released everything
            }
        }
    }

    /** The servers, transports, subprocesses and signal handlers this loop owns (released by close). */
    public final LoopResources resources() {
        return resources;
    }

    public final void checkOpen() {
        if (closed) {
            throw new LoopClosedException(name());
        }
    }

    /** Loop-thread-only methods: allowed from any thread while the loop is not running. */
    public final void checkThread(String method) {
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            throw new NotInLoopThreadException(name(), method, t);
        }
    }

    // ------------------------------------------------------------------ scheduling

    @Override
    public long time() {
        return System.nanoTime();
    }

    @Override
    public Handle callSoon(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        checkOpen();
        checkThread("callSoon");
        CallbackHandle h = CallbackHandle.of(callback, debug ? new Throwable("scheduled at") : null);
        ready.addLast(h);
        return h;
    }

    @Override
    public Handle callSoonThreadsafe(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        if (thread == Thread.currentThread()) {
            return callSoon(callback);
        }
        checkOpen();
        Handle h;
        if (debug) {
            CallbackHandle traced = CallbackHandle.of(callback, new Throwable("scheduled at"));
            inbox.offer((Object) traced);
            h = traced;
        } else {
            Inbox.PostedHandle posted = new Inbox.PostedHandle(callback);
            inbox.offer(posted);
            h = posted;
        }
        wakeupIfParked();
        return h;
    }

    /** Like {@link #callSoonThreadsafe}, but without a handle to return, a post from another thread allocates nothing. */
    @Override
    public void execute(Runnable command) {
        Objects.requireNonNull(command, "command");
        if (closed) {
            throw new RejectedExecutionException("Event loop '" + name() + "' is closed");
        }
        if (debug || thread == Thread.currentThread()) {
            try {
                callSoonThreadsafe(command);
            } catch (LoopClosedException e) {
                throw new RejectedExecutionException(e.getMessage(), e);
            }
            return;
        }
        inbox.offer(command);
        wakeupIfParked();
    }

    @Override
    public TimerHandle callLater(Duration delay, Runnable callback) {
        Objects.requireNonNull(delay, "delay");
        long nanos;
        try {
            nanos = delay.toNanos();
        } catch (ArithmeticException e) {
            nanos = delay.isNegative() ? -MAX_PAST_NANOS : MAX_DELAY_NANOS;
        }
        nanos = Math.max(-MAX_PAST_NANOS, Math.min(MAX_DELAY_NANOS, nanos));
        if (nanos > 0 && nanos < 1_000_000) {
            subMillisecondTimers++;
        }
        return schedule(time() + nanos, callback, "callLater");
    }

    /**
     * {@inheritDoc} A due time more than about 146 years ahead or 73 years back is clamped to that: the
     * loop's clock never gets there, and such a value must not disturb the order of the other timers.
     */
    @Override
    public TimerHandle callAt(long whenNanos, Runnable callback) {
        return schedule(clampDue(whenNanos, time()), callback, "callAt");
    }

    private TimerHandle schedule(long when, Runnable callback, String method) {
        Objects.requireNonNull(callback, "callback");
        checkOpen();
        checkThread(method);
        return timers.schedule(when, callback, debug ? new Throwable("scheduled at") : null);
    }

    /** {@code when}, or the nearest due time within {@code [now - MAX_PAST_NANOS, now + MAX_DELAY_NANOS]}. */
    static long clampDue(long when, long now) {
        long d = when - now;
        if (((when ^ now) & (when ^ d)) < 0) { // the difference overflowed: when is more than 2^63 away
            return when < now ? now - MAX_PAST_NANOS : now + MAX_DELAY_NANOS;
        }
        if (d > MAX_DELAY_NANOS) {
            return now + MAX_DELAY_NANOS;
        }
        return d < -MAX_PAST_NANOS ? now - MAX_PAST_NANOS : when;
    }

    // ------------------------------------------------------------------ errors and debug

    @Override
    public void setExceptionHandler(ExceptionHandler handler) {
        this.exceptionHandler = handler;
    }

    @Override
    public ExceptionHandler getExceptionHandler() {
        return exceptionHandler;
    }

    /**
     * Never throws: a handler that fails, the default one included (logging can fail when no descriptor is
     * left to open a file), is reported by the default handler, and failing that on standard error.
     */
    @Override
    public void callExceptionHandler(ExceptionContext context) {
        ExceptionHandler h = exceptionHandler;
        try {
            if (h == null) {
                defaultExceptionHandler(context);
                return;
            }
            try {
                h.handle(this, context);
            } catch (Throwable e) {
                defaultExceptionHandler(new ExceptionContext("Unhandled error in exception handler", e,
                        context.handle(), context.fd(), null));
                defaultExceptionHandler(context);
            }
        } catch (Throwable e) {
            lastResort("[" + name() + "] " + context.message() + " (and the exception handler failed: " + e + ")",
                    context.exception());
        }
    }

    /**
     * Hands an error to the exception handler; never throws, even when building the report fails (a class
     * that cannot be loaded while no descriptor is left to open a jar or class file with).
     */
    public final void reportError(String message, Throwable exception, Handle handle, int fd, Throwable scheduledAt) {
        try {
            callExceptionHandler(new ExceptionContext(message, exception, handle, fd, scheduledAt));
        } catch (Throwable e) {
            lastResort("[" + name() + "] " + message + " (reporting it failed: " + e + ")", exception);
        }
    }

    /** Standard error, when even logging failed; never throws. */
    private static void lastResort(String message, Throwable cause) {
        try {
            System.err.println(message);
            if (cause != null) {
                cause.printStackTrace();
            }
        } catch (Throwable ignored) {
            // nowhere left to say it
        }
    }

    /** Logs at ERROR through {@link System.Logger}, with where the callback was scheduled in debug mode. */
    public void defaultExceptionHandler(ExceptionContext context) {
        StringBuilder sb = new StringBuilder("[").append(name()).append("] ").append(context.message());
        if (context.fd() >= 0) {
            sb.append(" (fd ").append(context.fd()).append(')');
        }
        if (context.scheduledAt() != null) {
            sb.append("\nHandle created at:");
            for (StackTraceElement e : context.scheduledAt().getStackTrace()) {
                sb.append("\n\tat ").append(e);
            }
        }
        LOG.log(Level.ERROR, sb.toString(), context.exception());
    }

    @Override
    public boolean isDebug() {
        return debug;
    }

    @Override
    public void setDebug(boolean debug) {
        this.debug = debug;
    }

    @Override
    public Duration slowCallbackThreshold() {
        return options.slowCallbackThreshold();
    }

    // ------------------------------------------------------------------ introspection

    @Override
    public LoopStatsSnapshot stats() {
        return stats.snapshot(new HandleCounts(readerCount(), writerCount(), timers.liveCount(),
                timers.cancelledCount(), ready.size() + inbox.pending(), resources.count(LoopResources.Kind.SERVER),
                resources.count(LoopResources.Kind.TRANSPORT), resources.count(LoopResources.Kind.SUBPROCESS),
                resources.count(LoopResources.Kind.SIGNAL)));
    }

    /** Records that the application used {@code capability} through a {@code what} (see {@link #capabilityUsage()}). */
    public final void recordUse(dev.loop.capability.Capability capability, String what) {
        usage.record(capability, what);
    }

    @Override
    public java.util.Map<dev.loop.capability.Capability, java.util.Map<String, Long>> capabilityUsage() {
        java.util.Map<dev.loop.capability.Capability, java.util.Map<String, Long>> m = usage.snapshot();
        long subMs = subMillisecondTimers;
        if (subMs > 0) {
            m.put(dev.loop.capability.Capability.SUB_MILLISECOND_TIMERS, java.util.Map.of("timer", subMs));
        }
        return m;
    }

    /**
     * Refuses, with {@link dev.loop.capability.CapabilityNotSupportedException}, a descriptor this backend
     * cannot watch at all (select: FD_SETSIZE and above), before anything is done with it.
     */
    public final void requireWatchable(int fd, String what) {
        if (fd >= dev.loop.internal.nativeio.Linux.FD_SETSIZE) {
            capabilities().require(Capability.DESCRIPTORS_ABOVE_FD_SETSIZE, what + " (>= FD_SETSIZE)");
        }
    }

    /**
     * The capability checks of a new registration, before the backend's native call: descriptor range
     * (select), then what the descriptor is (statx): not open, regular file or directory, character
     * device. Returns what statx said of it.
     */
    protected final Descriptors.FileStat checkNewDescriptor(int fd, String method, long descriptorLimit) {
        capabilities().require(Capability.READINESS_CALLBACKS, method + "(fd " + fd + ")");
        if (fd >= descriptorLimit) {
            capabilities().require(Capability.DESCRIPTORS_ABOVE_FD_SETSIZE,
                    method + "(fd " + fd + "): descriptor " + fd + " >= " + descriptorLimit);
            throw new IllegalArgumentException("descriptor " + fd + " is above this poller's limit");
        }
        Descriptors.FileStat stat = Descriptors.stat(fd);
        if (stat == null) {
            throw new IllegalArgumentException("Invalid file descriptor: " + fd + " is not open (EBADF)");
        }
        FileType type = stat.type();
        if (type == FileType.REGULAR_FILE || type == FileType.DIRECTORY) {
            capabilities().require(Capability.FILE_IO_MONITORING,
                    method + "(fd " + fd + "): a " + (type == FileType.DIRECTORY ? "directory" : "regular file"));
            // Supported nowhere, but if a row ever says yes, epoll would still refuse with EPERM.
        }
        if (type == FileType.CHARACTER_DEVICE) {
            capabilities().require(Capability.CHARACTER_DEVICES, method + "(fd " + fd + "): a character device");
        }
        return stat;
    }

    // ------------------------------------------------------------------ readiness for the loop's own transports

    /**
     * Watches {@code fd} for readability on behalf of the loop's own transports, servers and processes:
     * the same as {@link #addReader} but not counted as the application's use of readiness callbacks
     * (a transport on another backend would not need them).
     */
    public void watchRead(int fd, Runnable callback) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no readiness watching");
    }

    public boolean unwatchRead(int fd) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no readiness watching");
    }

    public void watchWrite(int fd, Runnable callback) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no readiness watching");
    }

    public boolean unwatchWrite(int fd) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no readiness watching");
    }

    /**
     * Whether this loop's backend reports process exits itself (kqueue's {@code EVFILT_PROC}); otherwise
     * subprocesses are watched through a pidfd reader.
     */
    public boolean watchesExits() {
        return false;
    }

    /**
     * Calls {@code callback} on the loop thread once process {@code pid} has exited (it is not reaped).
     * Only where {@link #watchesExits()}. <em>Loop thread.</em>
     */
    public void watchExit(int pid, Runnable callback) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not watch processes");
    }

    /** Stops watching {@code pid} (the child was reaped another way). */
    public void unwatchExit(int pid) {
    }

    @Override
    public long recentDelayNanos() {
        long requested = delayRequestedAt;
        long pending = requested == 0 ? 0 : System.nanoTime() - requested;
        return Math.max(lastDelay, pending);
    }

    @Override
    public void setMetricsListener(dev.loop.LoopMetricsListener listener) {
        this.metricsListener = listener;
    }

    // ------------------------------------------------------------------ graceful shutdown

    @Override
    public CompletableFuture<Void> shutdownGracefully(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        CompletableFuture<Void> drained = new CompletableFuture<>();
        if (closed || !isRunning()) {
            drained.complete(null);
            return drained;
        }
        try {
            callSoonThreadsafe(() -> {
                resources.closeAllGracefully();
                long deadline = time() + timeout.toNanos();
                awaitDrained(drained, deadline);
            });
        } catch (LoopClosedException e) {
            drained.complete(null);
        }
        return drained;
    }

    /** Checks every 10 ms until every server, transport and child is gone or the deadline passed; then stops. */
    private void awaitDrained(CompletableFuture<Void> drained, long deadline) {
        if (resources.drained() || time() - deadline >= 0) {
            if (!resources.drained()) {
                LOG.log(Level.WARNING, "[" + name() + "] graceful shutdown timed out with " + resources.count(
                        LoopResources.Kind.TRANSPORT) + " transports and " + resources.count(LoopResources.Kind.SUBPROCESS)
                        + " subprocesses left; they are released at once");
            }
            stop();
            drained.complete(null);
            return;
        }
        callLater(Duration.ofMillis(10), () -> awaitDrained(drained, deadline));
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

/** Padding around the loop thread's own hot fields (no false sharing with posting threads). */
abstract class LoopThreadStatePad {
    long p00, p01, p02, p03, p04, p05, p06, p07;
}

final class LoopThreadState extends LoopThreadStatePad {
    /** Start of the running callback group for the watchdog (0: none); opaque through CALLBACK_START. */
    long callbackStart;
    /** End of the previous poll, for busy time. */
    long lastPollEnd;
    /** Start of a callback group not yet timed (0: none). */
    long openGroupStart;
    boolean ranLastStep;
    /** The running step's clock: last reading, callbacks since, whether each callback is timed. */
    long mark;
    int sinceMark;
    boolean timeEach;
    long p10, p11, p12, p13, p14, p15, p16, p17;
}

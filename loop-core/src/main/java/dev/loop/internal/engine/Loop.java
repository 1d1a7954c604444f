package dev.loop.internal.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

import dev.loop.Backend;
import dev.loop.Handle;
import dev.loop.LoopClosedException;
import dev.loop.LoopOptions;
import dev.loop.LoopStatsSnapshot;
import dev.loop.LoopStatsSnapshot.HandleCounts;
import dev.loop.PollerKind;
import dev.loop.TimerHandle;
import dev.loop.capability.Capabilities;
import dev.loop.capability.Capability;
import dev.loop.capability.Limits;
import dev.loop.internal.process.Subprocesses;
import dev.loop.internal.signal.LoopSignals;
import dev.loop.internal.transport.LoopTransports;

/**
 * The event loop: one thread running ready callbacks, posts from other threads, due timers and I/O, whatever
 * the backend. The loop owns the queues and the step ({@link #runOnce()}); an {@link IoBackend} waits for and
 * does the I/O. Lifecycle, callback timing, metrics, errors, the default executor and graceful shutdown are
 * parts the loop calls ({@link LoopLifecycle}, {@link CallbackRunner}, {@link LoopMetrics},
 * {@link ExceptionReporter}, {@link LoopExecutor}, {@link GracefulShutdown}).
 */
public final class Loop implements LoopIoMethods, LoopControlMethods {

    /** The longest single wait, as asyncio: OS calls overflow on huge timeouts. */
    static final long MAX_POLL_NANOS = Duration.ofHours(24).toNanos();

    private static final VarHandle PARKED = VarHandles.field(MethodHandles.lookup(),
            Loop.class, "parked", boolean.class);

    private final LoopOptions options;
    private final CallbackQueues queues = new CallbackQueues();
    private final LoopThreadState own = new LoopThreadState();
    final LoopMetrics metrics = new LoopMetrics();
    private final LoopLifecycle lifecycle;
    private final CallbackRunner runner;
    private final ExceptionReporter reporter = new ExceptionReporter(this);
    private final LoopExecutor executor = new LoopExecutor(this);
    private final ThreadHandoff handoff = new ThreadHandoff(this);
    private final LoopResources resources = new LoopResources();
    private final IoBackend backend;
    private final Registrations registrations;
    private final LoopTransports transports;
    private final Subprocesses subprocesses;
    private final LoopSignals signals = new LoopSignals(this);
    private volatile boolean debug;
    /** The backend's, with the timer slack in force ({@link #timerSlackInForce}). */
    private volatile Capabilities capabilities;
    @SuppressWarnings("unused") // through PARKED
    private volatile boolean parked;

    /** A loop on the backend {@code backend} makes for it; the backend is closed with the loop. */
    public Loop(LoopOptions options, IoBackend.Factory backend) {
        this.options = Objects.requireNonNull(options, "options");
        this.debug = options.debug();
        this.lifecycle = new LoopLifecycle(this, options);
        this.runner = new CallbackRunner(this, metrics.stats, own, options.slowCallbackThreshold().toNanos());
        IoBackend io = backend.open(this);
        try {
            Duration slack = options.timerSlack();
            if (slack != null && !slack.isZero()) {
                io.capabilities().require(Capability.TIMER_SLACK, "timerSlack " + slack);
            }
            Limits limits = io.capabilities().limits();
            this.capabilities = io.capabilities().supports(Capability.TIMER_SLACK)
                    ? io.capabilities().withLimits(limits.withTimerSlackNanos(-1)) : io.capabilities();
            this.registrations = new Registrations(this, io);
            this.transports = new LoopTransports(this, io.streamIo());
            this.subprocesses = new Subprocesses(this, io.streamIo(), io.exitWatcher());
        } catch (RuntimeException | Error e) {
            io.close();
            throw e;
        }
        this.backend = io;
    }

    // ------------------------------------------------------------------ the step

    /** Runs steps until stopped; the lifecycle calls it on the loop thread. */
    void runSteps() {
        own.lastPollEnd = 0;
        resources.resumeAll(); // what a graceful pause stopped
        try {
            do {
                runOnce();
            } while (!lifecycle.stopping());
            backend.stopped();
        } finally {
            runner.finishLastGroup(System.nanoTime());
        }
    }

    /**
     * One step, as asyncio's {@code _run_once} and libuv's {@code uv_run}: drop cancelled timers, compute how
     * long to wait, wait for I/O (queueing ready descriptors' callbacks), then run what is ready now: queued
     * callbacks, posts from other threads, due timers. Callbacks scheduled meanwhile wait for the next step.
     */
    void runOnce() {
        TimerEntry next = queues.purgeTimers();
        long start = System.nanoTime();
        runner.finishLastGroup(start);
        long now = poll(pollTimeout(next, start), start);
        int queued = queues.readyCount();
        long postedBefore = queues.postLimit();
        runner.begin(now, debug);
        queues.deferNewTimers(true);
        long ran;
        try {
            ran = queues.runReady(queued, runner);
            ran += queues.runPosted(postedBefore, runner);
            ran += queues.runDueTimers(now, runner, metrics);
        } finally {
            queues.deferNewTimers(false);
            runner.end();
        }
        own.ranLastStep = ran > 0;
        long busy = own.lastPollEnd == 0 ? 0 : start - own.lastPollEnd;
        own.lastPollEnd = now;
        metrics.stats.endStep(ran, now - start, busy);
    }

    /**
     * 0 when something is ready or the loop is stopping, and once more right after a step that ran callbacks
     * (a burst of posts then costs no wake-up); else until the next timer (-1: none), at most a day.
     */
    private long pollTimeout(TimerEntry next, long now) {
        // ranLastStep first: while posts stream in, the inbox's producer index is then read once per step (by
        // postLimit), and every read costs the posting thread a cache miss on its next post.
        if (own.ranLastStep || queues.readyWaiting() || queues.postsWaiting() || lifecycle.stopping()) {
            return 0;
        }
        return next == null ? -1 : Math.min(Math.max(0, next.when - now), MAX_POLL_NANOS);
    }

    /** Waits in the backend (a wait that may block is announced, parked, so that posts wake it); returns the time after. */
    private long poll(long timeout, long start) {
        boolean parking = timeout != 0;
        if (parking) {
            PARKED.setVolatile(this, true);
            if (queues.postsWaiting() || lifecycle.stopping() || metrics.delaySampleRequested()) {
                timeout = 0; // posted, stopped or asked for a delay sample while parking: the wake-up may have been skipped
            }
        }
        queues.pollStarts();
        backend.poll(timeout, start);
        if (parking) { // only then: every post reads the flag, and a store to it costs each poster a cache miss
            PARKED.setOpaque(this, false);
        }
        long now = System.nanoTime();
        metrics.afterPoll(now);
        return now;
    }

    // ------------------------------------------------------------------ for the backend

    /** Queues the callback of a ready descriptor for this step. Loop thread. */
    public void enqueueReady(CallbackHandle handle) {
        queues.addReady(handle);
    }

    /**
     * Whether the step has something to run (ready callbacks, posts), the loop is stopping, or a timer was
     * scheduled since the wait began: a backend that runs callbacks inside its wait must not wait on past a
     * timer they scheduled, which the wait's timeout does not know.
     */
    public boolean hasWorkForStep() {
        return lifecycle.stopping() || queues.workArrivedDuringPoll();
    }

    /** Wakes the loop only if it is parked in the backend, and only once per park. */
    void wakeupIfParked() {
        if ((boolean) PARKED.getVolatile(this) && PARKED.compareAndSet(this, true, false)) {
            metrics.stats.wakeup();
            backend.wakeup();
        }
    }

    @Override
    public Registrations registrations() {
        return registrations;
    }

    @Override
    public LoopTransports transports() {
        return transports;
    }

    @Override
    public Subprocesses subprocesses() {
        return subprocesses;
    }

    @Override
    public LoopSignals signals() {
        return signals;
    }

    /** The backend this loop does its I/O with. */
    public IoBackend ioBackend() {
        return backend;
    }

    // ------------------------------------------------------------------ the parts LoopControlMethods hands work to

    @Override
    public ExceptionReporter reporter() {
        return reporter;
    }

    @Override
    public LoopLifecycle lifecycle() {
        return lifecycle;
    }

    @Override
    public LoopExecutor executor() {
        return executor;
    }

    @Override
    public LoopMetrics metrics() {
        return metrics;
    }

    long currentCallbackStart() {
        return runner.currentCallbackStart();
    }

    void requestDelaySample(long now) {
        if (lifecycle.thread() != null && metrics.requestDelaySample(now)) {
            wakeupIfParked();
        }
    }

    /**
     * Releases everything the loop owns: resources, executor, queues and backend; one failure never keeps the rest.
     * What it still owes fails before the backend closes: the backend cancels the operations behind those futures,
     * and their cancellation is not what a caller should see.
     */
    void releaseOwned() {
        Runnable[] steps = {resources::releaseAll, executor::shutdown, queues::clear, registrations::clear,
            handoff::failOwed, backend::close};
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (RuntimeException | Error e) {
                reportError("Releasing a part of the loop failed", e, null, -1, null);
            }
        }
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public String name() {
        return options.name();
    }

    @Override
    public CompletableFuture<Void> shutdownGracefully(Duration timeout) {
        return GracefulShutdown.start(this, resources, timeout);
    }

    @Override
    public CompletableFuture<Void> pauseGracefully(Duration timeout) {
        return GracefulShutdown.pause(this, resources, timeout);
    }

    /** Refuses a descriptor this backend cannot watch at all (select: FD_SETSIZE and above). */
    public void requireWatchable(int fd, String what) {
        DescriptorChecks.requireWatchable(capabilities(), fd, what);
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
        queues.addReady(h);
        return h;
    }

    @Override
    public Handle callSoonThreadsafe(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        if (inLoopThread()) {
            return callSoon(callback);
        }
        checkOpen();
        Handle h;
        if (debug) {
            CallbackHandle traced = CallbackHandle.of(callback, new Throwable("scheduled at"));
            queues.post((Object) traced);
            h = traced;
        } else {
            Inbox.PostedHandle posted = new Inbox.PostedHandle(callback);
            queues.post(posted);
            h = posted;
        }
        wakeupIfParked();
        return h;
    }

    /** Like {@link #callSoonThreadsafe}, but without a handle to return, a post from another thread allocates nothing. */
    @Override
    public void execute(Runnable command) {
        Objects.requireNonNull(command, "command");
        if (isClosed()) {
            throw new RejectedExecutionException("Event loop '" + name() + "' is closed");
        }
        if (debug || inLoopThread()) {
            try {
                callSoonThreadsafe(command);
            } catch (LoopClosedException e) {
                throw new RejectedExecutionException(e.getMessage(), e);
            }
            return;
        }
        queues.post(command);
        wakeupIfParked();
    }

    @Override
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        return handoff.submit(task);
    }

    @Override
    public TimerHandle callLater(Duration delay, Runnable callback) {
        long nanos = DueTimes.delayNanos(Objects.requireNonNull(delay, "delay"));
        metrics.timerDelay(nanos);
        return schedule(time() + nanos, callback, "callLater");
    }

    /**
     * {@inheritDoc} A due time more than about 146 years ahead or 73 years back is clamped to that
     * ({@link DueTimes}).
     */
    @Override
    public TimerHandle callAt(long whenNanos, Runnable callback) {
        return schedule(DueTimes.clamp(whenNanos, time()), callback, "callAt");
    }

    private TimerHandle schedule(long when, Runnable callback, String method) {
        Objects.requireNonNull(callback, "callback");
        checkOpen();
        checkThread(method);
        return queues.schedule(when, callback, debug ? new Throwable("scheduled at") : null);
    }

    /**
     * Runs {@code action} at once when called on the loop thread or while the loop is not running (its
     * exceptions are thrown to the caller; callers from several threads of a loop nobody runs, a paused one say,
     * take turns); from another thread while the loop runs, hands it to the loop and
     * returns a future that follows the action's, and whose cancellation cancels the action's.
     */
    public <T> CompletableFuture<T> onLoop(Supplier<CompletableFuture<T>> action) {
        return handoff.onLoop(action);
    }

    /**
     * Runs {@code action}, which completes {@code future}, as {@link #onLoop} would, but hands the caller that
     * future itself, not one that follows it: a cancel from any thread then reaches the action's own future (it
     * either comes first or finds it completed, never in between). Handed over, the future is owed.
     */
    public <F extends CompletableFuture<?>> F completeOnLoop(F future, Runnable action) {
        return handoff.completeOnLoop(future, action);
    }

    /** Runs {@code action} on the loop thread: now when possible, else handed over; dropped once closed. */
    public void runOnLoop(Runnable action) {
        handoff.runOnLoop(action);
    }

    /**
     * {@code future}, which the loop completes, fails with {@link dev.loop.LoopClosedException} if the loop closes
     * first. Any thread.
     */
    public <F extends CompletableFuture<?>> F owe(F future) {
        return handoff.owe(future);
    }

    /** The servers, transports, subprocesses and signal handlers this loop owns (released by close). */
    public LoopResources resources() {
        return resources;
    }

    // ------------------------------------------------------------------ errors and debug

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
    public Backend backend() {
        return backend.kind();
    }

    @Override
    public PollerKind poller() {
        return backend.pollerKind();
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    /** The loop thread's timer slack, read back as a run begins; the limits report it from then on. */
    void timerSlackInForce(long nanos) {
        Capabilities c = capabilities;
        capabilities = c.withLimits(c.limits().withTimerSlackNanos(nanos));
    }

    @Override
    public LoopStatsSnapshot stats() {
        return metrics.stats.snapshot(new HandleCounts(registrations.readers(), registrations.writers(),
                queues.liveTimers(), queues.cancelledTimers(), queues.pending(),
                resources.count(LoopResources.Kind.SERVER), resources.count(LoopResources.Kind.TRANSPORT),
                resources.count(LoopResources.Kind.SUBPROCESS), resources.count(LoopResources.Kind.SIGNAL),
                registrations.loopReaders(), registrations.loopWriters()), metrics.subMillisecondTimers());
    }

    @Override
    public void recordUse(Capability capability, String what) {
        metrics.recordUse(capability, what);
    }

    @Override
    public String toString() {
        return "Loop[" + name() + ", " + backend.describe() + (isClosed() ? ", closed" : isRunning() ? ", running" : "")
                + "]";
    }
}

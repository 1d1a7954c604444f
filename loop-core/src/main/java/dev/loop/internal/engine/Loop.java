package dev.loop.internal.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

import dev.loop.Backend;
import dev.loop.EventLoop;
import dev.loop.ExceptionContext;
import dev.loop.ExceptionHandler;
import dev.loop.Handle;
import dev.loop.LoopClosedException;
import dev.loop.LoopMetricsListener;
import dev.loop.LoopOptions;
import dev.loop.LoopStatsSnapshot;
import dev.loop.LoopStatsSnapshot.HandleCounts;
import dev.loop.PollerKind;
import dev.loop.TimerHandle;
import dev.loop.capability.Capabilities;
import dev.loop.capability.Capability;
import dev.loop.internal.process.ExitWatcher;
import dev.loop.internal.process.PidfdExitWatcher;
import dev.loop.internal.process.PosixSubprocess;
import dev.loop.internal.process.ThreadExitWatcher;
import dev.loop.internal.signal.SignalHandlers;
import dev.loop.internal.transport.LoopTransports;
import dev.loop.process.ProcessOptions;
import dev.loop.process.SubprocessProtocol;
import dev.loop.process.SubprocessTransport;
import dev.loop.transport.Accepted;
import dev.loop.transport.Connection;
import dev.loop.transport.Protocol;
import dev.loop.transport.Server;
import dev.loop.transport.ServerOptions;
import dev.loop.transport.Transport;

/**
 * The event loop: one thread running ready callbacks, posts from other threads, due timers and I/O, whatever
 * the backend. The loop owns the queues and the step ({@link #runOnce()}); an {@link IoBackend} waits for and
 * does the I/O. Lifecycle, callback timing, metrics, errors, the default executor and graceful shutdown are
 * parts the loop calls ({@link LoopLifecycle}, {@link CallbackRunner}, {@link LoopMetrics},
 * {@link ExceptionReporter}, {@link LoopExecutor}, {@link GracefulShutdown}).
 */
public final class Loop implements EventLoop {

    /** The longest single wait, as asyncio: OS calls overflow on huge timeouts. */
    static final long MAX_POLL_NANOS = Duration.ofHours(24).toNanos();
    /** Delays are clamped to about 146 years so that due times never overflow. */
    static final long MAX_DELAY_NANOS = 1L << 62;
    /**
     * Due times further in the past are clamped to this far back (about 73 years): the timer heap compares due
     * times by their differences (so the clock may wrap), which holds while they span less than 2^63.
     */
    static final long MAX_PAST_NANOS = 1L << 61;

    private static final VarHandle PARKED;

    static {
        try {
            PARKED = MethodHandles.lookup().findVarHandle(Loop.class, "parked", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final LoopOptions options;
    /** Callbacks of the loop thread (callSoon) and of ready descriptors. */
    private final ArrayDeque<CallbackHandle> ready = new ArrayDeque<>(256);
    /** Callbacks from other threads: lock-free, run by the loop thread straight from its slots. */
    private final Inbox inbox = new Inbox();
    private final TimerQueue timers = new TimerQueue();
    /** {@link TimerQueue#scheduledCount()} when the step's wait began. */
    private long timersBeforePoll;
    private final LoopThreadState own = new LoopThreadState();
    final LoopMetrics metrics = new LoopMetrics();
    private final LoopLifecycle lifecycle;
    private final CallbackRunner runner;
    private final ExceptionReporter reporter = new ExceptionReporter(this);
    private final LoopExecutor executor = new LoopExecutor(this);
    private final LoopResources resources = new LoopResources();
    private final IoBackend backend;
    private final Registrations registrations;
    private final LoopTransports transports;
    private final ExitWatcher exitWatcher;
    private volatile boolean debug;
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
            this.registrations = new Registrations(this, io);
            this.transports = new LoopTransports(this, io.streamIo());
            this.exitWatcher = chooseExitWatcher(io);
        } catch (RuntimeException | Error e) {
            io.close();
            throw e;
        }
        this.backend = io;
    }

    /**
     * The backend's own exit events (kqueue) if it has them, else pidfds where the kernel has them (unless
     * {@value PosixSubprocess#USE_PIDFD_PROPERTY} is {@code false}), else a waiting thread per child.
     */
    private ExitWatcher chooseExitWatcher(IoBackend io) {
        ExitWatcher byBackend = io.exitWatcher();
        if (byBackend != null) {
            return byBackend;
        }
        boolean pidfds = !"false".equals(System.getProperty(PosixSubprocess.USE_PIDFD_PROPERTY))
                && PidfdExitWatcher.supported();
        return pidfds ? new PidfdExitWatcher(this) : new ThreadExitWatcher(this);
    }

    // ------------------------------------------------------------------ the step

    /** Runs steps until stopped; the lifecycle calls it on the loop thread. */
    void runSteps() {
        own.lastPollEnd = 0;
        try {
            do {
                runOnce();
            } while (!lifecycle.stopping());
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
        TimerEntry next = timers.purgeAndPeek();
        long start = System.nanoTime();
        runner.finishLastGroup(start);
        long now = poll(pollTimeout(next, start), start);
        int queued = ready.size();
        long postedBefore = inbox.limit();
        runner.begin(now, debug);
        timers.deferNewTimers(true); // timers scheduled from now on wait beside the heap until the step ends
        long ran;
        try {
            ran = runReady(queued);
            ran += runPosted(postedBefore);
            ran += runDueTimers(now);
        } finally {
            timers.deferNewTimers(false);
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
        if (!ready.isEmpty() || lifecycle.stopping() || !inbox.isEmpty() || own.ranLastStep) {
            return 0;
        }
        return next == null ? -1 : Math.min(Math.max(0, next.when - now), MAX_POLL_NANOS);
    }

    /** Waits in the backend (a wait that may block is announced, parked, so that posts wake it); returns the time after. */
    private long poll(long timeout, long start) {
        if (timeout != 0) {
            PARKED.setVolatile(this, true);
            if (!inbox.isEmpty() || lifecycle.stopping()) {
                timeout = 0; // posted or stopped while parking: the wake-up may have been skipped
            }
        }
        timersBeforePoll = timers.scheduledCount();
        backend.poll(timeout, start);
        PARKED.setOpaque(this, false);
        long now = System.nanoTime();
        metrics.afterPoll(now);
        return now;
    }

    /** The {@code count} callbacks queued before this step's wait ended: earlier callbacks, then I/O. */
    private long runReady(int count) {
        long ran = 0;
        for (int i = 0; i < count; i++) {
            CallbackHandle h = ready.pollFirst();
            Runnable cb = h.callback();
            if (cb != null) {
                runner.run(h, cb);
                ran++;
            }
        }
        return ran;
    }

    /** Callbacks posted from other threads before {@code limit}, taken straight from the inbox. */
    private long runPosted(long limit) {
        long ran = 0;
        Object posted;
        while ((posted = inbox.take(limit)) != null) {
            if (posted instanceof CallbackHandle h) { // debug mode: a handle that knows where it was posted
                Runnable cb = h.callback();
                if (cb != null) {
                    runner.run(h, cb);
                    ran++;
                }
            } else {
                runner.run(null, (Runnable) posted);
                ran++;
            }
        }
        return ran;
    }

    /**
     * The timers due at {@code now}, popped and run one by one (asyncio queues them behind the others; the
     * order is the same, and a popped timer is still in cache when it runs).
     */
    private long runDueTimers(long now) {
        long ran = 0;
        TimerEntry t;
        while ((t = timers.pollDueOne(now)) != null) {
            Runnable cb = t.callback();
            if (cb != null) {
                metrics.timerLateness(runner.mark() - t.when);
                runner.run(t, cb);
                ran++;
            }
        }
        return ran;
    }

    // ------------------------------------------------------------------ for the backend

    /** Queues the callback of a ready descriptor for this step. Loop thread. */
    public void enqueueReady(CallbackHandle handle) {
        ready.addLast(handle);
    }

    /**
     * Whether the step has something to run (ready callbacks, posts), the loop is stopping, or a timer was
     * scheduled since the wait began: a backend that runs callbacks inside its wait must not wait on past a
     * timer they scheduled, which the wait's timeout does not know.
     */
    public boolean hasWorkForStep() {
        return !ready.isEmpty() || lifecycle.stopping() || !inbox.isEmpty()
                || timers.scheduledCount() != timersBeforePoll;
    }

    /** Wakes the loop only if it is parked in the backend, and only once per park. */
    void wakeupIfParked() {
        if ((boolean) PARKED.getVolatile(this) && PARKED.compareAndSet(this, true, false)) {
            metrics.stats.wakeup();
            backend.wakeup();
        }
    }

    /** The readers and writers by descriptor. */
    public Registrations registrations() {
        return registrations;
    }

    /** The backend this loop does its I/O with. */
    public IoBackend ioBackend() {
        return backend;
    }

    ExceptionReporter reporter() {
        return reporter;
    }

    long currentCallbackStart() {
        return runner.currentCallbackStart();
    }

    void requestDelaySample(long now) {
        if (lifecycle.thread() != null && metrics.requestDelaySample(now)) {
            wakeupIfParked();
        }
    }

    /** Releases everything the loop owns: resources, executor, queues and backend; one failure never keeps the rest. */
    void releaseOwned() {
        Runnable[] steps = {resources::releaseAll, executor::shutdown, ready::clear, inbox::clear, timers::clear,
            registrations::clear, backend::close};
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
    public void start() {
        lifecycle.start();
    }

    @Override
    public void runForever() {
        lifecycle.runForever(null);
    }

    @Override
    public <T> T runUntilComplete(CompletableFuture<T> future) {
        return lifecycle.runUntilComplete(future);
    }

    @Override
    public void stop() {
        lifecycle.stop();
    }

    @Override
    public void close() {
        lifecycle.close();
    }

    @Override
    public boolean isRunning() {
        return lifecycle.thread() != null;
    }

    @Override
    public boolean isClosed() {
        return lifecycle.closed();
    }

    @Override
    public Throwable failure() {
        return lifecycle.failure();
    }

    @Override
    public boolean inLoopThread() {
        return lifecycle.thread() == Thread.currentThread();
    }

    @Override
    public Thread thread() {
        return lifecycle.thread();
    }

    @Override
    public CompletableFuture<Void> shutdownGracefully(Duration timeout) {
        return GracefulShutdown.start(this, resources, timeout);
    }

    public void checkOpen() {
        lifecycle.checkOpen();
    }

    /** Loop-thread-only methods: allowed from any thread while the loop is not running. */
    public void checkThread(String method) {
        lifecycle.checkThread(method);
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
        if (inLoopThread()) {
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
        inbox.offer(command);
        wakeupIfParked();
    }

    @Override
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        CompletableFuture<T> result = new CompletableFuture<>();
        Runnable run = () -> {
            if (result.isDone()) {
                return; // cancelled before it ran
            }
            try {
                result.complete(task.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        };
        if (inLoopThread()) {
            callSoon(run);
        } else {
            callSoonThreadsafe(run);
        }
        return result;
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
        metrics.timerDelay(nanos);
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

    /**
     * Runs {@code action} at once when called on the loop thread or while the loop is not running (its
     * exceptions are thrown to the caller); from another thread while the loop runs, hands it to the loop and
     * returns a future that follows the action's.
     */
    public <T> CompletableFuture<T> onLoop(Supplier<CompletableFuture<T>> action) {
        checkOpen();
        if (inLoopThread() || !isRunning()) {
            return action.get();
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        callSoonThreadsafe(() -> {
            try {
                action.get().whenComplete((v, e) -> {
                    if (e != null) {
                        result.completeExceptionally(e instanceof CompletionException && e.getCause() != null
                                ? e.getCause() : e);
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
    public void runOnLoop(Runnable action) {
        if (isClosed()) {
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

    // ------------------------------------------------------------------ readiness

    @Override
    public void addReader(int fd, Runnable callback) {
        if (registrations.register(fd, callback, false, "addReader", true)) {
            recordUse(Capability.READINESS_CALLBACKS, "reader");
        }
    }

    @Override
    public void addWriter(int fd, Runnable callback) {
        if (registrations.register(fd, callback, true, "addWriter", true)) {
            recordUse(Capability.READINESS_CALLBACKS, "writer");
        }
    }

    @Override
    public boolean removeReader(int fd) {
        return registrations.unregister(fd, false, "removeReader");
    }

    @Override
    public boolean removeWriter(int fd) {
        return registrations.unregister(fd, true, "removeWriter");
    }

    /**
     * Watches {@code fd} for readability on behalf of the loop's own transports, servers and processes: as
     * {@link #addReader}, but not counted as the application's use of readiness callbacks (a transport on
     * another backend would not need them).
     */
    public void watchRead(int fd, Runnable callback) {
        registrations.register(fd, callback, false, "watchRead", false);
    }

    public boolean unwatchRead(int fd) {
        return registrations.unregister(fd, false, "unwatchRead");
    }

    public void watchWrite(int fd, Runnable callback) {
        registrations.register(fd, callback, true, "watchWrite", false);
    }

    public boolean unwatchWrite(int fd) {
        return registrations.unregister(fd, true, "unwatchWrite");
    }

    /** Refuses a descriptor this backend cannot watch at all (select: FD_SETSIZE and above). */
    public void requireWatchable(int fd, String what) {
        DescriptorChecks.requireWatchable(capabilities(), fd, what);
    }

    // ------------------------------------------------------------------ transports, processes, signals

    @Override
    public CompletableFuture<Server> createServer(Supplier<? extends Protocol> protocolFactory, String host, int port,
            ServerOptions options) {
        return transports.createServer(protocolFactory, host, port, options);
    }

    @Override
    public <P extends Protocol> CompletableFuture<Connection<Transport, P>> createConnection(Supplier<P> protocolFactory,
            String host, int port) {
        return transports.createConnection(protocolFactory, host, port);
    }

    @Override
    public CompletableFuture<Server> createUnixServer(Supplier<? extends Protocol> protocolFactory, Path path,
            ServerOptions options) {
        return transports.createUnixServer(protocolFactory, path, options);
    }

    @Override
    public <P extends Protocol> CompletableFuture<Connection<Transport, P>> createUnixConnection(
            Supplier<P> protocolFactory, Path path) {
        return transports.createUnixConnection(protocolFactory, path);
    }

    @Override
    public <P extends Protocol> CompletableFuture<Connection<Transport, P>> connectReadPipe(Supplier<P> protocolFactory,
            int fd) {
        return transports.connectReadPipe(protocolFactory, fd);
    }

    @Override
    public <P extends Protocol> CompletableFuture<Connection<Transport, P>> connectWritePipe(Supplier<P> protocolFactory,
            int fd) {
        return transports.connectWritePipe(protocolFactory, fd);
    }

    @Override
    public CompletableFuture<Accepted> sockAccept(int fd) {
        return transports.sockAccept(fd);
    }

    @Override
    public CompletableFuture<Void> sockConnect(int fd, SocketAddress address) {
        return transports.sockConnect(fd, address);
    }

    @Override
    public CompletableFuture<ByteBuffer> sockRecv(int fd, int maxBytes) {
        return transports.sockRecv(fd, maxBytes);
    }

    @Override
    public CompletableFuture<Integer> sockRecvInto(int fd, ByteBuffer buffer) {
        return transports.sockRecvInto(fd, buffer);
    }

    @Override
    public CompletableFuture<Void> sockSendAll(int fd, ByteBuffer data) {
        return transports.sockSendAll(fd, data);
    }

    @Override
    public <P extends SubprocessProtocol> CompletableFuture<Connection<SubprocessTransport, P>> subprocessExec(
            Supplier<P> protocolFactory, List<String> argv, ProcessOptions options) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        ProcessOptions opts = options == null ? ProcessOptions.DEFAULTS : options;
        List<String> args = List.copyOf(argv);
        checkOpen();
        capabilities().require(Capability.SUBPROCESSES, "subprocessExec(" + (args.isEmpty() ? "" : args.get(0)) + ")");
        recordUse(Capability.SUBPROCESSES, "subprocess");
        return onLoop(() -> {
            try {
                return PosixSubprocess.start(this, backend.streamIo(), exitWatcher, protocolFactory, args, opts);
            } catch (java.io.IOException e) {
                return CompletableFuture.failedFuture(e);
            }
        });
    }

    @Override
    public <P extends SubprocessProtocol> CompletableFuture<Connection<SubprocessTransport, P>> subprocessShell(
            Supplier<P> protocolFactory, String command, ProcessOptions options) {
        Objects.requireNonNull(command, "command");
        return subprocessExec(protocolFactory, List.of("/bin/sh", "-c", command), options);
    }

    /** How this loop learns of its children's exits. */
    public ExitWatcher exitWatcher() {
        return exitWatcher;
    }

    @Override
    public void addSignalHandler(String signal, Runnable callback, boolean chainJvmHandler) {
        SignalHandlers.add(this, signal, callback, chainJvmHandler);
    }

    @Override
    public boolean removeSignalHandler(String signal) {
        return SignalHandlers.remove(this, signal);
    }

    /** The servers, transports, subprocesses and signal handlers this loop owns (released by close). */
    public LoopResources resources() {
        return resources;
    }

    // ------------------------------------------------------------------ executors

    @Override
    public <T> CompletableFuture<T> runInExecutor(Executor executor, Callable<T> task) {
        return this.executor.run(executor, task);
    }

    /** The loop's own executor, created at first use (see {@link LoopExecutor}). */
    public ExecutorService defaultExecutor() {
        return executor.defaultExecutor();
    }

    // ------------------------------------------------------------------ errors and debug

    @Override
    public void setExceptionHandler(ExceptionHandler handler) {
        reporter.setHandler(handler);
    }

    @Override
    public ExceptionHandler getExceptionHandler() {
        return reporter.handler();
    }

    /** Never throws, even when the handler (the default one included) fails. */
    @Override
    public void callExceptionHandler(ExceptionContext context) {
        reporter.call(context);
    }

    /** Hands an error to the exception handler; never throws, even when building the report fails. */
    public void reportError(String message, Throwable exception, Handle handle, int fd, Throwable scheduledAt) {
        reporter.report(message, exception, handle, fd, scheduledAt);
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
    public Backend backend() {
        return backend.kind();
    }

    @Override
    public PollerKind poller() {
        return backend.pollerKind();
    }

    @Override
    public Capabilities capabilities() {
        return backend.capabilities();
    }

    @Override
    public LoopStatsSnapshot stats() {
        return metrics.stats.snapshot(new HandleCounts(registrations.readers(), registrations.writers(),
                timers.liveCount(), timers.cancelledCount(), ready.size() + inbox.pending(),
                resources.count(LoopResources.Kind.SERVER), resources.count(LoopResources.Kind.TRANSPORT),
                resources.count(LoopResources.Kind.SUBPROCESS), resources.count(LoopResources.Kind.SIGNAL)));
    }

    /** Records that the application used {@code capability} through a {@code what} (see {@link #capabilityUsage()}). */
    public void recordUse(Capability capability, String what) {
        metrics.recordUse(capability, what);
    }

    @Override
    public Map<Capability, Map<String, Long>> capabilityUsage() {
        return metrics.capabilityUsage();
    }

    @Override
    public long recentDelayNanos() {
        return metrics.recentDelayNanos();
    }

    @Override
    public void setMetricsListener(LoopMetricsListener listener) {
        metrics.setListener(listener);
    }

    @Override
    public String toString() {
        return "Loop[" + name() + ", " + backend.describe() + (isClosed() ? ", closed" : isRunning() ? ", running" : "")
                + "]";
    }
}

package dev.loop;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import dev.loop.capability.Capabilities;

/**
 * An event loop in the manner of Python's asyncio: one thread runs callbacks, timers and I/O
 * readiness callbacks, one step at a time.
 *
 * <p>A step: wait in the backend (no longer than the earliest timer, not at all if callbacks are
 * ready); queue the callbacks of ready descriptors and of due timers; run exactly the callbacks that
 * were ready when the step began (callbacks scheduled during the step run in the next one).
 *
 * <p><b>Threads.</b> Methods marked <em>loop thread</em> may be called from any thread while the
 * loop is not running, and only from the loop thread while it runs: from another thread they throw
 * {@link NotInLoopThreadException}. Use {@link #callSoonThreadsafe(Runnable)} or
 * {@link #execute(Runnable)} to hand work to the loop. The other methods are thread-safe.
 *
 * <p><b>Errors.</b> A callback that throws goes to the {@link ExceptionHandler}; the loop keeps
 * running. Operations this backend cannot do on this platform throw
 * {@link dev.loop.capability.CapabilityNotSupportedException} before any native call; on a closed
 * loop they throw {@link LoopClosedException}; bad arguments (a negative or closed descriptor) throw
 * {@link IllegalArgumentException}.
 */
public interface EventLoop extends Executor, AutoCloseable {

    /** The loop's name (from {@link LoopOptions#name()}). */
    String name();

    // ---------------------------------------------------------------- lifecycle

    /** Starts the loop on a new thread of its own, named after the options; returns at once. */
    void start();

    /**
     * Runs the loop on the calling thread until {@link #stop()}. Callbacks already queued when stop is
     * called still run in the current step. If stop was called before, runs one step and returns.
     *
     * @throws IllegalStateException if the loop is already running
     * @throws LoopClosedException   if the loop is closed
     */
    void runForever();

    /**
     * Runs the loop on the calling thread until {@code future} completes, and returns its result.
     *
     * @throws IllegalStateException if the loop stopped before the future completed
     * @throws java.util.concurrent.CompletionException if the future completed exceptionally
     */
    <T> T runUntilComplete(CompletableFuture<T> future);

    /** Asks the loop to stop after the current step. Thread-safe; wakes a waiting loop. */
    void stop();

    /**
     * Stops the loop if it runs (waiting for the current step to end when called from another
     * thread), drops pending callbacks and timers, removes every reader and writer and releases every
     * descriptor the loop owns. Idempotent.
     *
     * @throws IllegalStateException if called from a callback of this loop
     */
    @Override
    void close();

    boolean isRunning();

    boolean isClosed();

    /** Whether the calling thread is the thread running this loop. */
    boolean inLoopThread();

    // ---------------------------------------------------------------- scheduling

    /** The loop's clock: monotonic nanoseconds ({@link System#nanoTime()}). */
    long time();

    /** Schedules {@code callback} to run in the next step, in FIFO order. <em>Loop thread.</em> */
    Handle callSoon(Runnable callback);

    /**
     * Schedules {@code callback} from any thread; wakes the loop if it waits (one write, only when
     * it is parked). From the loop thread it is the same as {@link #callSoon(Runnable)}.
     */
    Handle callSoonThreadsafe(Runnable callback);

    /**
     * Schedules {@code callback} after {@code delay} (zero or negative: as soon as possible, ordered by
     * due time). Timers with equal due times run in the order they were scheduled. A timer never runs
     * before its due time. <em>Loop thread.</em>
     */
    TimerHandle callLater(Duration delay, Runnable callback);

    /** Schedules {@code callback} at {@code whenNanos} on the {@link #time()} clock. <em>Loop thread.</em> */
    TimerHandle callAt(long whenNanos, Runnable callback);

    /** Same as {@link #callSoonThreadsafe(Runnable)}, but a closed loop throws {@link java.util.concurrent.RejectedExecutionException}. */
    @Override
    void execute(Runnable command);

    // ---------------------------------------------------------------- readiness

    /**
     * Calls {@code callback} on every step while {@code fd} is readable (level-triggered). Adding again
     * replaces the callback. Any pollable descriptor: pipes, sockets, eventfd, inotify, ttys, ...; a
     * regular file or directory is refused ({@code FILE_IO_MONITORING}). <em>Loop thread.</em>
     *
     * @throws IllegalArgumentException if {@code fd} is negative or not an open descriptor
     */
    void addReader(int fd, Runnable callback);

    /** Removes the reader of {@code fd}; returns whether one was registered. <em>Loop thread.</em> */
    boolean removeReader(int fd);

    /** Like {@link #addReader(int, Runnable)}, for writability. <em>Loop thread.</em> */
    void addWriter(int fd, Runnable callback);

    /** Removes the writer of {@code fd}; returns whether one was registered. <em>Loop thread.</em> */
    boolean removeWriter(int fd);

    // ---------------------------------------------------------------- errors and debug

    /** Sets the exception handler; {@code null} restores the default (logs through {@link System.Logger}). */
    void setExceptionHandler(ExceptionHandler handler);

    ExceptionHandler getExceptionHandler();

    /** Sends {@code context} to the exception handler, as the loop does for a callback that throws. */
    void callExceptionHandler(ExceptionContext context);

    boolean isDebug();

    /** Turns debug mode on or off (creation stacks of new handles, slow-callback warnings). */
    void setDebug(boolean debug);

    /** The slow-callback threshold. */
    Duration slowCallbackThreshold();

    // ---------------------------------------------------------------- introspection

    Backend backend();

    /** The poller of a selector loop ({@code null} for a proactor). */
    PollerKind poller();

    /** What this loop can do here, with limits, reasons and alternatives. */
    Capabilities capabilities();

    /** A snapshot of the loop's counters; thread-safe. */
    LoopStatsSnapshot stats();

    /** The thread running the loop, or {@code null} if it is not running. */
    Thread thread();
}

package dev.loop.internal.engine;

import dev.loop.Backend;
import dev.loop.PollerKind;
import dev.loop.capability.Capabilities;
import dev.loop.internal.process.ExitWatcher;
import dev.loop.internal.transport.StreamIo;

/**
 * How a {@link Loop} does I/O: the one seam between the engine and an OS mechanism (as Netty's
 * {@code IoHandler} is for its {@code SingleThreadIoEventLoop}). The loop owns the ready queue, the timers and
 * the step; the backend waits for I/O, wakes up, watches descriptors and moves stream bytes. Two
 * implementations: the selector backend over a {@code Poller} (epoll, poll, select, kqueue) and the io_uring
 * backend.
 *
 * <p>Loop thread only, except {@link #wakeup()}. A backend is made for one loop ({@link Factory}) and may
 * call back into it: {@link Loop#enqueueReady}, {@link Loop#registrations()}, {@link Loop#reportError}.
 */
public interface IoBackend {

    /** Makes the backend of {@code loop}; the backend is owned by the loop from then on. */
    @FunctionalInterface
    interface Factory {
        IoBackend open(Loop loop);
    }

    /** Which backend this is. */
    Backend kind();

    /** The poller of a selector backend; null for a backend without one (io_uring). */
    PollerKind pollerKind();

    /** What this backend supports here, with its limits. */
    Capabilities capabilities();

    /**
     * Waits for I/O no longer than {@code timeoutNanos} (0: do not block; negative: no limit), and queues
     * the callbacks of ready descriptors with {@link Loop#enqueueReady}. {@code nowNanos} is the clock
     * reading the timeout was computed from. A backend that runs callbacks inside its wait (completions)
     * returns as soon as {@link Loop#hasWorkForStep()}.
     */
    void poll(long timeoutNanos, long nowNanos);

    /** Interrupts a {@link #poll} in progress, or makes the next one return at once. Any thread. */
    void wakeup();

    /**
     * The loop stopped running (its last step is over). A backend that hands work to the kernel with its next
     * wait hands it over now: a cancel prepared in the last step must not wait for a next run, holding a
     * socket the application has closed.
     */
    default void stopped() {
    }

    /** How many descriptors the backend can watch (FD_SETSIZE for select). */
    long descriptorLimit();

    /** A new, empty registration of this backend's kind (one that tracks polls in flight, say). */
    default Registrations.Registration newRegistration() {
        return new Registrations.Registration();
    }

    /**
     * Starts watching {@code fd} for reading or writing, which it did not watch; {@code reg} still shows
     * the callbacks registered before. If it throws, nothing is registered. With {@code resolveNow} (an
     * application's registration, which it may close before the loop's next wait), the backend binds the
     * registration to the file {@code fd} names now, not at its next wait.
     */
    void startWatching(int fd, Registrations.Registration reg, boolean write, boolean resolveNow);

    /** Stops watching {@code fd} for reading or writing; {@code reg} shows what is left. */
    void stopWatching(int fd, Registrations.Registration reg, boolean write);

    /** How this backend moves stream bytes: on readiness, or as completed operations. */
    StreamIo streamIo();

    /** The backend's own way of reporting process exits (kqueue's {@code EVFILT_PROC}), or null. */
    default ExitWatcher exitWatcher() {
        return null;
    }

    /** Releases the backend's descriptors and memory. Called once, on close, with the loop stopped. */
    void close();

    /** The mechanism, for {@code toString}: {@code "epoll (epoll_pwait2)"}, {@code "io_uring"}. */
    String describe();
}

package dev.loop.internal.process;

import java.util.function.IntConsumer;

/**
 * How a loop learns that its children exited, chosen once per loop (asyncio's child watchers): a pidfd
 * watched for readability ({@link PidfdExitWatcher}, Linux 5.3+), the poller's own process events
 * (kqueue's {@code EVFILT_PROC}), or a thread per child waiting in {@code waitid} ({@link ThreadExitWatcher},
 * where neither exists). Loop thread.
 */
public interface ExitWatcher {

    /**
     * Starts watching child {@code pid}; once it has exited, it is reaped and {@code onExit} gets its asyncio
     * return code (exit status, or minus the signal that ended it) on the loop thread.
     */
    Child watch(int pid, IntConsumer onExit);

    /** The mechanism, for logs and tests: {@code "pidfd"}, {@code "kqueue EVFILT_PROC"}, {@code "waiting thread"}. */
    String mechanism();

    /** One watched child. */
    interface Child {
        /** Sends {@code signal}; returns 0 or the errno ({@code ESRCH}: it exited, its exit is on its way). */
        int signal(int signal);

        /**
         * The loop closes: kills the child, stops watching it, and returns its return code (reaped now, as
         * SIGKILL cannot be ignored) or -9 when another thread reaps it. {@code onExit} is not called.
         */
        int killAndReap();
    }
}

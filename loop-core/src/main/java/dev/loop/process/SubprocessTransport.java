package dev.loop.process;

import java.util.concurrent.CompletableFuture;

import dev.loop.transport.Transport;

/**
 * A running (or finished) child process and its pipes (asyncio's {@code SubprocessTransport}).
 * <em>Loop thread</em>, except {@link #pid()}, {@link #processHandle()}, {@link #returnCode()} and
 * {@link #exitStatus()}.
 */
public interface SubprocessTransport {

    int pid();

    /**
     * The child as a {@link ProcessHandle} (asyncio's {@code get_extra_info('subprocess')}), taken when it was
     * spawned: it knows the child's start time, so once the child is gone it reports it dead and never
     * signals a process that reused the pid. Empty only when the JDK cannot see the process at all. Any
     * thread.
     */
    java.util.Optional<ProcessHandle> processHandle();

    /**
     * The transport of the pipe to child descriptor {@code fd} (0 stdin: write, 1 stdout, 2 stderr: read),
     * or {@code null} when that stream is not a pipe or the pipe is closed.
     */
    Transport pipeTransport(int fd);

    /**
     * The exit code once known: the child's exit status, or the negative signal number that killed it
     * (-9 for SIGKILL), as asyncio reports it; 255 if something else reaped the child. {@code null}
     * while it runs.
     */
    Integer returnCode();

    /**
     * Completes with {@link #returnCode()} once the child exited and every pipe is closed, so all its
     * output has been delivered.
     */
    CompletableFuture<Integer> exitStatus();

    /**
     * Sends {@code signal} (a number, e.g. 1 for SIGHUP) through the child's pidfd, so a recycled pid is
     * never hit.
     *
     * @throws ProcessExitedException if the child is known to have exited
     */
    void sendSignal(int signal);

    /** SIGTERM. */
    default void terminate() {
        sendSignal(15);
    }

    /** SIGKILL. */
    default void kill() {
        sendSignal(9);
    }

    /**
     * Closes the pipes; a child still running is killed (SIGKILL) and reaped when it dies. Idempotent.
     */
    void close();

    boolean isClosing();
}

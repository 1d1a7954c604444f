package dev.loop.internal.nativeio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.loop.NativeException;

/**
 * The calling thread's timer slack on Linux: how far the kernel may defer the end of its timed waits
 * (epoll_pwait2, ppoll, select, io_uring_enter) to batch wake-ups with other timers. 50 us by default, which
 * is most of the lateness of a sub-millisecond timer on an idle machine.
 */
public final class TimerSlack {

    private static final int PR_SET_TIMERSLACK = 29;
    private static final int PR_GET_TIMERSLACK = 30;
    /** The most the loop sets: PR_GET_TIMERSLACK reads back an int. */
    public static final long MAX_NANOS = 1_000_000_000L;

    private TimerSlack() {
    }

    /**
     * Sets the calling thread's slack to {@code nanos} (1 ns to 1 s; prctl would take 0 as "the default") and
     * returns the slack now in force, read back from the thread.
     */
    public static long set(long nanos) {
        if (nanos < 1 || nanos > MAX_NANOS) {
            throw new IllegalArgumentException("timer slack must be 1 ns to 1 s: " + nanos + " ns");
        }
        if (LibC.prctl(PR_SET_TIMERSLACK, nanos, 0, 0, 0) != 0) {
            throw new NativeException("prctl(PR_SET_TIMERSLACK, " + nanos + ")", LibC.errno());
        }
        return get();
    }

    /** The calling thread's slack ({@code prctl(PR_GET_TIMERSLACK)}, so at most about 2.1 s). */
    public static long get() {
        int slack = LibC.prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
        if (slack < 0) {
            throw new NativeException("prctl(PR_GET_TIMERSLACK)", LibC.errno());
        }
        return slack;
    }

    /**
     * The slack of the calling thread as {@code /proc} shows it ({@code /proc/<tid>/timerslack_ns}, Linux
     * 4.6+), a second way to read it; -1 when {@code /proc} does not say.
     */
    public static long fromProc() {
        try {
            Path self = Files.readSymbolicLink(Path.of("/proc/thread-self")); // <pid>/task/<tid>
            String tid = self.getFileName().toString();
            return Long.parseLong(Files.readString(Path.of("/proc", tid, "timerslack_ns")).trim());
        } catch (IOException | NumberFormatException | UnsupportedOperationException | SecurityException e) {
            return -1;
        }
    }
}

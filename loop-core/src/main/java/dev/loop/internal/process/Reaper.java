package dev.loop.internal.process;

import java.lang.System.Logger.Level;

import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.nativeio.NativeMemory;

/** Reaps an exited child with {@code waitid(WEXITED)}. */
public final class Reaper {

    private static final System.Logger LOG = dev.loop.LoopLogging.getLogger("dev.loop.process");

    private Reaper() {
    }

    /**
     * Waits for child {@code id} ({@code idType}: {@code P_PID} or {@code P_PIDFD}) and reaps it. Returns the
     * asyncio return code (exit status, or minus the signal number); 255 when the child was reaped by someone
     * else (ECHILD), as asyncio reports it.
     */
    public static int reap(int idType, int id) {
        try (NativeMemory info = new NativeMemory(Linux.SIGINFO_SIZE)) {
            while (true) {
                int r = LibC.waitid(idType, id, info.address(), Linux.WEXITED);
                if (r == 0) {
                    int code = info.buffer().getInt(Linux.SIGINFO_CODE_OFFSET);
                    int status = info.buffer().getInt(Linux.SIGINFO_STATUS_OFFSET);
                    return code == Linux.CLD_EXITED ? status : -status;
                }
                int errno = LibC.errno();
                if (errno != Errno.EINTR) {
                    LOG.log(Level.WARNING, "waitid for child " + id + " failed: " + Errno.name(errno)
                            + "; reporting return code 255");
                    return 255;
                }
            }
        }
    }

    /**
     * Waits until child {@code pid} exited, leaving it unreaped (a zombie, whose pid no other process can
     * take) for {@link #reap}. Returns at once if it cannot wait (ECHILD: reaped by someone else).
     */
    static void awaitExit(int pid) {
        try (NativeMemory info = new NativeMemory(Linux.SIGINFO_SIZE)) {
            while (LibC.waitid(Linux.P_PID, pid, info.address(), Linux.WEXITED | Linux.WNOWAIT) != 0
                    && LibC.errno() == Errno.EINTR) {
                // interrupted by a signal for this thread: wait on
            }
        }
    }

    /** Sends {@code signal} to {@code pid} with kill(2); 0 or the errno. */
    static int kill(int pid, int signal) {
        return LibC.kill(pid, signal) == 0 ? 0 : LibC.errno();
    }
}

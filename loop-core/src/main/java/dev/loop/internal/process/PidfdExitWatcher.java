package dev.loop.internal.process;

import java.lang.System.Logger.Level;
import java.util.function.IntConsumer;

import dev.loop.internal.engine.Loop;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;

/**
 * A pidfd per child (Linux 5.3+), watched for readability like any descriptor: it becomes readable when the
 * child exits; signals go through it too, so they can never reach a process that reused the pid. A child
 * whose pidfd cannot be opened (no descriptor left) is watched by a waiting thread instead.
 */
public final class PidfdExitWatcher implements ExitWatcher {

    private static final System.Logger LOG = dev.loop.LoopLogging.getLogger("dev.loop.process");

    private final Loop loop;
    private final ThreadExitWatcher fallback;

    public PidfdExitWatcher(Loop loop) {
        this.loop = loop;
        this.fallback = new ThreadExitWatcher(loop);
    }

    /** Whether this kernel opens pidfds: {@code pidfd_open} of this process, tried once. */
    public static boolean supported() {
        int fd = (int) LibC.syscall(Linux.SYS_PIDFD_OPEN, ProcessHandle.current().pid(), 0, 0, 0, 0, 0);
        if (fd < 0) {
            return false;
        }
        LibC.close(fd);
        return true;
    }

    @Override
    public Child watch(int pid, IntConsumer onExit) {
        int pidfd = (int) LibC.syscall(Linux.SYS_PIDFD_OPEN, pid, 0, 0, 0, 0, 0);
        if (pidfd < 0) {
            int errno = LibC.errno();
            LOG.log(Level.DEBUG, () -> "pidfd_open failed (" + Errno.name(errno) + "): waiting for pid " + pid
                    + " on a thread");
            return fallback.watch(pid, onExit);
        }
        boolean[] reaped = {false};
        loop.watchRead(pidfd, () -> {
            loop.unwatchRead(pidfd);
            int rc = Reaper.reap(Linux.P_PIDFD, pidfd);
            reaped[0] = true;
            LibC.close(pidfd);
            onExit.accept(rc);
        });
        return new Child() {
            @Override
            public int signal(int signal) {
                if (reaped[0]) {
                    return Errno.ESRCH;
                }
                return LibC.syscall(Linux.SYS_PIDFD_SEND_SIGNAL, pidfd, signal, 0, 0, 0, 0) == 0 ? 0 : LibC.errno();
            }

            @Override
            public int killAndReap() {
                if (reaped[0]) {
                    return -9;
                }
                reaped[0] = true;
                LibC.syscall(Linux.SYS_PIDFD_SEND_SIGNAL, pidfd, 9, 0, 0, 0, 0);
                int rc = Reaper.reap(Linux.P_PIDFD, pidfd);
                LibC.close(pidfd);
                return rc;
            }
        };
    }

    @Override
    public String mechanism() {
        return "pidfd";
    }
}

package dev.loop.internal.process;

import dev.loop.process.ProcessExitedException;
import dev.loop.process.ProcessOptions;
import dev.loop.process.SubprocessProtocol;
import dev.loop.process.SubprocessTransport;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.loop.ExceptionContext;
import dev.loop.LoopClosedException;
import dev.loop.NativeIOException;
import dev.loop.internal.engine.BaseEventLoop;
import dev.loop.internal.engine.LoopResources;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.nativeio.NativeMemory;
import dev.loop.transport.Connection;
import dev.loop.transport.Protocol;
import dev.loop.internal.transport.AbstractStreamTransport;
import dev.loop.internal.transport.StreamIo;
import dev.loop.transport.Transport;

/**
 * A child started by {@link ProcessSpawner}, its pipes as the loop's stream transports, and its exit.
 *
 * <p>Exit is noticed through a pidfd ({@code pidfd_open}, Linux 5.3) registered as a reader: when it is
 * readable the child is reaped with {@code waitid(P_PIDFD)}. A backend that watches processes itself
 * (kqueue: {@code EVFILT_PROC}, {@code NOTE_EXIT}) reports the exit instead, and the child is reaped
 * with {@code waitid(P_PID)}. Where pidfds are missing (older kernels,
 * seccomp) a daemon thread per child waits in {@code waitid(P_PID)} instead. Either way only this
 * child is reaped (never {@code waitpid(-1)}, which would steal the JDK's own children), and it is
 * always reaped: closing the transport or the loop kills a running child and still reaps it.
 */
public final class PosixSubprocess implements SubprocessTransport {

    private static final System.Logger LOG = System.getLogger("dev.loop.process");

    /**
     * System property: {@code false} makes every child use the waiting-thread fallback, as on a kernel
     * without pidfds (for tests, and as an escape hatch). Read at each spawn.
     */
    public static final String USE_PIDFD_PROPERTY = "dev.loop.process.pidfd";

    private final BaseEventLoop loop;
    private final SubprocessProtocol protocol;
    private final int pid;
    private final int pidfd;
    private final StreamIo io;
    private final AbstractStreamTransport[] pipes = new AbstractStreamTransport[3];
    private final CompletableFuture<Integer> exitStatus = new CompletableFuture<>();
    /** Graceful: SIGTERM to a running child (the loop's close kills what still runs at its deadline). */
    private final LoopResources.Resource resource = LoopResources.Resource.of(this, this::terminateIfRunning,
            this::release);
    private volatile Integer returnCode;
    private boolean closing;
    private boolean finished;
    /** The backend watches this child's exit (kqueue); nobody else reaps it. */
    private boolean exitWatched;
    private int openPipes;

    private PosixSubprocess(BaseEventLoop loop, StreamIo io, SubprocessProtocol protocol, int pid, int pidfd) {
        this.loop = loop;
        this.io = io;
        this.protocol = protocol;
        this.pid = pid;
        this.pidfd = pidfd;
    }

    /** Spawns and wires a child; loop thread. */
    public static <P extends SubprocessProtocol> CompletableFuture<Connection<SubprocessTransport, P>> start(
            BaseEventLoop loop, StreamIo io, Supplier<P> factory, List<String> argv, ProcessOptions options) throws java.io.IOException {
        P protocol = factory.get();
        if (protocol == null) {
            throw new NullPointerException("protocol factory returned null");
        }
        ProcessSpawner.Spawned child = ProcessSpawner.spawn(List.copyOf(argv), options);
        boolean byBackend = loop.watchesExits(); // kqueue: EVFILT_PROC
        boolean usePidfd = !byBackend && !"false".equals(System.getProperty(USE_PIDFD_PROPERTY));
        int pidfd = usePidfd ? (int) LibC.syscall(Linux.SYS_PIDFD_OPEN, child.pid(), 0, 0, 0, 0, 0) : -1;
        int pidfdErrno = pidfd < 0 ? (usePidfd ? LibC.errno() : Errno.ENOSYS) : 0;
        PosixSubprocess p = new PosixSubprocess(loop, io, protocol, child.pid(), pidfd);
        loop.resources().add(LoopResources.Kind.SUBPROCESS, p.resource);
        if (byBackend) {
            p.exitWatched = true;
            loop.watchExit(child.pid(), p::exitReported);
        } else if (pidfd >= 0) {
            loop.watchRead(pidfd, p::pidfdReadable);
        } else {
            LOG.log(Level.DEBUG, () -> "pidfd_open failed (" + Errno.name(pidfdErrno) + "): waiting for pid "
                    + child.pid() + " on a thread");
            p.waitOnThread();
        }
        List<CompletableFuture<?>> made = new ArrayList<>();
        int[] ends = {child.stdin(), child.stdout(), child.stderr()};
        for (int fd = 0; fd < 3; fd++) {
            if (ends[fd] >= 0) {
                made.add(p.connectPipe(fd, ends[fd]));
            }
        }
        CompletableFuture<Connection<SubprocessTransport, P>> result = new CompletableFuture<>();
        CompletableFuture.allOf(made.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
            try {
                protocol.connectionMade(p);
                result.complete(new Connection<>(p, protocol));
            } catch (RuntimeException | Error ex) {
                result.completeExceptionally(ex);
                p.close();
            }
        });
        return result;
    }

    private CompletableFuture<Void> connectPipe(int childFd, int fd) {
        openPipes++;
        CompletableFuture<Void> made = new CompletableFuture<>();
        Protocol adapter = new Protocol() {
            @Override
            public void dataReceived(ByteBuffer data) {
                protocol.pipeDataReceived(childFd, data);
            }

            @Override
            public void connectionLost(Throwable cause) {
                pipes[childFd] = null;
                openPipes--;
                try {
                    protocol.pipeConnectionLost(childFd, cause);
                } finally {
                    tryFinish();
                }
            }

            @Override
            public void pauseWriting() {
                protocol.pauseWriting();
            }

            @Override
            public void resumeWriting() {
                protocol.resumeWriting();
            }
        };
        AbstractStreamTransport t = io.newTransport(fd, childFd == 0 ? AbstractStreamTransport.Kind.WRITE_PIPE
                : AbstractStreamTransport.Kind.READ_PIPE, adapter, childFd == 0);
        pipes[childFd] = t;
        t.start(made, () -> null);
        return made;
    }

    // ---------------------------------------------------------------- exit

    private void pidfdReadable() {
        loop.unwatchRead(pidfd);
        int rc = reap(Linux.P_PIDFD, pidfd, false);
        LibC.close(pidfd);
        exited(rc);
    }

    /** The backend saw the exit (EVFILT_PROC): reap it now; it does not block. */
    private void exitReported() {
        exitWatched = false;
        exited(reap(Linux.P_PID, pid, false));
    }

    private void waitOnThread() {
        Thread t = new Thread(() -> {
            int rc = reap(Linux.P_PID, pid, false);
            try {
                loop.callSoonThreadsafe(() -> exited(rc));
            } catch (LoopClosedException e) {
                // reaped; the loop is gone, and with it everyone who cared
            }
        }, "loop-reaper-" + pid);
        t.setDaemon(true);
        t.start();
    }

    /**
     * {@code waitid(WEXITED)}: the asyncio return code (exit status, or minus the signal number); 255 when
     * the child was reaped by someone else (ECHILD), as asyncio reports it.
     */
    private static int reap(int idType, int id, boolean noHang) {
        try (NativeMemory info = new NativeMemory(Linux.SIGINFO_SIZE)) {
            while (true) {
                int r = LibC.waitid(idType, id, info.address(), Linux.WEXITED | (noHang ? Linux.WNOHANG : 0));
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

    private void exited(int rc) {
        if (returnCode != null) {
            return;
        }
        returnCode = rc;
        try {
            protocol.processExited();
        } catch (RuntimeException | Error e) {
            loop.reportError("protocol.processExited() failed", e, null, -1, null);
        }
        tryFinish();
    }

    /** asyncio's {@code _try_finish}: connectionLost once exited and every pipe closed. */
    private void tryFinish() {
        if (finished || returnCode == null || openPipes > 0) {
            return;
        }
        finished = true;
        loop.callSoon(() -> {
            loop.resources().remove(LoopResources.Kind.SUBPROCESS, resource);
            try {
                protocol.connectionLost(null);
            } finally {
                exitStatus.complete(returnCode);
            }
        });
    }

    // ---------------------------------------------------------------- SubprocessTransport

    @Override
    public int pid() {
        return pid;
    }

    @Override
    public Transport pipeTransport(int fd) {
        return fd >= 0 && fd < 3 ? pipes[fd] : null;
    }

    @Override
    public Integer returnCode() {
        return returnCode;
    }

    @Override
    public CompletableFuture<Integer> exitStatus() {
        return exitStatus;
    }

    @Override
    public void sendSignal(int signal) {
        loop.checkThread("SubprocessTransport.sendSignal");
        if (returnCode != null) {
            throw new ProcessExitedException(pid, returnCode);
        }
        long r = pidfd >= 0 ? LibC.syscall(Linux.SYS_PIDFD_SEND_SIGNAL, pidfd, signal, 0, 0, 0, 0)
                : LibC.kill(pid, signal);
        if (r != 0) {
            int errno = LibC.errno();
            if (errno == Errno.ESRCH) {
                return; // exited, not reaped yet: the exit is on its way
            }
            throw new IllegalStateException(new NativeIOException("pidfd_send_signal", errno, "pid " + pid));
        }
    }

    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        for (AbstractStreamTransport t : pipes) {
            if (t != null) {
                t.close();
            }
        }
        if (returnCode == null) {
            LOG.log(Level.DEBUG, () -> "Close running child process: kill pid " + pid);
            sendSignal(9);
        }
    }

    private void terminateIfRunning() {
        if (returnCode == null) {
            sendSignal(15);
        }
    }

    @Override
    public boolean isClosing() {
        return closing;
    }

    /** At loop close: kill a running child and reap it now (SIGKILL cannot be ignored). */
    private void release() {
        if (returnCode != null) {
            return;
        }
        if (pidfd >= 0) {
            LibC.syscall(Linux.SYS_PIDFD_SEND_SIGNAL, pidfd, 9, 0, 0, 0, 0);
            returnCode = reap(Linux.P_PIDFD, pidfd, false);
            LibC.close(pidfd);
        } else if (exitWatched) {
            loop.unwatchExit(pid);
            LibC.kill(pid, 9);
            returnCode = reap(Linux.P_PID, pid, false); // SIGKILL cannot be ignored: this returns at once
        } else {
            LibC.kill(pid, 9); // the reaper thread reaps it
            returnCode = -9;
        }
        exitStatus.complete(returnCode);
    }

    @Override
    public String toString() {
        return "PosixSubprocess[pid=" + pid + (returnCode != null ? ", returncode=" + returnCode : ", running") + "]";
    }
}

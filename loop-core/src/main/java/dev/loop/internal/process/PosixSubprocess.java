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

import dev.loop.NativeIOException;
import dev.loop.internal.engine.Futures;
import dev.loop.internal.engine.Loop;
import dev.loop.internal.engine.LoopResources;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.LibC;
import dev.loop.transport.Connection;
import dev.loop.transport.Protocol;
import dev.loop.internal.transport.ReadPipeTransport;
import dev.loop.internal.transport.StreamTransport;
import dev.loop.internal.transport.WritePipeTransport;
import dev.loop.internal.transport.StreamIo;
import dev.loop.transport.Transport;

/**
 * A child started by {@link ProcessSpawner}, its pipes as the loop's stream transports, and its exit.
 *
 * <p>Its exit comes from the loop's {@link ExitWatcher} (a pidfd, the poller's process events, or a waiting
 * thread). Either way only this child is reaped (never {@code waitpid(-1)}, which would steal the JDK's own
 * children), and it is always reaped: closing the transport or the loop kills a running child and still
 * reaps it.
 */
public final class PosixSubprocess implements SubprocessTransport {

    private static final System.Logger LOG = dev.loop.LoopLogging.getLogger("dev.loop.process");

    /**
     * System property: {@code false} makes the loops created from then on watch their children with waiting
     * threads, as on a kernel without pidfds (for tests, and as an escape hatch).
     */
    public static final String USE_PIDFD_PROPERTY = "dev.loop.process.pidfd";

    private final Loop loop;
    private final SubprocessProtocol protocol;
    private final int pid;
    /** The child leads its own process group, which gets the shutdown signals (ProcessOptions.processGroup). */
    private final boolean group;
    /** Taken at spawn, while the child cannot have been reaped: it carries the start time. */
    private final java.util.Optional<ProcessHandle> handle;
    /** Set once the child is watched, right after the spawn. */
    private ExitWatcher.Child watched;
    private final StreamIo io;
    private final StreamTransport[] pipes = new StreamTransport[3];
    private final CompletableFuture<Integer> exitStatus = new CompletableFuture<>();
    /** Graceful: SIGTERM to a running child (the loop's close kills what still runs at its deadline). */
    private final LoopResources.Resource resource = LoopResources.Resource.of(this, this::terminateIfRunning,
            this::release);
    private volatile Integer returnCode;
    private boolean closing;
    private boolean finished;
    private int openPipes;

    private PosixSubprocess(Loop loop, StreamIo io, SubprocessProtocol protocol, int pid, boolean group) {
        this.loop = loop;
        this.io = io;
        this.protocol = protocol;
        this.pid = pid;
        this.group = group;
        this.handle = ProcessHandle.of(pid);
    }

    /** Spawns and wires a child; loop thread. */
    public static <P extends SubprocessProtocol> CompletableFuture<Connection<SubprocessTransport, P>> start(
            Loop loop, StreamIo io, ExitWatcher exits, Supplier<P> factory, List<String> argv, ProcessOptions options)
            throws java.io.IOException {
        P protocol = factory.get();
        if (protocol == null) {
            throw new NullPointerException("protocol factory returned null");
        }
        ProcessSpawner.Spawned child = ProcessSpawner.spawn(List.copyOf(argv), options);
        PosixSubprocess p = new PosixSubprocess(loop, io, protocol, child.pid(), options.processGroup());
        loop.resources().add(LoopResources.Kind.SUBPROCESS, p.resource);
        p.watched = exits.watch(child.pid(), p::exited);
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
                Futures.deliver(result, new Connection<>(p, protocol)); // given up on meanwhile: the child is killed
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
        StreamTransport t = childFd == 0 ? new WritePipeTransport(loop, io, fd, adapter, true)
                : new ReadPipeTransport(loop, io, fd, adapter);
        pipes[childFd] = t;
        t.start(made, () -> null);
        return made;
    }

    // ---------------------------------------------------------------- exit

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
    public java.util.Optional<ProcessHandle> processHandle() {
        return handle;
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
        int errno = watched.signal(signal);
        if (errno != 0) {
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
        for (StreamTransport t : pipes) {
            if (t != null) {
                t.close();
            }
        }
        if (returnCode == null) {
            LOG.log(Level.DEBUG, () -> "Close running child process: kill pid " + pid);
            signalForShutdown(9);
        }
    }

    private void terminateIfRunning() {
        if (returnCode == null) {
            signalForShutdown(15);
        }
    }

    /**
     * A shutdown's signal: to the child's whole process group when it leads one (the group's id is the child's
     * pid, which cannot be reused while the child is unreaped or the group has members), else to the child.
     */
    private void signalForShutdown(int signal) {
        if (group) {
            LibC.kill(-pid, signal); // ESRCH: the group is empty already
        } else {
            sendSignal(signal);
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
        if (group) {
            LibC.kill(-pid, 9); // the child's children too; the child itself is killed and reaped next
        }
        returnCode = watched.killAndReap();
        exitStatus.complete(returnCode);
    }

    @Override
    public String toString() {
        return "PosixSubprocess[pid=" + pid + (returnCode != null ? ", returncode=" + returnCode : ", running") + "]";
    }
}

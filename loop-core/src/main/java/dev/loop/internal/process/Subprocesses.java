package dev.loop.internal.process;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.loop.capability.Capability;
import dev.loop.internal.engine.Loop;
import dev.loop.internal.transport.StreamIo;
import dev.loop.process.ProcessOptions;
import dev.loop.process.SubprocessProtocol;
import dev.loop.process.SubprocessTransport;
import dev.loop.transport.Connection;

/** A loop's children: spawned with their pipes on the loop's {@link StreamIo}, their exits learnt one way, chosen once. */
public final class Subprocesses {

    private final Loop loop;
    private final StreamIo io;
    private final ExitWatcher exits;

    /**
     * The backend's own exit events ({@code byBackend}, kqueue) if it has them, else pidfds where the kernel
     * has them (unless {@value PosixSubprocess#USE_PIDFD_PROPERTY} is {@code false}), else a waiting thread per
     * child.
     */
    public Subprocesses(Loop loop, StreamIo io, ExitWatcher byBackend) {
        this.loop = loop;
        this.io = io;
        if (byBackend != null) {
            this.exits = byBackend;
        } else {
            boolean pidfds = !"false".equals(System.getProperty(PosixSubprocess.USE_PIDFD_PROPERTY))
                    && PidfdExitWatcher.supported();
            this.exits = pidfds ? new PidfdExitWatcher(loop) : new ThreadExitWatcher(loop);
        }
    }

    /** How this loop learns of its children's exits. */
    public ExitWatcher exitWatcher() {
        return exits;
    }

    /** {@link dev.loop.EventLoop#subprocessExec}. */
    public <P extends SubprocessProtocol> CompletableFuture<Connection<SubprocessTransport, P>> exec(
            Supplier<P> protocolFactory, List<String> argv, ProcessOptions options) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        ProcessOptions opts = options == null ? ProcessOptions.DEFAULTS : options;
        List<String> args = List.copyOf(argv);
        loop.checkOpen();
        loop.capabilities().require(Capability.SUBPROCESSES,
                "subprocessExec(" + (args.isEmpty() ? "" : args.get(0)) + ")");
        loop.recordUse(Capability.SUBPROCESSES, "subprocess");
        return loop.onLoop(() -> {
            try {
                return PosixSubprocess.start(loop, io, exits, protocolFactory, args, opts);
            } catch (java.io.IOException e) {
                return CompletableFuture.failedFuture(e);
            }
        });
    }
}

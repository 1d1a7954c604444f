package dev.loop.selector;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.loop.LoopOptions;
import dev.loop.capability.Capability;
import dev.loop.engine.BaseEventLoop;
import dev.loop.process.PosixSubprocess;
import dev.loop.process.ProcessOptions;
import dev.loop.process.SubprocessProtocol;
import dev.loop.process.SubprocessTransport;
import dev.loop.signal.SignalHandlers;
import dev.loop.transport.Accepted;
import dev.loop.transport.Connection;
import dev.loop.transport.Protocol;
import dev.loop.transport.LoopTransports;
import dev.loop.transport.ReadinessStreamIo;
import dev.loop.transport.StreamIo;
import dev.loop.transport.Server;
import dev.loop.transport.ServerOptions;
import dev.loop.transport.Transport;

/**
 * A loop with readiness callbacks ({@link #addReader}/{@link #addWriter}) and everything built above a
 * {@link StreamIo}: transports, servers, subprocesses and signals. The selector loop (whatever its poller)
 * moves stream bytes on readiness too; the proactor brings its own {@link StreamIo}.
 */
public abstract class ReadinessEventLoop extends BaseEventLoop {

    private final StreamIo streamIo;
    private final LoopTransports transports;

    /** A loop whose stream I/O is done on its readiness callbacks. */
    protected ReadinessEventLoop(LoopOptions options) {
        this(options, ReadinessStreamIo::new);
    }

    /** A loop whose stream I/O is {@code io}, made for this loop (it may keep the loop, nothing more). */
    protected ReadinessEventLoop(LoopOptions options, java.util.function.Function<ReadinessEventLoop, StreamIo> io) {
        super(options);
        this.streamIo = io.apply(this);
        this.transports = new LoopTransports(this, streamIo);
    }

    /** How this loop moves stream bytes. */
    protected final StreamIo streamIo() {
        return streamIo;
    }

    /**
     * Registers {@code callback} for readability or writability of {@code fd}, replacing an earlier one;
     * returns whether it is new (not a replacement). <em>Loop thread.</em>
     */
    protected abstract boolean register(int fd, Runnable callback, boolean write, String method);

    /** Removes the callback; returns whether there was one. */
    protected abstract boolean unregister(int fd, boolean write, String method);

    // ------------------------------------------------------------------ readiness API

    @Override
    public final void addReader(int fd, Runnable callback) {
        if (register(fd, callback, false, "addReader")) {
            recordUse(Capability.READINESS_CALLBACKS, "reader");
        }
    }

    @Override
    public final void addWriter(int fd, Runnable callback) {
        if (register(fd, callback, true, "addWriter")) {
            recordUse(Capability.READINESS_CALLBACKS, "writer");
        }
    }

    @Override
    public final boolean removeReader(int fd) {
        return unregister(fd, false, "removeReader");
    }

    @Override
    public final boolean removeWriter(int fd) {
        return unregister(fd, true, "removeWriter");
    }

    // The loop's own transports, servers and processes: not counted as the application's use.

    @Override
    public final void watchRead(int fd, Runnable callback) {
        register(fd, callback, false, "watchRead");
    }

    @Override
    public final boolean unwatchRead(int fd) {
        return unregister(fd, false, "unwatchRead");
    }

    @Override
    public final void watchWrite(int fd, Runnable callback) {
        register(fd, callback, true, "watchWrite");
    }

    @Override
    public final boolean unwatchWrite(int fd) {
        return unregister(fd, true, "unwatchWrite");
    }

    // ------------------------------------------------------------------ transports, processes, signals

    @Override
    public CompletableFuture<Server> createServer(Supplier<? extends Protocol> protocolFactory, String host, int port,
            ServerOptions options) {
        return transports.createServer(protocolFactory, host, port, options);
    }

    @Override
    public <P extends Protocol> CompletableFuture<Connection<Transport, P>> createConnection(Supplier<P> protocolFactory,
            String host, int port) {
        return transports.createConnection(protocolFactory, host, port);
    }

    @Override
    public CompletableFuture<Server> createUnixServer(Supplier<? extends Protocol> protocolFactory, Path path,
            ServerOptions options) {
        return transports.createUnixServer(protocolFactory, path, options);
    }

    @Override
    public <P extends Protocol> CompletableFuture<Connection<Transport, P>> createUnixConnection(
            Supplier<P> protocolFactory, Path path) {
        return transports.createUnixConnection(protocolFactory, path);
    }

    @Override
    public <P extends Protocol> CompletableFuture<Connection<Transport, P>> connectReadPipe(Supplier<P> protocolFactory,
            int fd) {
        return transports.connectReadPipe(protocolFactory, fd);
    }

    @Override
    public <P extends Protocol> CompletableFuture<Connection<Transport, P>> connectWritePipe(Supplier<P> protocolFactory,
            int fd) {
        return transports.connectWritePipe(protocolFactory, fd);
    }

    @Override
    public CompletableFuture<Accepted> sockAccept(int fd) {
        return transports.sockAccept(fd);
    }

    @Override
    public CompletableFuture<Void> sockConnect(int fd, SocketAddress address) {
        return transports.sockConnect(fd, address);
    }

    @Override
    public CompletableFuture<ByteBuffer> sockRecv(int fd, int maxBytes) {
        return transports.sockRecv(fd, maxBytes);
    }

    @Override
    public CompletableFuture<Integer> sockRecvInto(int fd, ByteBuffer buffer) {
        return transports.sockRecvInto(fd, buffer);
    }

    @Override
    public CompletableFuture<Void> sockSendAll(int fd, ByteBuffer data) {
        return transports.sockSendAll(fd, data);
    }

    @Override
    public <P extends SubprocessProtocol> CompletableFuture<Connection<SubprocessTransport, P>> subprocessExec(
            Supplier<P> protocolFactory, List<String> argv, ProcessOptions options) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        ProcessOptions opts = options == null ? ProcessOptions.DEFAULTS : options;
        List<String> args = List.copyOf(argv);
        checkOpen();
        capabilities().require(Capability.SUBPROCESSES, "subprocessExec(" + (args.isEmpty() ? "" : args.get(0)) + ")");
        recordUse(Capability.SUBPROCESSES, "subprocess");
        return onLoop(() -> {
            try {
                return PosixSubprocess.start(this, streamIo, protocolFactory, args, opts);
            } catch (java.io.IOException e) {
                return CompletableFuture.failedFuture(e);
            }
        });
    }

    @Override
    public <P extends SubprocessProtocol> CompletableFuture<Connection<SubprocessTransport, P>> subprocessShell(
            Supplier<P> protocolFactory, String command, ProcessOptions options) {
        Objects.requireNonNull(command, "command");
        return subprocessExec(protocolFactory, List.of("/bin/sh", "-c", command), options);
    }

    @Override
    public void addSignalHandler(String signal, Runnable callback, boolean chainJvmHandler) {
        SignalHandlers.add(this, signal, callback, chainJvmHandler);
    }

    @Override
    public boolean removeSignalHandler(String signal) {
        return SignalHandlers.remove(this, signal);
    }
}

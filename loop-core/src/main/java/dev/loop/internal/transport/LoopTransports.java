package dev.loop.internal.transport;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.loop.internal.engine.Loop;
import dev.loop.transport.Accepted;
import dev.loop.transport.Connection;
import dev.loop.transport.Protocol;
import dev.loop.transport.Server;
import dev.loop.transport.ServerOptions;
import dev.loop.transport.Transport;

/**
 * A loop's streams, by concern: TCP, unix sockets, pipes and the sock_* operations, all over the loop's
 * {@link StreamIo} (readiness callbacks, or io_uring operations on the proactor), with names resolved off the
 * loop thread. Every method may be called from any thread: from another thread while the loop runs, the work
 * is handed to the loop; futures complete on the loop thread (or at once, on the caller's, when the result is
 * known without waiting).
 */
public final class LoopTransports {

    private final TcpTransports tcp;
    private final UnixTransports unix;
    private final PipeTransports pipes;
    private final SocketOperations sockets;

    public LoopTransports(Loop loop, StreamIo io) {
        NameResolver resolver = new NameResolver(loop);
        StreamSockets streams = new StreamSockets(loop, io);
        this.tcp = new TcpTransports(loop, streams, resolver);
        this.unix = new UnixTransports(loop, streams);
        this.pipes = new PipeTransports(loop, io);
        this.sockets = new SocketOperations(loop, io, resolver);
    }

    public CompletableFuture<Server> createServer(Supplier<? extends Protocol> factory, String host, int port,
            ServerOptions options) {
        return tcp.createServer(factory, host, port, options);
    }

    public <P extends Protocol> CompletableFuture<Connection<Transport, P>> createConnection(Supplier<P> factory,
            String host, int port) {
        return tcp.createConnection(factory, host, port);
    }

    public CompletableFuture<Server> createUnixServer(Supplier<? extends Protocol> factory, Path path,
            ServerOptions options) {
        return unix.createUnixServer(factory, path, options);
    }

    public <P extends Protocol> CompletableFuture<Connection<Transport, P>> createUnixConnection(Supplier<P> factory,
            Path path) {
        return unix.createUnixConnection(factory, path);
    }

    public <P extends Protocol> CompletableFuture<Connection<Transport, P>> connectReadPipe(Supplier<P> factory, int fd) {
        return pipes.connectReadPipe(factory, fd);
    }

    public <P extends Protocol> CompletableFuture<Connection<Transport, P>> connectWritePipe(Supplier<P> factory,
            int fd) {
        return pipes.connectWritePipe(factory, fd);
    }

    public CompletableFuture<Accepted> sockAccept(int fd) {
        return sockets.sockAccept(fd);
    }

    public CompletableFuture<Void> sockConnect(int fd, SocketAddress address) {
        return sockets.sockConnect(fd, address);
    }

    public CompletableFuture<ByteBuffer> sockRecv(int fd, int maxBytes) {
        return sockets.sockRecv(fd, maxBytes);
    }

    public CompletableFuture<Integer> sockRecvInto(int fd, ByteBuffer buffer) {
        return sockets.sockRecvInto(fd, buffer);
    }

    public CompletableFuture<Void> sockSendAll(int fd, ByteBuffer data) {
        return sockets.sockSendAll(fd, data);
    }
}

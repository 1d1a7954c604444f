package dev.loop.internal.transport;

import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.loop.NativeIOException;
import dev.loop.internal.engine.Loop;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.transport.Connection;
import dev.loop.transport.Protocol;
import dev.loop.transport.Server;
import dev.loop.transport.ServerOptions;
import dev.loop.transport.Transport;

/** What TCP and unix sockets share: connecting a new socket, a transport on a connected one, listening. */
record StreamSockets(Loop loop, StreamIo io) {

    /** A new socket connected to {@code target}: its descriptor, owned by the future's consumer. */
    CompletableFuture<Integer> connect(SocketAddress target) {
        int fd;
        try {
            fd = Sockets.openStream(target);
        } catch (NativeIOException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Void> done = io.connect(fd, target, true);
        CompletableFuture<Integer> result = new CompletableFuture<>();
        done.whenComplete((v, e) -> {
            if (e != null) {
                result.completeExceptionally(e); // connect closed the socket
            } else if (!result.complete(fd)) {
                LibC.close(fd); // connected after the caller gave up
            }
        });
        result.whenComplete((v, e) -> {
            if (result.isCancelled()) {
                done.cancel(false);
            }
        });
        return result;
    }

    /** A transport on connected socket {@code fd}, which it owns from now on (closed if starting fails). */
    <P extends Protocol> CompletableFuture<Connection<Transport, P>> start(int fd, Supplier<P> factory, boolean tcp) {
        CompletableFuture<Connection<Transport, P>> made = new CompletableFuture<>();
        try {
            if (tcp) {
                Sockets.setOption(fd, Linux.IPPROTO_TCP, Linux.TCP_NODELAY, 1);
            }
            P protocol = factory.get();
            StreamTransport t = new SocketTransport(loop, io, fd, protocol);
            t.start(made, () -> new Connection<>(t, protocol));
        } catch (NativeIOException | RuntimeException | Error e) {
            LibC.close(fd);
            made.completeExceptionally(e);
        }
        return made;
    }

    /** Listens on the bound sockets {@code fds} and serves them ({@code unixPath}: the socket file to remove). */
    Server listen(Supplier<? extends Protocol> factory, ServerOptions opts, List<Integer> fds, Path unixPath,
            Object inode) throws NativeIOException {
        for (int fd : fds) {
            Sockets.listen(fd, opts.backlog());
        }
        SocketServer server = new SocketServer(loop, io, factory, opts, fds.stream().mapToInt(Integer::intValue).toArray(),
                unixPath, inode);
        server.startServing();
        return server;
    }
}

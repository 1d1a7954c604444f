package dev.loop.internal.transport;

import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.loop.NativeIOException;
import dev.loop.capability.Capability;
import dev.loop.internal.engine.Futures;
import dev.loop.internal.engine.Loop;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.transport.Connection;
import dev.loop.internal.tls.TlsTransport;
import dev.loop.transport.Protocol;
import dev.loop.transport.TlsOptions;
import dev.loop.transport.Server;
import dev.loop.transport.ServerOptions;
import dev.loop.transport.Transport;

/** What TCP and unix sockets share: connecting a new socket, a transport on a connected one, listening. */
record StreamSockets(Loop loop, StreamIo io) {

    /** A new socket connected to {@code target}: its descriptor, owned by the future's consumer. */
    CompletableFuture<Integer> connect(SocketAddress target) {
        return connect(target, null);
    }

    /** The same, the socket bound to {@code local} first (asyncio's {@code local_addr}) unless it is null. */
    CompletableFuture<Integer> connect(SocketAddress target, SocketAddress local) {
        int fd;
        try {
            fd = Sockets.openStream(target);
        } catch (NativeIOException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (local != null) {
            try {
                Sockets.bind(fd, local);
            } catch (NativeIOException e) {
                LibC.close(fd);
                return CompletableFuture.failedFuture(e);
            }
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
            if (!done.isDone()) {
                done.cancel(false); // given up: the connect stops and closes its socket
            }
        });
        return result;
    }

    /** TLS for a client connection: the options, and the host and port connected to (SNI, the hostname check). */
    record ClientTls(TlsOptions options, String host, int port) {
    }

    /** A transport on connected socket {@code fd}, which it owns from now on (closed if starting fails). */
    <P extends Protocol> CompletableFuture<Connection<Transport, P>> start(int fd, Supplier<P> factory, boolean tcp) {
        return start(fd, factory, tcp, null);
    }

    /**
     * {@link #start(int, Supplier, boolean)}, with TLS when {@code tls} is given: the result completes once the
     * handshake is done and the protocol's {@code connectionMade} ran, or fails with the handshake's error (the
     * socket closed); cancelling it aborts the handshake.
     */
    <P extends Protocol> CompletableFuture<Connection<Transport, P>> start(int fd, Supplier<P> factory, boolean tcp,
            ClientTls tls) {
        CompletableFuture<Connection<Transport, P>> made = new CompletableFuture<>();
        try {
            if (tcp) {
                Sockets.setOption(fd, Linux.IPPROTO_TCP, Linux.TCP_NODELAY, 1);
            }
            P protocol = factory.get();
            if (tls == null) {
                StreamTransport t = new SocketTransport(loop, io, fd, protocol);
                t.start(made, () -> new Connection<>(t, protocol));
                return made;
            }
            TlsTransport layer = TlsTransport.client(loop, protocol, tls.options(), tls.host(), tls.port());
            new SocketTransport(loop, io, fd, layer.wire()).start(null, null);
            made.whenComplete((v, e) -> {
                if (made.isCancelled()) {
                    loop.runOnLoop(layer::abort);
                }
            });
            layer.handshake().whenComplete((t, e) -> {
                if (e != null) {
                    made.completeExceptionally(Futures.unwrap(e));
                } else if (!made.complete(new Connection<>(t, protocol))) {
                    t.abort(); // given up meanwhile
                }
            });
        } catch (NativeIOException | RuntimeException | Error e) {
            LibC.close(fd);
            made.completeExceptionally(e);
        }
        return made;
    }

    /**
     * A transport on the socket {@code connecting} gives. Cancelling the result cancels the connect under way
     * (which closes its socket); a socket connected after the caller gave up is closed.
     */
    <P extends Protocol> CompletableFuture<Connection<Transport, P>> startWhenConnected(
            CompletableFuture<Integer> connecting, Supplier<P> factory, boolean tcp) {
        return startWhenConnected(connecting, factory, tcp, null);
    }

    <P extends Protocol> CompletableFuture<Connection<Transport, P>> startWhenConnected(
            CompletableFuture<Integer> connecting, Supplier<P> factory, boolean tcp, ClientTls tls) {
        CompletableFuture<Connection<Transport, P>> made = new CompletableFuture<>();
        made.whenComplete((v, e) -> {
            if (!connecting.isDone()) {
                connecting.cancel(false);
            }
        });
        connecting.whenComplete((fd, e) -> {
            if (e != null) {
                made.completeExceptionally(Futures.unwrap(e));
            } else if (made.isDone()) {
                LibC.close(fd);
            } else {
                Futures.follow(start(fd, factory, tcp, tls), made);
            }
        });
        return made;
    }

    /**
     * A transport on {@code fd}, a connected stream socket the application hands over (asyncio's
     * {@code create_connection(sock=)} and {@code connect_accepted_socket}); checked on the caller's thread.
     */
    <P extends Protocol> CompletableFuture<Connection<Transport, P>> adopt(int fd, Supplier<P> factory, String method) {
        Objects.requireNonNull(factory, "protocolFactory");
        int family = Sockets.streamFamily(fd, method);
        return loop.onLoop(() -> {
            requireAdoptable(fd, family, method);
            loop.recordUse(family == Linux.AF_UNIX ? Capability.UNIX_SOCKETS : Capability.TCP, "connection");
            return start(fd, factory, family != Linux.AF_UNIX);
        });
    }

    /** A server on {@code fd}, a bound stream socket the application hands over ({@code create_server(sock=)}). */
    CompletableFuture<Server> adoptListener(int fd, Supplier<? extends Protocol> factory, ServerOptions options,
            String method) {
        Objects.requireNonNull(factory, "protocolFactory");
        ServerOptions opts = options == null ? ServerOptions.DEFAULTS : options;
        int family = Sockets.streamFamily(fd, method);
        return loop.onLoop(() -> {
            requireAdoptable(fd, family, method);
            loop.recordUse(family == Linux.AF_UNIX ? Capability.UNIX_SOCKETS : Capability.TCP, "server");
            try {
                Sockets.setNonBlocking(fd);
                return CompletableFuture.completedFuture(listen(factory, opts, List.of(fd), null, null));
            } catch (NativeIOException e) {
                return CompletableFuture.failedFuture(e);
            }
        });
    }

    private void requireAdoptable(int fd, int family, String method) {
        loop.capabilities().require(family == Linux.AF_UNIX ? Capability.UNIX_SOCKETS : Capability.TCP,
                method + "(fd " + fd + ")");
        loop.resources().requireNotOwned(fd, method);
    }

    /** Listens on the bound sockets {@code fds} and serves them ({@code unixPath}: the socket file to remove). */
    Server listen(Supplier<? extends Protocol> factory, ServerOptions opts, List<Integer> fds, Path unixPath,
            Object inode) throws NativeIOException {
        for (int fd : fds) {
            Sockets.listen(fd, opts.backlog());
        }
        Supplier<? extends Protocol> accepted = opts.tls() == null ? factory
                : () -> TlsTransport.server(loop, factory.get(), opts.tls()).wire();
        SocketServer server = new SocketServer(loop, io, accepted, opts, fds.stream().mapToInt(Integer::intValue).toArray(),
                unixPath, inode);
        if (opts.startServing()) {
            server.beginServing();
        }
        return server;
    }
}

package dev.loop.internal.transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.loop.internal.engine.Futures;
import dev.loop.internal.engine.Loop;
import dev.loop.internal.tls.TlsTransport;
import dev.loop.transport.Accepted;
import dev.loop.transport.Connection;
import dev.loop.transport.Datagram;
import dev.loop.transport.DatagramOptions;
import dev.loop.transport.DatagramProtocol;
import dev.loop.transport.DatagramTransport;
import dev.loop.transport.ReceivedFrom;
import dev.loop.transport.Protocol;
import dev.loop.transport.Server;
import dev.loop.transport.ServerOptions;
import dev.loop.transport.TlsOptions;
import dev.loop.transport.Transport;

/**
 * A loop's streams and datagrams, by concern: TCP, unix sockets, pipes, datagram endpoints and the sock_* operations, all over the loop's
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
    private final DatagramTransports datagrams;
    private final StreamSockets streams;
    private final NameResolver resolver;
    private final Loop loop;

    public LoopTransports(Loop loop, StreamIo io) {
        this.loop = loop;
        this.resolver = new NameResolver(loop);
        this.streams = new StreamSockets(loop, io);
        this.tcp = new TcpTransports(loop, streams, resolver);
        this.unix = new UnixTransports(loop, streams);
        this.pipes = new PipeTransports(loop, io);
        this.sockets = new SocketOperations(loop, io, resolver);
        this.datagrams = new DatagramTransports(loop, io, resolver);
    }

    public CompletableFuture<Server> createServer(Supplier<? extends Protocol> factory, String host, int port,
            ServerOptions options) {
        return tcp.createServer(factory, host, port, options);
    }

    public <P extends Protocol> CompletableFuture<Connection<Transport, P>> createConnection(Supplier<P> factory,
            String host, int port, InetSocketAddress localAddress, TlsOptions tls) {
        return tcp.createConnection(factory, host, port, localAddress, tls);
    }

    /**
     * asyncio's {@code start_tls}: the transport's protocol becomes a TLS layer, and {@code protocol} is given the
     * new transport once the handshake is done. The old transport must not be used any more.
     */
    public CompletableFuture<Transport> startTls(Transport transport, Protocol protocol, TlsOptions tls,
            boolean serverSide) {
        java.util.Objects.requireNonNull(protocol, "protocol");
        java.util.Objects.requireNonNull(tls, "tls");
        if (!(transport instanceof StreamTransport t) || t.loop() != loop) {
            throw new IllegalArgumentException("transport " + transport + " is not supported by startTls(): "
                    + "a stream transport of loop '" + loop.name() + "' is needed");
        }
        return loop.onLoop(() -> {
            if (t.isClosing()) {
                throw new IllegalStateException("startTls on a closing transport: " + t);
            }
            SocketAddress peer = t.remoteAddress();
            String host = peer instanceof InetSocketAddress inet ? inet.getHostString() : null;
            int port = peer instanceof InetSocketAddress inet ? inet.getPort() : -1;
            TlsTransport layer = serverSide ? TlsTransport.server(loop, protocol, tls)
                    : TlsTransport.client(loop, protocol, tls, host, port);
            t.replaceProtocol(layer.wire());
            layer.wire().connectionMade(t);
            // Given up on (cancelled, timed out) before the handshake is done, the connection is aborted, as
            // asyncio's start_tls closes its transport; a TLS transport finished meanwhile is closed.
            CompletableFuture<Transport> upgraded = Futures.mapOwned(layer.handshake(), x -> (Transport) x);
            upgraded.whenComplete((v, e) -> {
                if (e != null) {
                    loop.runOnLoop(layer::abort); // a handshake that failed has aborted already: harmless
                }
            });
            return upgraded;
        });
    }

    /** A transport on a connected socket the application hands over. */
    public <P extends Protocol> CompletableFuture<Connection<Transport, P>> adopt(Supplier<P> factory, int fd,
            String method) {
        return streams.adopt(fd, factory, method);
    }

    /** A server on a bound socket the application hands over. */
    public CompletableFuture<Server> adoptListener(Supplier<? extends Protocol> factory, int fd, ServerOptions options) {
        return streams.adoptListener(fd, factory, options, "createServerOnSocket");
    }

    public CompletableFuture<List<InetSocketAddress>> getAddrInfo(String host, int port) {
        return resolver.addresses(host, port);
    }

    public CompletableFuture<String> getNameInfo(InetAddress address) {
        return resolver.name(address);
    }

    public CompletableFuture<Server> createUnixServer(Supplier<? extends Protocol> factory, Path path,
            ServerOptions options) {
        return unix.createUnixServer(factory, path, options);
    }

    public <P extends Protocol> CompletableFuture<Connection<Transport, P>> createUnixConnection(Supplier<P> factory,
            Path path, TlsOptions tls) {
        return unix.createUnixConnection(factory, path, tls);
    }

    public <P extends Protocol> CompletableFuture<Connection<Transport, P>> connectReadPipe(Supplier<P> factory, int fd) {
        return pipes.connectReadPipe(factory, fd);
    }

    public <P extends Protocol> CompletableFuture<Connection<Transport, P>> connectWritePipe(Supplier<P> factory,
            int fd) {
        return pipes.connectWritePipe(factory, fd);
    }

    public <P extends DatagramProtocol> CompletableFuture<Connection<DatagramTransport, P>> createDatagramEndpoint(
            Supplier<P> factory, SocketAddress localAddress, SocketAddress remoteAddress, DatagramOptions options) {
        return datagrams.create(factory, localAddress, remoteAddress, options);
    }

    public <P extends DatagramProtocol> CompletableFuture<Connection<DatagramTransport, P>> createDatagramEndpointOnSocket(
            Supplier<P> factory, int fd) {
        return datagrams.adopt(factory, fd);
    }

    public CompletableFuture<Integer> sockSendto(int fd, ByteBuffer data, SocketAddress address) {
        return sockets.sockSendto(fd, data, address);
    }

    public CompletableFuture<Datagram> sockRecvfrom(int fd, int maxBytes) {
        return sockets.sockRecvfrom(fd, maxBytes);
    }

    public CompletableFuture<ReceivedFrom> sockRecvfromInto(int fd, ByteBuffer buffer) {
        return sockets.sockRecvfromInto(fd, buffer);
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

    public CompletableFuture<Long> sockSendfile(int fd, Path file, long offset, long count) {
        return sockets.sockSendfile(fd, file, offset, count);
    }

    /** {@code loop.sendfile}: through a socket or write-pipe transport of this loop. */
    public CompletableFuture<Long> sendfile(Transport transport, Path file, long offset, long count) {
        if (!(transport instanceof StreamTransport t) || t.loop() != loop) {
            throw new IllegalArgumentException("not a transport of loop '" + loop.name() + "': " + transport);
        }
        if (t instanceof ReadPipeTransport) {
            throw new IllegalArgumentException("sendfile needs a writable transport, not " + t);
        }
        FileSender.checkArguments(file, offset, count);
        return loop.onLoop(() -> t.sendfile(fd -> sockets.sendfile(fd, file, offset, count)));
    }
}

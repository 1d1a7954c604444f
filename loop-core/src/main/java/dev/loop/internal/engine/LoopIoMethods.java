package dev.loop.internal.engine;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.loop.EventLoop;
import dev.loop.capability.Capability;
import dev.loop.internal.process.Subprocesses;
import dev.loop.internal.signal.LoopSignals;
import dev.loop.internal.transport.LoopTransports;
import dev.loop.process.ProcessOptions;
import dev.loop.process.SubprocessProtocol;
import dev.loop.process.SubprocessTransport;
import dev.loop.transport.Accepted;
import dev.loop.transport.Connection;
import dev.loop.transport.Datagram;
import dev.loop.transport.DatagramOptions;
import dev.loop.transport.DatagramProtocol;
import dev.loop.transport.DatagramTransport;
import dev.loop.transport.Protocol;
import dev.loop.transport.ReceivedFrom;
import dev.loop.transport.Server;
import dev.loop.transport.ServerOptions;
import dev.loop.transport.Transport;

/**
 * The I/O half of {@link EventLoop}: readers and writers, streams, socket operations, subprocesses and
 * signal handlers, each handed to the part of the loop that does it. {@link Loop} is its one implementation:
 * Java composes an implementation from parts without a superclass this way, and the loop class keeps to the
 * engine (its step, scheduling and lifecycle).
 */
public interface LoopIoMethods extends EventLoop {

    /** The readers and writers by descriptor. */
    Registrations registrations();

    /** TCP, unix sockets, pipes and the sock_* operations. */
    LoopTransports transports();

    /** Children and how their exits are learnt. */
    Subprocesses subprocesses();

    /** This loop's signal handlers. */
    LoopSignals signals();

    /** Records that the application used {@code capability} through a {@code what}. */
    void recordUse(Capability capability, String what);

    // ------------------------------------------------------------------ readiness

    @Override
    default void addReader(int fd, Runnable callback) {
        if (registrations().register(fd, callback, false, "addReader", true)) {
            recordUse(Capability.READINESS_CALLBACKS, "reader");
        }
    }

    @Override
    default void addWriter(int fd, Runnable callback) {
        if (registrations().register(fd, callback, true, "addWriter", true)) {
            recordUse(Capability.READINESS_CALLBACKS, "writer");
        }
    }

    @Override
    default boolean removeReader(int fd) {
        return registrations().unregister(fd, false, "removeReader", true);
    }

    @Override
    default boolean removeWriter(int fd) {
        return registrations().unregister(fd, true, "removeWriter", true);
    }

    /**
     * Watches {@code fd} for readability on behalf of the loop's own transports, servers and processes: as
     * {@link #addReader}, but not counted as the application's use of readiness callbacks (a transport on
     * another backend would not need them).
     */
    default void watchRead(int fd, Runnable callback) {
        registrations().register(fd, callback, false, "watchRead", false);
    }

    default boolean unwatchRead(int fd) {
        return registrations().unregister(fd, false, "unwatchRead", false);
    }

    default void watchWrite(int fd, Runnable callback) {
        registrations().register(fd, callback, true, "watchWrite", false);
    }

    default boolean unwatchWrite(int fd) {
        return registrations().unregister(fd, true, "unwatchWrite", false);
    }

    // ------------------------------------------------------------------ streams and socket operations

    @Override
    default CompletableFuture<Server> createServer(Supplier<? extends Protocol> protocolFactory, String host, int port,
            ServerOptions options) {
        return transports().createServer(protocolFactory, host, port, options);
    }

    @Override
    default <P extends Protocol> CompletableFuture<Connection<Transport, P>> createConnection(
            Supplier<P> protocolFactory, String host, int port, InetSocketAddress localAddress,
            dev.loop.transport.TlsOptions tls) {
        return transports().createConnection(protocolFactory, host, port, localAddress, tls);
    }

    @Override
    default CompletableFuture<Transport> startTls(Transport transport, Protocol protocol,
            dev.loop.transport.TlsOptions tls, boolean serverSide) {
        return transports().startTls(transport, protocol, tls, serverSide);
    }

    @Override
    default <P extends Protocol> CompletableFuture<Connection<Transport, P>> createConnectionOnSocket(
            Supplier<P> protocolFactory, int fd) {
        return transports().adopt(protocolFactory, fd, "createConnectionOnSocket");
    }

    @Override
    default <P extends Protocol> CompletableFuture<Connection<Transport, P>> connectAcceptedSocket(
            Supplier<P> protocolFactory, int fd) {
        return transports().adopt(protocolFactory, fd, "connectAcceptedSocket");
    }

    @Override
    default CompletableFuture<Server> createServerOnSocket(Supplier<? extends Protocol> protocolFactory, int fd,
            ServerOptions options) {
        return transports().adoptListener(protocolFactory, fd, options);
    }

    @Override
    default CompletableFuture<List<InetSocketAddress>> getAddrInfo(String host, int port) {
        return transports().getAddrInfo(host, port);
    }

    @Override
    default CompletableFuture<String> getNameInfo(java.net.InetAddress address) {
        return transports().getNameInfo(address);
    }

    @Override
    default CompletableFuture<Server> createUnixServer(Supplier<? extends Protocol> protocolFactory, Path path,
            ServerOptions options) {
        return transports().createUnixServer(protocolFactory, path, options);
    }

    @Override
    default <P extends Protocol> CompletableFuture<Connection<Transport, P>> createUnixConnection(
            Supplier<P> protocolFactory, Path path, dev.loop.transport.TlsOptions tls) {
        return transports().createUnixConnection(protocolFactory, path, tls);
    }

    @Override
    default <P extends Protocol> CompletableFuture<Connection<Transport, P>> connectReadPipe(
            Supplier<P> protocolFactory, int fd) {
        return transports().connectReadPipe(protocolFactory, fd);
    }

    @Override
    default <P extends Protocol> CompletableFuture<Connection<Transport, P>> connectWritePipe(
            Supplier<P> protocolFactory, int fd) {
        return transports().connectWritePipe(protocolFactory, fd);
    }

    @Override
    default CompletableFuture<Long> sendfile(Transport transport, Path file, long offset, long count) {
        return transports().sendfile(transport, file, offset, count);
    }

    @Override
    default CompletableFuture<Long> sockSendfile(int fd, Path file, long offset, long count) {
        return transports().sockSendfile(fd, file, offset, count);
    }

    @Override
    default CompletableFuture<Accepted> sockAccept(int fd) {
        return transports().sockAccept(fd);
    }

    @Override
    default CompletableFuture<Void> sockConnect(int fd, SocketAddress address) {
        return transports().sockConnect(fd, address);
    }

    @Override
    default CompletableFuture<ByteBuffer> sockRecv(int fd, int maxBytes) {
        return transports().sockRecv(fd, maxBytes);
    }

    @Override
    default <P extends DatagramProtocol> CompletableFuture<Connection<DatagramTransport, P>> createDatagramEndpoint(
            Supplier<P> protocolFactory, SocketAddress localAddress, SocketAddress remoteAddress,
            DatagramOptions options) {
        return transports().createDatagramEndpoint(protocolFactory, localAddress, remoteAddress, options);
    }

    @Override
    default <P extends DatagramProtocol> CompletableFuture<Connection<DatagramTransport, P>>
            createDatagramEndpointOnSocket(Supplier<P> protocolFactory, int fd) {
        return transports().createDatagramEndpointOnSocket(protocolFactory, fd);
    }

    @Override
    default CompletableFuture<Integer> sockSendto(int fd, ByteBuffer data, SocketAddress address) {
        return transports().sockSendto(fd, data, address);
    }

    @Override
    default CompletableFuture<Datagram> sockRecvfrom(int fd, int maxBytes) {
        return transports().sockRecvfrom(fd, maxBytes);
    }

    @Override
    default CompletableFuture<ReceivedFrom> sockRecvfromInto(int fd, ByteBuffer buffer) {
        return transports().sockRecvfromInto(fd, buffer);
    }

    @Override
    default CompletableFuture<Integer> sockRecvInto(int fd, ByteBuffer buffer) {
        return transports().sockRecvInto(fd, buffer);
    }

    @Override
    default CompletableFuture<Void> sockSendAll(int fd, ByteBuffer data) {
        return transports().sockSendAll(fd, data);
    }

    // ------------------------------------------------------------------ subprocesses and signals

    @Override
    default <P extends SubprocessProtocol> CompletableFuture<Connection<SubprocessTransport, P>> subprocessExec(
            Supplier<P> protocolFactory, List<String> argv, ProcessOptions options) {
        return subprocesses().exec(protocolFactory, argv, options);
    }

    @Override
    default <P extends SubprocessProtocol> CompletableFuture<Connection<SubprocessTransport, P>> subprocessShell(
            Supplier<P> protocolFactory, String command, ProcessOptions options) {
        java.util.Objects.requireNonNull(command, "command");
        return subprocessExec(protocolFactory, List.of("/bin/sh", "-c", command), options);
    }

    @Override
    default void addSignalHandler(String signal, Runnable callback, boolean chainJvmHandler) {
        signals().add(signal, callback, chainJvmHandler);
    }

    @Override
    default boolean removeSignalHandler(String signal) {
        return signals().remove(signal);
    }
}

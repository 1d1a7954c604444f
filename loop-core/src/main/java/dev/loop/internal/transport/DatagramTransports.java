package dev.loop.internal.transport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
import dev.loop.internal.nativeio.SocketAddresses;
import dev.loop.transport.Connection;
import dev.loop.transport.DatagramOptions;
import dev.loop.transport.DatagramProtocol;
import dev.loop.transport.DatagramTransport;

/**
 * Datagram endpoints (asyncio's {@code create_datagram_endpoint}): a UDP or unix datagram socket, bound to the
 * local address and connected to the remote one where given, with host names resolved off the loop thread.
 */
record DatagramTransports(Loop loop, StreamIo io, NameResolver resolver) {

    <P extends DatagramProtocol> CompletableFuture<Connection<DatagramTransport, P>> create(Supplier<P> factory,
            SocketAddress localAddress, SocketAddress remoteAddress, DatagramOptions options) {
        Objects.requireNonNull(factory, "protocolFactory");
        DatagramOptions opts = options == null ? DatagramOptions.DEFAULTS : options;
        if (localAddress == null && remoteAddress == null) {
            throw new IllegalArgumentException("unexpected address family: give a local address, a remote address "
                    + "or both (an unbound sender binds to 0.0.0.0:0 or [::]:0)");
        }
        boolean unix = localAddress instanceof UnixDomainSocketAddress || remoteAddress instanceof UnixDomainSocketAddress;
        if (unix && (isInet(localAddress) || isInet(remoteAddress))) {
            throw new IllegalArgumentException("local " + localAddress + " and remote " + remoteAddress
                    + " are of different families");
        }
        String call = "createDatagramEndpoint(" + localAddress + ", " + remoteAddress + ")";
        return loop.onLoop(() -> {
            loop.capabilities().require(Capability.DATAGRAMS, call);
            if (unix) {
                loop.capabilities().require(Capability.UNIX_SOCKETS, call);
            }
            loop.recordUse(Capability.DATAGRAMS, unix ? "unix endpoint" : "UDP endpoint");
            CompletableFuture<SocketAddress> remote = resolve(remoteAddress, false);
            CompletableFuture<SocketAddress> local = resolve(localAddress, true);
            CompletableFuture<Connection<DatagramTransport, P>> made = new CompletableFuture<>();
            remote.thenCombine(local, (r, l) -> {
                if (!made.isDone()) { // not cancelled while resolving
                    Futures.follow(open(factory, l, r, opts), made);
                }
                return null;
            }).whenComplete((v, e) -> {
                if (e != null) {
                    made.completeExceptionally(Futures.unwrap(e));
                }
            });
            return made;
        });
    }

    private static boolean isInet(SocketAddress address) {
        return address instanceof InetSocketAddress;
    }

    /** A resolved address: unresolved host names go through the resolver, in the default executor. */
    private CompletableFuture<SocketAddress> resolve(SocketAddress address, boolean passive) {
        if (!(address instanceof InetSocketAddress inet) || !inet.isUnresolved()) {
            return CompletableFuture.completedFuture(address);
        }
        return resolver.resolve(inet.getHostString(), passive)
                .thenApply(ips -> new InetSocketAddress(pick(ips), inet.getPort()));
    }

    /** IPv4 first, as a socket of one family must take both addresses. */
    private static InetAddress pick(List<InetAddress> ips) {
        return ips.stream().filter(ip -> ip instanceof java.net.Inet4Address).findFirst().orElse(ips.get(0));
    }

    private <P extends DatagramProtocol> CompletableFuture<Connection<DatagramTransport, P>> open(Supplier<P> factory,
            SocketAddress local, SocketAddress remote, DatagramOptions opts) {
        int family = SocketAddresses.family(local != null ? local : remote);
        if (local != null && remote != null && SocketAddresses.family(remote) != family) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("local " + local + " and remote "
                    + remote + " are of different families"));
        }
        int fd = -1;
        try {
            fd = Sockets.openDatagram(family);
            applyOptions(fd, family, opts);
            Path socketFile = null;
            Object inode = null;
            if (local != null) {
                if (local instanceof UnixDomainSocketAddress u && !u.getPath().toString().startsWith("\0")
                        && !u.getPath().toString().isEmpty()) {
                    UnixTransports.removeStaleSocket(u.getPath());
                    Sockets.bind(fd, local);
                    socketFile = u.getPath();
                    inode = Files.getAttribute(socketFile, "unix:ino", LinkOption.NOFOLLOW_LINKS);
                } else {
                    Sockets.bind(fd, local);
                }
            }
            SocketAddress peer = null;
            if (remote != null) {
                if (!Sockets.connect(fd, remote)) { // a datagram connect only sets the peer: never in progress
                    throw new NativeIOException("connect", dev.loop.internal.nativeio.Errno.EINPROGRESS,
                            "datagram connect to " + remote);
                }
                peer = Sockets.remoteAddress(fd);
            }
            return start(fd, family, factory, peer, socketFile, inode);
        } catch (IOException | RuntimeException e) {
            if (fd >= 0) {
                LibC.close(fd);
            }
            return CompletableFuture.failedFuture(e);
        }
    }

    private static void applyOptions(int fd, int family, DatagramOptions opts) throws NativeIOException {
        if (opts.reusePort()) {
            Sockets.setOption(fd, Linux.SOL_SOCKET, Linux.SO_REUSEPORT, 1);
        }
        if (opts.allowBroadcast()) {
            Sockets.setOption(fd, Linux.SOL_SOCKET, Linux.SO_BROADCAST, 1);
        }
        if (opts.receiveBufferSize() > 0) {
            Sockets.setOption(fd, Linux.SOL_SOCKET, Linux.SO_RCVBUF, opts.receiveBufferSize());
        }
        if (opts.sendBufferSize() > 0) {
            Sockets.setOption(fd, Linux.SOL_SOCKET, Linux.SO_SNDBUF, opts.sendBufferSize());
        }
        if (opts.multicastInterface() != null) {
            if (family == Linux.AF_UNIX) {
                throw new IllegalArgumentException("a unix datagram socket has no multicast interface");
            }
            Sockets.multicastInterface(fd, family, opts.multicastInterface().getIndex());
        }
    }

    /** An endpoint on {@code fd}, which it owns from now on (closed if starting fails). */
    private <P extends DatagramProtocol> CompletableFuture<Connection<DatagramTransport, P>> start(int fd, int family,
            Supplier<P> factory, SocketAddress peer, Path socketFile, Object inode) {
        CompletableFuture<Connection<DatagramTransport, P>> made = new CompletableFuture<>();
        P protocol = factory.get();
        DatagramSocketTransport t = new DatagramSocketTransport(loop, io, fd, family, protocol, peer, socketFile, inode);
        t.start(made, () -> new Connection<>(t, protocol));
        return made;
    }

    /**
     * An endpoint on {@code fd}, a datagram socket the application already has (asyncio's
     * {@code create_datagram_endpoint(sock=...)}): bound and connected as it is; the endpoint owns it from now on.
     */
    <P extends DatagramProtocol> CompletableFuture<Connection<DatagramTransport, P>> adopt(Supplier<P> factory, int fd) {
        Objects.requireNonNull(factory, "protocolFactory");
        String method = "createDatagramEndpointOnSocket";
        int family = Sockets.datagramFamily(fd, method);
        return loop.onLoop(() -> {
            loop.capabilities().require(Capability.DATAGRAMS, method + "(fd " + fd + ")");
            if (family == Linux.AF_UNIX) {
                loop.capabilities().require(Capability.UNIX_SOCKETS, method + "(fd " + fd + ")");
            }
            loop.resources().requireNotOwned(fd, method);
            loop.recordUse(Capability.DATAGRAMS, family == Linux.AF_UNIX ? "unix endpoint" : "UDP endpoint");
            try {
                return start(fd, family, factory, Sockets.remoteAddress(fd), null, null);
            } catch (RuntimeException e) {
                LibC.close(fd);
                return CompletableFuture.failedFuture(e);
            }
        });
    }
}

package dev.loop.internal.transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.loop.NativeIOException;
import dev.loop.capability.Capability;
import dev.loop.internal.engine.Futures;
import dev.loop.internal.engine.Loop;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.transport.Connection;
import dev.loop.transport.Protocol;
import dev.loop.transport.Server;
import dev.loop.transport.ServerOptions;
import dev.loop.transport.TlsOptions;
import dev.loop.transport.Transport;

/** TCP servers (one socket per address, one port for all) and connections (each address in turn). */
record TcpTransports(Loop loop, StreamSockets sockets, NameResolver resolver) {

    public CompletableFuture<Server> createServer(Supplier<? extends Protocol> factory, String host, int port,
            ServerOptions options) {
        Objects.requireNonNull(factory, "protocolFactory");
        ServerOptions opts = options == null ? ServerOptions.DEFAULTS : options;
        NameResolver.checkPort(port);
        return loop.onLoop(() -> {
            loop.capabilities().require(Capability.TCP, "createServer(" + host + ", " + port + ")");
            loop.recordUse(Capability.TCP, "server");
            return resolver.resolve(host, true).thenApply(addresses -> listenTcp(factory, addresses, port, opts));
        });
    }

    private Server listenTcp(Supplier<? extends Protocol> factory, List<InetAddress> addresses, int port,
            ServerOptions opts) {
        List<Integer> fds = new ArrayList<>();
        int boundPort = port;
        try {
            for (InetAddress ip : addresses) {
                InetSocketAddress address = new InetSocketAddress(ip, boundPort);
                int fd;
                try {
                    fd = Sockets.openStream(address);
                } catch (NativeIOException e) {
                    if (e.errno() == Errno.EAFNOSUPPORT) {
                        continue; // this family is disabled here (asyncio skips it too)
                    }
                    throw e;
                }
                try {
                    if (opts.reuseAddress()) {
                        Sockets.setOption(fd, Linux.SOL_SOCKET, Linux.SO_REUSEADDR, 1);
                    }
                    if (opts.reusePort()) {
                        Sockets.setOption(fd, Linux.SOL_SOCKET, Linux.SO_REUSEPORT, 1);
                    }
                    if (address.getAddress() instanceof java.net.Inet6Address) {
                        Sockets.setOption(fd, Linux.IPPROTO_IPV6, Linux.IPV6_V6ONLY, 1);
                    }
                    Sockets.bind(fd, address);
                } catch (NativeIOException e) {
                    LibC.close(fd);
                    if (e.errno() == Errno.EADDRNOTAVAIL) {
                        continue; // e.g. ::1 on a host without IPv6 loopback
                    }
                    throw e;
                }
                fds.add(fd);
                if (boundPort == 0) {
                    // One port for every address of the host, not one per address.
                    boundPort = ((InetSocketAddress) Sockets.localAddress(fd)).getPort();
                }
            }
            if (fds.isEmpty()) {
                throw new NativeIOException("could not bind on any address out of " + addresses, null);
            }
            return sockets.listen(factory, opts, fds, null, null);
        } catch (NativeIOException e) {
            fds.forEach(LibC::close);
            throw new java.util.concurrent.CompletionException(e);
        }
    }

    public <P extends Protocol> CompletableFuture<Connection<Transport, P>> createConnection(Supplier<P> factory,
            String host, int port, InetSocketAddress localAddress, TlsOptions tls) {
        Objects.requireNonNull(factory, "protocolFactory");
        Objects.requireNonNull(host, "host");
        NameResolver.checkPort(port);
        return loop.onLoop(() -> {
            loop.capabilities().require(Capability.TCP, "createConnection(" + host + ", " + port + ")");
            loop.recordUse(Capability.TCP, "connection");
            CompletableFuture<List<InetAddress>> locals = localAddress == null
                    ? CompletableFuture.completedFuture(null)
                    : resolver.resolve(localAddress.getHostString(), true);
            // Resolved, then each address tried in turn: cancelling the result stops whichever is under way.
            CompletableFuture<Integer> connected = new CompletableFuture<>();
            resolver.resolve(host, false).thenCombine(locals,
                    (addresses, localIps) -> targets(addresses, localIps, host, port, localAddress))
                    .whenComplete((targets, e) -> {
                        if (connected.isDone()) {
                            return; // given up while resolving
                        }
                        if (e != null) {
                            connected.completeExceptionally(Futures.unwrap(e));
                        } else {
                            connectAny(targets, 0, new ArrayList<>(), connected);
                        }
                    });
            return sockets.startWhenConnected(connected, factory, true,
                    tls == null ? null : new StreamSockets.ClientTls(tls, host, port));
        });
    }

    /** The addresses to try, each with a local address of its family when {@code localAddress} is given. */
    private static List<Target> targets(List<InetAddress> addresses, List<InetAddress> localIps, String host, int port,
            InetSocketAddress localAddress) {
        List<Target> targets = new ArrayList<>();
        for (InetAddress ip : addresses) {
            if (localIps == null) {
                targets.add(new Target(new InetSocketAddress(ip, port), null));
                continue;
            }
            for (InetAddress local : localIps) { // asyncio: a local address of the remote one's family
                if (local.getClass() == ip.getClass()) {
                    targets.add(new Target(new InetSocketAddress(ip, port),
                            new InetSocketAddress(local, localAddress.getPort())));
                    break;
                }
            }
        }
        if (targets.isEmpty()) {
            throw new java.util.concurrent.CompletionException(new NativeIOException("no local address of "
                    + localAddress + " has the family of " + addresses + " (" + host + ")", null));
        }
        return targets;
    }

    /** One address to connect to, from {@code local} unless it is null. */
    private record Target(SocketAddress remote, SocketAddress local) {
    }

    /**
     * Tries each address in turn; fails with the single error, or all of them as suppressed ones. A cancelled
     * {@code result} cancels the attempt under way.
     */
    private void connectAny(List<Target> targets, int index, List<NativeIOException> errors,
            CompletableFuture<Integer> result) {
        if (result.isDone()) {
            return; // cancelled
        }
        if (index == targets.size()) {
            if (errors.size() == 1) {
                result.completeExceptionally(errors.get(0));
            } else {
                NativeIOException all = new NativeIOException("Multiple exceptions: " + errors, errors.isEmpty() ? null
                        : errors.get(0));
                errors.forEach(all::addSuppressed);
                result.completeExceptionally(all);
            }
            return;
        }
        Target target = targets.get(index);
        CompletableFuture<Integer> one = sockets.connect(target.remote(), target.local());
        result.whenComplete((fd, error) -> {
            if (!one.isDone()) {
                one.cancel(false);
            }
        });
        one.whenComplete((fd, error) -> {
            if (error == null) {
                if (!result.complete(fd)) {
                    LibC.close(fd); // cancelled meanwhile
                }
            } else if (error instanceof NativeIOException nio) {
                errors.add(nio);
                connectAny(targets, index + 1, errors, result);
            } else {
                result.completeExceptionally(error);
            }
        });
    }
}

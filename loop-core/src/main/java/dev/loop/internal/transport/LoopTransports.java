package dev.loop.internal.transport;

import dev.loop.transport.Accepted;
import dev.loop.transport.Connection;
import dev.loop.transport.Protocol;
import dev.loop.transport.Server;
import dev.loop.transport.ServerOptions;
import dev.loop.transport.Transport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import dev.loop.NativeIOException;
import dev.loop.capability.Capability;
import dev.loop.internal.engine.Loop;
import dev.loop.internal.nativeio.Descriptors;
import dev.loop.internal.nativeio.Descriptors.FileType;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.nativeio.NativeMemory;

/**
 * Servers, connections, pipes and the low-level socket futures of a loop, built on its
 * {@link StreamIo} (readiness callbacks, or io_uring operations on the proactor). Every method may be
 * called from any thread: from another thread while the loop runs, the work is handed to the loop; futures complete on the loop thread (or at once, on
 * the caller's, when the result is known without waiting).
 */
public final class LoopTransports {

    private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final Loop loop;
    private final StreamIo io;

    public LoopTransports(Loop loop, StreamIo io) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.io = Objects.requireNonNull(io, "io");
    }

    // ================================================================ TCP

    public CompletableFuture<Server> createServer(Supplier<? extends Protocol> factory, String host, int port,
            ServerOptions options) {
        Objects.requireNonNull(factory, "protocolFactory");
        ServerOptions opts = options == null ? ServerOptions.DEFAULTS : options;
        checkPort(port);
        return loop.onLoop(() -> {
            loop.capabilities().require(Capability.TCP, "createServer(" + host + ", " + port + ")");
            loop.recordUse(Capability.TCP, "server");
            return resolve(host, port, true).thenApply(addresses -> listenTcp(factory, addresses, port, opts));
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
            return listen(factory, opts, fds, null, null);
        } catch (NativeIOException e) {
            fds.forEach(LibC::close);
            throw new java.util.concurrent.CompletionException(e);
        }
    }

    private Server listen(Supplier<? extends Protocol> factory, ServerOptions opts, List<Integer> fds, Path unixPath,
            Object inode) throws NativeIOException {
        for (int fd : fds) {
            Sockets.listen(fd, opts.backlog());
        }
        SocketServer server = new SocketServer(loop, io, factory, opts, fds.stream().mapToInt(Integer::intValue).toArray(),
                unixPath, inode);
        server.startServing();
        return server;
    }

    public <P extends Protocol> CompletableFuture<Connection<Transport, P>> createConnection(Supplier<P> factory,
            String host, int port) {
        Objects.requireNonNull(factory, "protocolFactory");
        Objects.requireNonNull(host, "host");
        checkPort(port);
        return loop.onLoop(() -> {
            loop.capabilities().require(Capability.TCP, "createConnection(" + host + ", " + port + ")");
            loop.recordUse(Capability.TCP, "connection");
            return resolve(host, port, false).thenCompose(addresses -> {
                List<SocketAddress> targets = new ArrayList<>();
                addresses.forEach(ip -> targets.add(new InetSocketAddress(ip, port)));
                CompletableFuture<Integer> connected = new CompletableFuture<>();
                connectAny(targets, 0, new ArrayList<>(), connected);
                return connected.thenCompose(fd -> startSocketTransport(fd, factory, true));
            });
        });
    }

    /** Tries each address in turn; fails with the single error, or all of them as suppressed ones. */
    private void connectAny(List<SocketAddress> targets, int index, List<NativeIOException> errors,
            CompletableFuture<Integer> result) {
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
        SocketAddress target = targets.get(index);
        CompletableFuture<Integer> one = connectSocket(target);
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

    /** A new socket connected to {@code target}: its descriptor, owned by the future's consumer. */
    private CompletableFuture<Integer> connectSocket(SocketAddress target) {
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

    private <P extends Protocol> CompletableFuture<Connection<Transport, P>> startSocketTransport(int fd,
            Supplier<P> factory, boolean tcp) {
        CompletableFuture<Connection<Transport, P>> made = new CompletableFuture<>();
        try {
            if (tcp) {
                Sockets.setOption(fd, Linux.IPPROTO_TCP, Linux.TCP_NODELAY, 1);
            }
            P protocol = factory.get();
            AbstractStreamTransport t = io.newTransport(fd, AbstractStreamTransport.Kind.SOCKET, protocol, false);
            t.start(made, () -> new Connection<>(t, protocol));
        } catch (NativeIOException | RuntimeException | Error e) {
            LibC.close(fd);
            made.completeExceptionally(e);
        }
        return made;
    }

    // ================================================================ unix sockets

    public CompletableFuture<Server> createUnixServer(Supplier<? extends Protocol> factory, Path path,
            ServerOptions options) {
        Objects.requireNonNull(factory, "protocolFactory");
        Objects.requireNonNull(path, "path");
        ServerOptions opts = options == null ? ServerOptions.DEFAULTS : options;
        return loop.onLoop(() -> {
            loop.capabilities().require(Capability.UNIX_SOCKETS, "createUnixServer(" + path + ")");
            loop.recordUse(Capability.UNIX_SOCKETS, "server");
            int fd = -1;
            try {
                boolean abstractName = path.toString().startsWith("\0");
                if (!abstractName) {
                    removeStaleSocket(path);
                }
                fd = Sockets.openStream(Linux.AF_UNIX);
                Sockets.bind(fd, UnixDomainSocketAddress.of(path));
                Object inode = null;
                if (!abstractName) {
                    if (opts.fileMode() != null) {
                        Files.setPosixFilePermissions(path, opts.fileMode());
                    }
                    inode = Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS);
                }
                return CompletableFuture.completedFuture(listen(factory, opts, List.of(fd), path, inode));
            } catch (IOException e) {
                LibC.close(fd);
                return CompletableFuture.failedFuture(e);
            }
        });
    }

    /**
     * Removes a socket file left by an earlier run (asyncio does); any other kind of file is left alone
     * and refused.
     */
    private static void removeStaleSocket(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & Linux.S_IFMT) != Linux.S_IFSOCK) {
            throw new FileAlreadyExistsException(path.toString(), null,
                    "exists and is not a socket; a unix server only replaces a stale socket file");
        }
        Files.delete(path);
    }

    public <P extends Protocol> CompletableFuture<Connection<Transport, P>> createUnixConnection(Supplier<P> factory,
            Path path) {
        Objects.requireNonNull(factory, "protocolFactory");
        Objects.requireNonNull(path, "path");
        return loop.onLoop(() -> {
            loop.capabilities().require(Capability.UNIX_SOCKETS, "createUnixConnection(" + path + ")");
            loop.recordUse(Capability.UNIX_SOCKETS, "connection");
            return connectSocket(UnixDomainSocketAddress.of(path))
                    .thenCompose(fd -> startSocketTransport(fd, factory, false));
        });
    }

    // ================================================================ pipes

    public <P extends Protocol> CompletableFuture<Connection<Transport, P>> connectReadPipe(Supplier<P> factory, int fd) {
        return connectPipe(factory, fd, AbstractStreamTransport.Kind.READ_PIPE, "connectReadPipe");
    }

    public <P extends Protocol> CompletableFuture<Connection<Transport, P>> connectWritePipe(Supplier<P> factory,
            int fd) {
        return connectPipe(factory, fd, AbstractStreamTransport.Kind.WRITE_PIPE, "connectWritePipe");
    }

    private <P extends Protocol> CompletableFuture<Connection<Transport, P>> connectPipe(Supplier<P> factory, int fd,
            AbstractStreamTransport.Kind kind, String method) {
        Objects.requireNonNull(factory, "protocolFactory");
        return loop.onLoop(() -> {
            String what = method + "(fd " + fd + ")";
            loop.capabilities().require(Capability.PIPES, what);
            FileType type = Descriptors.type(fd);
            if (type == null) {
                throw new IllegalArgumentException("Invalid file descriptor: " + fd + " is not open (EBADF)");
            }
            switch (type) {
                case REGULAR_FILE, DIRECTORY -> {
                    loop.capabilities().require(Capability.FILE_IO_MONITORING, what + ": a "
                            + (type == FileType.DIRECTORY ? "directory" : "regular file"));
                    throw new IllegalArgumentException("Pipe transport is for pipes, sockets and character devices");
                }
                case CHARACTER_DEVICE -> {
                    loop.capabilities().require(Capability.CHARACTER_DEVICES, what);
                    loop.recordUse(Capability.CHARACTER_DEVICES, "device");
                }
                case FIFO, SOCKET -> {
                }
                default -> throw new IllegalArgumentException(
                        "Pipe transport is for pipes, sockets and character devices, not " + type + " (fd " + fd + ")");
            }
            loop.recordUse(Capability.PIPES, "pipe");
            CompletableFuture<Connection<Transport, P>> made = new CompletableFuture<>();
            P protocol = factory.get();
            boolean watchPeer = kind == AbstractStreamTransport.Kind.WRITE_PIPE && type != FileType.CHARACTER_DEVICE;
            AbstractStreamTransport t = io.newTransport(fd, kind, protocol, watchPeer);
            t.start(made, () -> new Connection<>(t, protocol));
            return made;
        });
    }

    // ================================================================ low-level socket futures

    /** Accepts one connection on listening socket {@code fd}. */
    public CompletableFuture<Accepted> sockAccept(int fd) {
        return untilDone(fd, true, () -> {
            int conn = Sockets.accept(fd);
            if (conn >= 0) {
                return new Accepted(conn, Sockets.lastAcceptedAddress());
            }
            int errno = LibC.errno();
            if (errno == Errno.EAGAIN || errno == Errno.EINTR || errno == Errno.ECONNABORTED) {
                return AGAIN;
            }
            throw new NativeIOException("accept", errno, "fd " + fd);
        }, accepted -> LibC.close(((Accepted) accepted).fd()));
    }

    /** Connects socket {@code fd} to {@code address} (resolved first if it is an unresolved host name). */
    public CompletableFuture<Void> sockConnect(int fd, SocketAddress address) {
        Objects.requireNonNull(address, "address");
        return loop.onLoop(() -> {
            if (address instanceof InetSocketAddress inet && inet.isUnresolved()) {
                return resolve(inet.getHostString(), inet.getPort(), false)
                        .thenCompose(ips -> io.connect(fd, new InetSocketAddress(ips.get(0), inet.getPort()), false));
            }
            return io.connect(fd, address, false);
        });
    }

    /** Receives up to {@code maxBytes}: an empty buffer means EOF. */
    public CompletableFuture<ByteBuffer> sockRecv(int fd, int maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be > 0: " + maxBytes);
        }
        ByteBuffer buffer = ByteBuffer.allocate(Math.min(maxBytes, IoScratch.SIZE));
        return sockRecvInto(fd, buffer).thenApply(n -> buffer.flip());
    }

    /** Receives into {@code buffer} (its position advances); completes with the count, 0 at EOF. */
    public CompletableFuture<Integer> sockRecvInto(int fd, ByteBuffer buffer) {
        Objects.requireNonNull(buffer, "buffer");
        return untilDone(fd, true, () -> {
            NativeMemory scratch = IoScratch.get();
            long n = LibC.read(fd, scratch.address(), Math.min(buffer.remaining(), IoScratch.SIZE));
            if (n >= 0) {
                buffer.put(buffer.position(), scratch.buffer(), 0, (int) n);
                buffer.position(buffer.position() + (int) n);
                return (int) n;
            }
            int errno = LibC.errno();
            if (errno == Errno.EAGAIN || errno == Errno.EINTR) {
                return AGAIN;
            }
            throw new NativeIOException("recv", errno, "fd " + fd);
        }, null);
    }

    /** Sends all of {@code data} (copied at the call: the caller may reuse its buffer at once). */
    public CompletableFuture<Void> sockSendAll(int fd, ByteBuffer data) {
        byte[] copy = new byte[data.remaining()];
        data.get(copy);
        ByteBuffer rest = ByteBuffer.wrap(copy);
        return untilDone(fd, false, () -> {
            NativeMemory scratch = IoScratch.get();
            while (rest.hasRemaining()) {
                int chunk = Math.min(rest.remaining(), IoScratch.SIZE);
                scratch.buffer().put(0, rest, rest.position(), chunk);
                long n = LibC.send(fd, scratch.address(), chunk, Linux.MSG_NOSIGNAL);
                if (n < 0) {
                    int errno = LibC.errno();
                    if (errno == Errno.EAGAIN || errno == Errno.EINTR) {
                        return AGAIN;
                    }
                    throw new NativeIOException("send", errno, "fd " + fd);
                }
                rest.position(rest.position() + (int) n);
            }
            return null;
        }, null);
    }

    /** What an attempt returns when the operation would block. */
    private static final Object AGAIN = new Object();

    /** One try of a non-blocking operation: its result, or {@link #AGAIN}. */
    @FunctionalInterface
    private interface Attempt {
        Object tryOnce() throws NativeIOException;
    }

    /**
     * asyncio's sock_* mechanics: try at once; when the call would block, watch the descriptor and try
     * again when it is ready; cancelling the future stops watching. A result that arrives after the
     * future was cancelled goes to {@code discard} (an accepted socket is closed).
     */
    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> untilDone(int fd, boolean read, Attempt attempt,
            java.util.function.Consumer<Object> discard) {
        return loop.onLoop(() -> {
            CompletableFuture<T> result = new CompletableFuture<>();
            Runnable step = new Runnable() {
                @Override
                public void run() {
                    if (result.isDone()) {
                        unwatch(fd, read);
                        return;
                    }
                    Object r;
                    try {
                        r = attempt.tryOnce();
                    } catch (NativeIOException e) {
                        unwatch(fd, read);
                        result.completeExceptionally(e);
                        return;
                    }
                    if (r == AGAIN) {
                        if (read) {
                            loop.watchRead(fd, this);
                        } else {
                            loop.watchWrite(fd, this);
                        }
                        return;
                    }
                    unwatch(fd, read);
                    if (!result.complete((T) r) && discard != null) {
                        discard.accept(r);
                    }
                }
            };
            step.run();
            removeOnCancel(result, fd, read);
            return result;
        });
    }

    private void unwatch(int fd, boolean read) {
        if (read) {
            loop.unwatchRead(fd);
        } else {
            loop.unwatchWrite(fd);
        }
    }

    private void removeOnCancel(CompletableFuture<?> future, int fd, boolean reader) {
        future.whenComplete((v, e) -> {
            if (future.isCancelled()) {
                loop.runOnLoop(() -> unwatch(fd, reader));
            }
        });
    }

    // ================================================================ helpers

    /**
     * The addresses of {@code host}: literals at once, names through {@link InetAddress#getAllByName}
     * in the loop's default executor (never on the loop thread). {@code null} or empty for a server
     * means every interface, IPv4 and IPv6.
     */
    private CompletableFuture<List<InetAddress>> resolve(String host, int port, boolean passive) {
        try {
            if (host == null || host.isEmpty()) {
                if (!passive) {
                    throw new IllegalArgumentException("a host is required to connect");
                }
                return CompletableFuture.completedFuture(List.of(InetAddress.getByName("0.0.0.0"),
                        InetAddress.getByName("::")));
            }
            if (host.indexOf(':') >= 0 || IPV4_LITERAL.matcher(host).matches()) {
                return CompletableFuture.completedFuture(List.of(InetAddress.getByName(host))); // a literal: no lookup
            }
        } catch (java.net.UnknownHostException e) {
            return CompletableFuture.failedFuture(e);
        }
        return loop.runInExecutor(null, () -> {
            InetAddress[] all = InetAddress.getAllByName(host);
            if (all.length == 0) {
                throw new NativeIOException("getaddrinfo() returned empty list for " + host, null);
            }
            return List.copyOf(new LinkedHashSet<>(Arrays.asList(all)));
        });
    }

    private static void checkPort(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }
}

package dev.loop.internal.transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import dev.loop.NativeIOException;
import dev.loop.capability.Capability;
import dev.loop.internal.engine.Futures;
import dev.loop.internal.engine.Loop;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.nativeio.NativeMemory;
import dev.loop.transport.Accepted;
import dev.loop.transport.Datagram;
import dev.loop.transport.ReceivedFrom;

/**
 * asyncio's low-level socket futures ({@code sock_accept}, {@code sock_connect}, {@code sock_recv},
 * {@code sock_recv_into}, {@code sock_sendall}) on an application's non-blocking socket: each tries at once,
 * and waits through the loop's {@link StreamIo} for the socket to be ready when it would block.
 */
record SocketOperations(Loop loop, StreamIo io, NameResolver resolver) {

    /** Accepts one connection on listening socket {@code fd}. */
    public CompletableFuture<Accepted> sockAccept(int fd) {
        checkNonBlocking(fd);
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
        });
    }

    /** Connects socket {@code fd} to {@code address} (resolved first if it is an unresolved host name). */
    public CompletableFuture<Void> sockConnect(int fd, SocketAddress address) {
        Objects.requireNonNull(address, "address");
        checkNonBlocking(fd);
        return loop.onLoop(() -> {
            if (!(address instanceof InetSocketAddress inet && inet.isUnresolved())) {
                // The caller's own future: giving it up any way (a cancel, orTimeout) cancels the connect.
                return Futures.mapOwned(io.connect(fd, address, false), v -> v);
            }
            // Resolved in the default executor, then connected: a cancel stops whichever is under way.
            CompletableFuture<Void> connected = new CompletableFuture<>();
            CompletableFuture<List<InetAddress>> resolving = resolver.resolve(inet.getHostString(), false);
            connected.whenComplete((v, e) -> {
                if (!resolving.isDone()) {
                    resolving.cancel(false); // given up (a cancel, orTimeout) while the name was resolved
                }
            });
            resolving.whenComplete((ips, e) -> { // on the loop thread
                if (connected.isDone()) {
                    return;
                }
                if (e != null) {
                    connected.completeExceptionally(Futures.unwrap(e));
                } else {
                    Futures.follow(io.connect(fd, new InetSocketAddress(ips.get(0), inet.getPort()), false), connected);
                }
            });
            return connected;
        });
    }

    /** Receives up to {@code maxBytes}: an empty buffer means EOF. */
    public CompletableFuture<ByteBuffer> sockRecv(int fd, int maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be > 0: " + maxBytes);
        }
        checkNonBlocking(fd);
        ByteBuffer buffer = ByteBuffer.allocate(Math.min(maxBytes, IoScratch.SIZE));
        return untilDone(fd, true, () -> {
            Object n = recvInto(fd, buffer);
            return n == AGAIN ? AGAIN : buffer.flip();
        });
    }

    /** Receives into {@code buffer} (its position advances); completes with the count, 0 at EOF. */
    public CompletableFuture<Integer> sockRecvInto(int fd, ByteBuffer buffer) {
        Objects.requireNonNull(buffer, "buffer");
        checkNonBlocking(fd);
        return untilDone(fd, true, () -> recvInto(fd, buffer));
    }

    /** One non-blocking read into {@code buffer}: the count (0 at EOF), or {@link #AGAIN}. */
    private static Object recvInto(int fd, ByteBuffer buffer) throws NativeIOException {
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
    }

    /** Sends all of {@code data} (copied at the call: the caller may reuse its buffer at once). */
    public CompletableFuture<Void> sockSendAll(int fd, ByteBuffer data) {
        checkNonBlocking(fd);
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
        });
    }

    /** Sends {@code data} as one datagram to {@code address} ({@code null}: the connected peer); completes with the count. */
    public CompletableFuture<Integer> sockSendto(int fd, ByteBuffer data, SocketAddress address) {
        Objects.requireNonNull(data, "data");
        if (address instanceof InetSocketAddress inet && inet.isUnresolved()) {
            throw new IllegalArgumentException("unresolved address " + address + ": resolve it first (getAddrInfo)");
        }
        checkNonBlocking(fd);
        byte[] copy = new byte[data.remaining()];
        data.get(copy);
        return untilDone(fd, false, () -> {
            NativeMemory scratch = IoScratch.get();
            int length = Math.min(copy.length, IoScratch.SIZE);
            scratch.buffer().put(0, copy, 0, length);
            long n = Sockets.sendTo(fd, scratch.address(), length, address);
            if (n >= 0) {
                return (int) n;
            }
            int errno = LibC.errno();
            if (errno == Errno.EAGAIN || errno == Errno.EINTR) {
                return AGAIN;
            }
            throw new NativeIOException("sendto", errno, "fd " + fd + (address == null ? "" : " to " + address));
        });
    }

    /** Receives one datagram of up to {@code maxBytes} (the rest of a longer one is discarded, as recvfrom does). */
    public CompletableFuture<Datagram> sockRecvfrom(int fd, int maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be > 0: " + maxBytes);
        }
        checkNonBlocking(fd);
        ByteBuffer buffer = ByteBuffer.allocate(Math.min(maxBytes, IoScratch.SIZE));
        return untilDone(fd, true, () -> {
            Object r = recvFrom(fd, buffer);
            return r == AGAIN ? AGAIN : new Datagram(buffer.flip(), ((ReceivedFrom) r).address());
        });
    }

    /** Receives one datagram into {@code buffer} (its position advances): the count and the sender. */
    public CompletableFuture<ReceivedFrom> sockRecvfromInto(int fd, ByteBuffer buffer) {
        Objects.requireNonNull(buffer, "buffer");
        checkNonBlocking(fd);
        return untilDone(fd, true, () -> recvFrom(fd, buffer));
    }

    /** One non-blocking recvfrom into {@code buffer}: a {@link ReceivedFrom}, or {@link #AGAIN}. */
    private static Object recvFrom(int fd, ByteBuffer buffer) throws NativeIOException {
        NativeMemory scratch = IoScratch.get();
        long n = Sockets.receiveFrom(fd, scratch.address(), Math.min(buffer.remaining(), IoScratch.SIZE));
        if (n >= 0) {
            buffer.put(buffer.position(), scratch.buffer(), 0, (int) n);
            buffer.position(buffer.position() + (int) n);
            return new ReceivedFrom((int) n, Sockets.lastSender());
        }
        int errno = LibC.errno();
        if (errno == Errno.EAGAIN || errno == Errno.EINTR) {
            return AGAIN;
        }
        throw new NativeIOException("recvfrom", errno, "fd " + fd);
    }

    /**
     * Sends {@code count} bytes of {@code file} from {@code offset} (count 0: up to its end) to socket {@code fd}
     * (asyncio's {@code sock_sendfile}); completes with the count sent. Cancelling stops it between chunks.
     */
    public CompletableFuture<Long> sockSendfile(int fd, Path file, long offset, long count) {
        checkNonBlocking(fd);
        return sendfile(fd, file, offset, count);
    }

    /** Sends a file to {@code fd} through the kernel's sendfile where the platform offers it; see {@link FileSender}. */
    CompletableFuture<Long> sendfile(int fd, Path file, long offset, long count) {
        FileSender sender;
        try {
            sender = new FileSender(file, offset, count, loop.capabilities().supports(Capability.ZERO_COPY_SENDFILE));
        } catch (NativeIOException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Long> sending = untilDone(fd, false, () -> sender.sendTo(fd));
        // Once done (cancelled included), no attempt runs any more (OperationFuture): the file can close here.
        sending.whenComplete((v, e) -> sender.close());
        return sending;
    }

    /**
     * Debug mode refuses a blocking socket, as asyncio's does (ValueError): an operation on it would stall
     * the loop thread. Outside debug mode the check costs a system call per operation, and is left out.
     */
    private void checkNonBlocking(int fd) {
        if (loop.isDebug() && !Sockets.isNonBlocking(fd)) {
            throw new IllegalArgumentException("the socket must be non-blocking: fd " + fd
                    + " (debug mode checks it; set O_NONBLOCK, or use a socket the loop made)");
        }
    }

    /** What an attempt returns when the operation would block. */
    static final Object AGAIN = new Object();

    /** One try of a non-blocking operation: its result, or {@link #AGAIN}. */
    @FunctionalInterface
    interface Attempt {
        Object tryOnce() throws NativeIOException;
    }

    /**
     * asyncio's sock_* mechanics: try at once; when the call would block, wait until the socket is ready and
     * try again. The caller gets the {@link OperationFuture} itself, whichever thread it is on: cancelling it (or
     * completing it, as {@code orTimeout} does) stops the waiting, and no attempt runs after that succeeded.
     */
    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> untilDone(int fd, boolean read, Attempt attempt) {
        loop.checkOpen();
        OperationFuture<T> result = loop.owe(new OperationFuture<>());
        StreamIo.Wait[] wait = {null};
        Runnable stopWaiting = () -> {
            if (wait[0] != null) {
                wait[0].cancel();
                wait[0] = null;
            }
        };
        Runnable step = new Runnable() {
            @Override
            public void run() {
                Object r;
                try {
                    r = result.attempt(attempt);
                } catch (NativeIOException e) {
                    stopWaiting.run();
                    result.settleExceptionally(e);
                    return;
                }
                if (r == AGAIN) {
                    wait[0] = io.awaitReady(fd, !read, this);
                    return;
                }
                stopWaiting.run();
                if (r != OperationFuture.NOT_RUN) {
                    result.settle((T) r);
                }
            }
        };
        result.whenComplete((v, e) -> {
            if (result.givenUp()) { // cancelled, or failed by orTimeout: nothing waits for it any more
                loop.runOnLoop(stopWaiting);
            }
        });
        loop.runOnLoop(step);
        return result;
    }
}

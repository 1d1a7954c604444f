package dev.loop.internal.transport;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import dev.loop.NativeIOException;
import dev.loop.internal.engine.Loop;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.nativeio.NativeMemory;
import dev.loop.transport.Accepted;

/**
 * asyncio's low-level socket futures ({@code sock_accept}, {@code sock_connect}, {@code sock_recv},
 * {@code sock_recv_into}, {@code sock_sendall}) on an application's non-blocking socket: each tries at once,
 * and waits through the loop's {@link StreamIo} for the socket to be ready when it would block.
 */
record SocketOperations(Loop loop, StreamIo io, NameResolver resolver) {

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
                return resolver.resolve(inet.getHostString(), false)
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
     * asyncio's sock_* mechanics: try at once; when the call would block, wait until the socket is ready and
     * try again; cancelling the future stops waiting. A result that arrives after the future was cancelled
     * goes to {@code discard} (an accepted socket is closed).
     */
    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> untilDone(int fd, boolean read, Attempt attempt,
            java.util.function.Consumer<Object> discard) {
        return loop.onLoop(() -> {
            CompletableFuture<T> result = new CompletableFuture<>();
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
                    if (result.isDone()) {
                        stopWaiting.run();
                        return;
                    }
                    Object r;
                    try {
                        r = attempt.tryOnce();
                    } catch (NativeIOException e) {
                        stopWaiting.run();
                        result.completeExceptionally(e);
                        return;
                    }
                    if (r == AGAIN) {
                        wait[0] = io.awaitReady(fd, !read, this);
                        return;
                    }
                    stopWaiting.run();
                    if (!result.complete((T) r) && discard != null) {
                        discard.accept(r);
                    }
                }
            };
            step.run();
            result.whenComplete((v, e) -> {
                if (result.isCancelled()) {
                    loop.runOnLoop(stopWaiting);
                }
            });
            return result;
        });
    }
}

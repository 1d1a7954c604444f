package dev.loop.internal.transport;

import java.net.SocketAddress;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntPredicate;

import dev.loop.LoopClosedException;
import dev.loop.NativeIOException;
import dev.loop.internal.engine.Loop;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.LibC;

/** Stream I/O on readiness: transports ({@link ReadinessTransportIo}), accept, connect and waits on reader/writer callbacks. */
public final class ReadinessStreamIo implements StreamIo {

    private final Loop loop;

    public ReadinessStreamIo(Loop loop) {
        this.loop = Objects.requireNonNull(loop, "loop");
    }

    @Override
    public TransportIo newTransportIo(StreamTransport owner, int fd, boolean socket) {
        return new ReadinessTransportIo(loop, owner, fd, socket);
    }

    @Override
    public DatagramIo newDatagramIo(DatagramSocketTransport owner, int fd, boolean unix) {
        return new ReadinessDatagramIo(loop, this, owner, fd, unix);
    }

    /** The loop's reader (or writer) on {@code fd}, kept until cancelled: level-triggered, so called while ready. */
    @Override
    public Wait awaitReady(int fd, boolean write, Runnable onReady) {
        if (write) {
            loop.watchWrite(fd, onReady);
            return () -> loop.unwatchWrite(fd);
        }
        loop.watchRead(fd, onReady);
        return () -> loop.unwatchRead(fd);
    }

    @Override
    public void startAccepting(int listener, int maxPerEvent, IntPredicate sink) {
        loop.watchRead(listener, () -> {
            for (int i = 0; i < maxPerEvent; i++) {
                int fd = Sockets.accept(listener);
                if (fd < 0) {
                    int errno = LibC.errno();
                    if (errno == Errno.EAGAIN || errno == Errno.EINTR) {
                        return;
                    }
                    fd = -errno;
                }
                if (!sink.test(fd)) {
                    return;
                }
            }
        });
    }

    @Override
    public void stopAccepting(int listener) {
        if (!loop.isClosed()) {
            loop.unwatchRead(listener);
        }
    }

    /**
     * A non-blocking connect: at once, or when writable and SO_ERROR is 0. A failed or cancelled
     * connect closes an owned socket always after its writer is removed (so a reused descriptor number
     * never loses someone else's registration).
     */
    @Override
    public CompletableFuture<Void> connect(int fd, SocketAddress target, boolean ownsFd) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable release = () -> {
            loop.unwatchWrite(fd);
            if (ownsFd) {
                LibC.close(fd);
            }
        };
        try {
            if (Sockets.connect(fd, target)) {
                done.complete(null);
                return done;
            }
        } catch (NativeIOException e) {
            if (ownsFd) {
                LibC.close(fd);
            }
            done.completeExceptionally(e);
            return done;
        }
        loop.watchWrite(fd, () -> {
            int err = Sockets.pendingError(fd);
            if (err == 0) {
                loop.unwatchWrite(fd);
                done.complete(null);
            } else {
                release.run();
                done.completeExceptionally(new NativeIOException("connect", err, "Connect call failed " + target));
            }
        });
        loop.owe(done).whenComplete((v, e) -> {
            if (done.isCancelled()) {
                loop.runOnLoop(release);
            } else if (e instanceof LoopClosedException && ownsFd) {
                LibC.close(fd); // the loop closed first: nothing watches the socket any more
            }
        });
        return done;
    }
}

package dev.loop.internal.uring;

import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntPredicate;

import dev.loop.NativeIOException;
import dev.loop.internal.engine.Loop;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.nativeio.NativeMemory;
import dev.loop.internal.nativeio.SocketAddresses;
import dev.loop.internal.transport.DatagramIo;
import dev.loop.internal.transport.DatagramSocketTransport;
import dev.loop.internal.transport.ReadinessDatagramIo;
import dev.loop.internal.transport.StreamTransport;
import dev.loop.internal.transport.TransportIo;
import dev.loop.internal.transport.StreamIo;

/**
 * Stream I/O as io_uring operations: transports ({@link CompletionTransportIo}), {@code IORING_OP_ACCEPT} and
 * {@code IORING_OP_CONNECT}. Also the loop's pool of write chunks, so a steady stream of writes does not
 * allocate native memory per write.
 */
final class CompletionStreamIo implements StreamIo {

    /** Size of a write chunk: writes are copied into chunks, gathered by one writev per completion. */
    static final int CHUNK_SIZE = 64 * 1024;
    /** The most chunks kept for reuse (4 MiB): a steady stream reuses them, a burst gives the rest back. */
    private static final int POOLED_CHUNKS = 64;

    private final Loop loop;
    private final UringBackend proactor;
    private final Map<Integer, Acceptor> acceptors = new HashMap<>();
    private final ArrayDeque<NativeMemory> chunkPool = new ArrayDeque<>();

    /** Whether RECV takes IORING_RECVSEND_POLL_FIRST (5.19+); cleared at the first EINVAL. */
    private boolean pollFirst = true;

    CompletionStreamIo(Loop loop, UringBackend proactor) {
        this.loop = loop;
        this.proactor = proactor;
    }

    boolean pollFirst() {
        return pollFirst;
    }

    void pollFirstUnsupported() {
        pollFirst = false;
    }

    @Override
    public TransportIo newTransportIo(StreamTransport owner, int fd, boolean socket) {
        return new CompletionTransportIo(loop, proactor, this, owner, fd, socket);
    }

    @Override
    public DatagramIo newDatagramIo(DatagramSocketTransport owner, int fd, boolean unix) {
        if (proactor.datagramReceive() == UringBackend.DatagramReceive.READINESS) {
            return new ReadinessDatagramIo(loop, this, owner, fd, unix);
        }
        return new CompletionDatagramIo(loop, proactor, this, owner, fd, unix);
    }

    /**
     * A one-shot {@code IORING_OP_POLL_ADD} (the caller waits again after each try); cancelling removes it.
     * A poll that fails (EBADF) still calls {@code onReady}, whose own call then reports the error.
     */
    @Override
    public Wait awaitReady(int fd, boolean write, Runnable onReady) {
        return new PollWait(fd, write, onReady);
    }

    /** One poll in flight until it completes or is cancelled; a completion after the cancel is dropped. */
    private final class PollWait implements Wait {
        private final Runnable onReady;
        private int op;
        private boolean cancelled;

        PollWait(int fd, boolean write, Runnable onReady) {
            this.onReady = onReady;
            this.op = proactor.submit(Linux.IORING_OP_POLL_ADD, fd, 0, 0, 0, write ? Linux.POLLOUT : Linux.POLLIN,
                    this::completed);
        }

        private void completed(int res) {
            op = -1;
            if (!cancelled && res != -Linux.ECANCELED) {
                onReady.run();
            }
        }

        @Override
        public void cancel() {
            if (!cancelled && op >= 0) {
                proactor.cancel(op);
            }
            cancelled = true;
        }
    }

    // ---------------------------------------------------------------- accept

    /** One accept in flight per listener, submitted again after each completion. */
    private final class Acceptor {
        private final int listener;
        private final IntPredicate sink;
        private int op = -1;
        private boolean stopped;

        Acceptor(int listener, IntPredicate sink) {
            this.listener = listener;
            this.sink = sink;
        }

        void submit() {
            op = proactor.submit(Linux.IORING_OP_ACCEPT, listener, 0, 0, 0, Linux.SOCK_NONBLOCK | Linux.SOCK_CLOEXEC,
                    this::completed);
        }

        private void completed(int res) {
            op = -1;
            if (stopped) {
                if (res >= 0) {
                    LibC.close(res); // accepted as the server stopped: nobody will serve it
                }
                return;
            }
            if (sink.test(res) && !stopped) {
                submit();
            }
        }

        void stop() {
            stopped = true;
            if (op >= 0) {
                proactor.cancel(op);
            }
        }
    }

    /** {@inheritDoc} One connection per completion: the next accept goes with the next wait. */
    @Override
    public void startAccepting(int listener, int maxPerEvent, IntPredicate sink) {
        Acceptor a = new Acceptor(listener, sink);
        Acceptor old = acceptors.put(listener, a);
        if (old != null) {
            old.stop();
        }
        a.submit();
    }

    @Override
    public void stopAccepting(int listener) {
        Acceptor a = acceptors.remove(listener);
        if (a != null) {
            a.stop();
        }
    }

    // ---------------------------------------------------------------- connect

    @Override
    public CompletableFuture<Void> connect(int fd, SocketAddress target, boolean ownsFd) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        NativeMemory address = new NativeMemory(Linux.SOCKADDR_STORAGE_SIZE);
        int length;
        try {
            length = SocketAddresses.encode(target, address);
        } catch (RuntimeException e) {
            address.close();
            if (ownsFd) {
                LibC.close(fd);
            }
            done.completeExceptionally(e);
            return done;
        }
        boolean[] inFlight = {true};
        Runnable abandon = () -> {
            inFlight[0] = false;
            LibC.close(fd); // the loop closes and the kernel never answered: the address stays allocated
        };
        if (ownsFd) {
            proactor.closeIfAbandoned(abandon);
        }
        int op = proactor.submit(Linux.IORING_OP_CONNECT, fd, address.address(), 0, length, 0, res -> {
            inFlight[0] = false;
            address.close(); // the kernel is done with it
            proactor.closedInTime(abandon);
            boolean ok = res == 0 && done.complete(null);
            if (!ok) {
                if (ownsFd) {
                    LibC.close(fd);
                }
                if (res < 0) {
                    done.completeExceptionally(new NativeIOException("connect", -res, "Connect call failed " + target));
                }
            }
        });
        loop.owe(done).whenComplete((v, e) -> { // a loop closed first: the abandon above closes the socket
            if (done.isCancelled()) {
                loop.runOnLoop(() -> {
                    if (inFlight[0]) {
                        proactor.cancel(op); // its completion closes an owned socket
                    }
                });
            }
        });
        return done;
    }

    // ---------------------------------------------------------------- write chunks

    /**
     * A chunk from the pool, or new pages of its own: chunks are mapped, not malloc'ed, so that what a burst
     * took beyond the pool (a peer that never reads can make that a gigabyte) goes back to the operating
     * system as soon as it is written or dropped, not into a C heap that keeps it.
     */
    NativeMemory takeChunk() {
        NativeMemory chunk = chunkPool.poll();
        return chunk != null ? chunk : NativeMemory.mapped(CHUNK_SIZE);
    }

    void giveBack(NativeMemory chunk) {
        if (chunkPool.size() < POOLED_CHUNKS && !loop.isClosed()) {
            chunkPool.push(chunk);
        } else {
            chunk.close();
        }
    }

    /** Frees the pooled chunks (the loop is closing; no operation uses them). */
    void close() {
        NativeMemory chunk;
        while ((chunk = chunkPool.poll()) != null) {
            chunk.close();
        }
    }
}

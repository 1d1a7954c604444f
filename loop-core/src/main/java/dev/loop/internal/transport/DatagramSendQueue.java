package dev.loop.internal.transport;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

import dev.loop.internal.nativeio.DirectBuffers;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.NativeMemory;

/**
 * A datagram endpoint's sending, the same on every backend: a datagram goes to the kernel at once (a non-blocking
 * {@code sendto}, as asyncio's selector transport does), so a sender that outruns its receiver costs the loop no
 * memory (UDP drops at the receiver); what the kernel refuses with EAGAIN is copied into a queue, which leaves in
 * order, in {@code sendmmsg} batches, each time {@link StreamIo#awaitReady} reports the socket writable.
 *
 * <p>The proactor does not send datagrams with {@code IORING_OP_SENDMSG}: on Linux 6.18 a SENDMSG on a unix
 * datagram socket that had to wait for room was retried with its data already consumed and sent an empty
 * datagram instead (the conformance test {@code theSendQueueFollowsTheWriteBufferMarksAndSendsEverythingInOrder}
 * saw it); the wait for writability is an io_uring poll there.
 */
public final class DatagramSendQueue {

    private final StreamIo io;
    private final DatagramSocketTransport owner;
    private final int fd;
    private final ArrayDeque<DatagramIo.Queued> queue = new ArrayDeque<>();
    private final Runnable onWritable = this::flush;
    private final DirectBuffers directAddresses = new DirectBuffers();
    private StreamIo.Wait wait;
    /** While the datagrams of one receive batch are delivered: sends are gathered, then go in one sendmmsg. */
    private boolean gathering;

    public DatagramSendQueue(StreamIo io, DatagramSocketTransport owner, int fd) {
        this.io = io;
        this.owner = owner;
        this.fd = fd;
    }

    /** {@link DatagramIo#send}: at once, else queued behind what waits already (or gathered, see {@link #gather}). */
    public void send(ByteBuffer data, SocketAddress target) {
        if (queue.isEmpty() && !gathering) {
            long n = sendNow(data, target);
            if (n >= 0 || (n != -Errno.EAGAIN && n != -Errno.EINTR)) {
                data.position(data.limit());
                if (n < 0) {
                    owner.sendFailed((int) -n, target);
                }
                return;
            }
        }
        byte[] copy = new byte[data.remaining()];
        data.get(copy);
        DatagramIo.Queued q = new DatagramIo.Queued(copy, target);
        queue.add(q);
        owner.queued(q.counted());
        if (wait == null && !gathering) {
            wait = io.awaitReady(fd, true, onWritable);
        }
    }

    /**
     * Starts gathering: until {@link #sendGathered}, sends are queued instead of sent one by one. The receive side
     * calls it around the delivery of a batch of datagrams, so an echo of 16 datagrams costs one {@code sendmmsg}
     * instead of 16 {@code sendto}s (Netty's flush after a read does the same).
     */
    public void gather() {
        gathering = true;
    }

    /** Ends gathering: what was gathered (and anything queued before) is sent now, in order. */
    public void sendGathered() {
        gathering = false;
        if (!queue.isEmpty() && wait == null) {
            flush();
        }
    }

    /**
     * One {@code sendto} of {@code data}'s remaining bytes as a datagram to {@code target} ({@code null}: the peer),
     * from where they are (a direct buffer, its address remembered as the stream transports do) or copied to the
     * thread's scratch memory: the count sent, or
     * {@code -errno}. The buffer's position does not move.
     */
    private long sendNow(ByteBuffer data, SocketAddress target) {
        int length = data.remaining();
        long n;
        if (data.isDirect()) {
            n = Sockets.sendTo(fd, directAddresses.address(data) + data.position(), length, target);
        } else if (length <= IoScratch.SIZE) {
            NativeMemory scratch = IoScratch.get();
            scratch.buffer().put(0, data, data.position(), length);
            n = Sockets.sendTo(fd, scratch.address(), length, target);
        } else {
            try (NativeMemory own = new NativeMemory(length)) {
                own.buffer().put(0, data, data.position(), length);
                n = Sockets.sendTo(fd, own.address(), length, target);
                if (n < 0) {
                    return -LibC.errno(); // before the memory is freed
                }
            }
        }
        return n >= 0 ? n : -LibC.errno();
    }

    /** Writable: sends batches until the queue is empty or the kernel refuses again (then waits again). */
    private void flush() {
        stopWaiting();
        DatagramBatch batch = DatagramBatch.get();
        while (!queue.isEmpty() && !owner.isReleased()) {
            int count = batch.prepareSend(queue.iterator());
            int n = count > 0 ? batch.send(fd, count)
                    : (int) Math.min(1, sendNow(ByteBuffer.wrap(queue.peek().data()),
                            queue.peek().target())); // larger than the batch's area: alone
            if (n == -Errno.EAGAIN || n == -Errno.EINTR) {
                wait = io.awaitReady(fd, true, onWritable);
                return;
            }
            if (n < 0) { // the first datagram was refused: dropped and reported, the rest goes on
                DatagramIo.Queued q = queue.poll();
                owner.sent(q.counted());
                owner.sendFailed(-n, q.target());
                continue;
            }
            long done = 0;
            for (int i = 0; i < n; i++) {
                done += queue.poll().counted();
            }
            owner.sent(done);
        }
    }

    /** Drops what is queued and stops waiting. */
    public void discard() {
        queue.clear();
        stopWaiting();
    }

    private void stopWaiting() {
        if (wait != null) {
            wait.cancel();
            wait = null;
        }
    }
}

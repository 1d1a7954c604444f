package dev.loop.internal.uring;

import java.net.SocketAddress;
import java.nio.ByteBuffer;

import dev.loop.internal.engine.Loop;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.nativeio.NativeMemory;
import dev.loop.internal.transport.DatagramBatch;
import dev.loop.internal.transport.DatagramIo;
import dev.loop.internal.transport.DatagramSendQueue;
import dev.loop.internal.transport.DatagramSocketTransport;

/**
 * A datagram endpoint's receiving as io_uring operations: one {@code IORING_OP_RECVMSG} in flight while reading,
 * over a native block of its own ({@code msghdr}, iovec, address and data) that stays allocated until its
 * completion arrives, whatever happens to the endpoint meanwhile. Its completion never says whether more
 * datagrams wait ({@code IORING_CQE_F_SOCK_NONEMPTY} is set for stream sockets only), so there is no batch to
 * take after it: one datagram per RECVMSG. Sending is the {@link DatagramSendQueue} every
 * backend shares (a non-blocking {@code sendto}, the rest in {@code sendmmsg} batches after an io_uring poll),
 * which says why it is not SENDMSG.
 *
 * <p>Multishot receive ({@code IORING_RECV_MULTISHOT}) is probed ({@code ProactorProbe}) and not used: it needs a
 * ring of provided buffers registered with the kernel (5.19+; 6.0+ for RECVMSG), which this backend does not have
 * yet; one RECVMSG re-armed per datagram is what loop-benchmarks/README.md measures.
 *
 * <p>A pause keeps the receive in flight; the datagram it brings is parked and delivered on resume.
 */
final class CompletionDatagramIo implements DatagramIo {

    private static final int IOV = Linux.MSGHDR_SIZE;
    private static final int NAME = IOV + Linux.IOVEC_SIZE;
    private static final int DATA = NAME + Linux.SOCKADDR_STORAGE_SIZE;
    /** Every UDP payload fits; unix datagrams are read up to asyncio's 256 KiB. */
    private static final int UDP_RECEIVE_SIZE = 64 * 1024;
    private static final int UNIX_RECEIVE_SIZE = 256 * 1024;

    private final Loop loop;
    private final UringBackend proactor;
    private final DatagramSocketTransport owner;
    private final int fd;
    private final int receiveSize;
    private final CompletionStreamIo io;
    private final DatagramSendQueue sending;
    private final DatagramBatch.SenderCache senders = new DatagramBatch.SenderCache();
    private final UringBackend.Completion onReceive = this::receiveCompleted;
    private NativeMemory receiveBlock;
    private int receiveOp = -1;
    private final ParkedResult parked;
    private boolean receivePolledFirst;
    private boolean fdClosed;

    CompletionDatagramIo(Loop loop, UringBackend proactor, CompletionStreamIo io, DatagramSocketTransport owner, int fd,
            boolean unix) {
        this.loop = loop;
        this.io = io;
        this.sending = new DatagramSendQueue(io, owner, fd);
        this.proactor = proactor;
        this.owner = owner;
        this.fd = fd;
        this.receiveSize = unix ? UNIX_RECEIVE_SIZE : UDP_RECEIVE_SIZE;
        this.parked = new ParkedResult(loop);
    }

    // ---------------------------------------------------------------- receiving

    @Override
    public void startReading() {
        if (owner.isClosing()) {
            return;
        }
        if (parked.pending()) {
            parked.deliverSoon(owner::isClosing, owner::isPaused, this::handleReceive);
        } else if (receiveOp < 0) {
            submitReceive();
        }
    }

    /** A pause keeps the receive in flight (its datagram is parked); a close cancels it. */
    @Override
    public void stopReading() {
        if (!owner.isClosing()) {
            return;
        }
        if (receiveOp >= 0) {
            proactor.cancel(receiveOp);
        }
    }

    private void submitReceive() {
        if (receiveBlock == null) {
            receiveBlock = new NativeMemory(DATA + receiveSize);
        }
        prepareHeader(receiveBlock, receiveSize, Linux.SOCKADDR_STORAGE_SIZE);
        // Polled first: in the common case the socket is empty when the next receive is armed (each datagram was
        // taken as it came), and the kernel's attempt to receive at once would only fail (measured: 0.78x of
        // epoll's echo without the flag, 0.92x with it).
        receivePolledFirst = io.pollFirst();
        receiveOp = proactor.submit(Linux.IORING_OP_RECVMSG, fd, receiveBlock.address(), 1, 0, 0,
                receivePolledFirst ? Linux.IORING_RECVSEND_POLL_FIRST : 0, onReceive);
    }

    private void receiveCompleted(int res) {
        receiveOp = -1;
        if (owner.isReleased()) {
            closeWhenIdle();
            return;
        }
        if (owner.isClosing() || res == -Linux.ECANCELED) {
            return;
        }
        if (owner.isPaused()) {
            parked.park(res);
            return;
        }
        handleReceive(res);
    }

    /** One datagram to the protocol, then the next RECVMSG. */
    private void handleReceive(int res) {
        if (res == -Errno.EINVAL && receivePolledFirst) {
            io.pollFirstUnsupported(); // a kernel before 5.19: receive without the flag from now on
            submitReceive();
            return;
        }
        if (res >= 0) {
            ByteBuffer b = receiveBlock.buffer();
            owner.datagramRead(b, DATA, res, senders.decode(b, NAME, b.getInt(Linux.MSGHDR_NAMELEN)));
        } else if (-res != Errno.EAGAIN && -res != Errno.EINTR) {
            owner.receiveFailed(-res); // an ICMP error: reported, and receiving goes on
        }
        if (owner.isReading() && receiveOp < 0) {
            startReading();
        }
    }

    // ---------------------------------------------------------------- sending

    @Override
    public void send(ByteBuffer data, SocketAddress target) {
        sending.send(data, target);
    }

    @Override
    public void discardWrites() {
        sending.discard();
    }

    /** One msghdr with one iovec over the block's data, its address slot of {@code nameLength} bytes. */
    private static void prepareHeader(NativeMemory block, int dataLength, int nameLength) {
        ByteBuffer b = block.buffer();
        long base = block.address();
        b.putLong(Linux.MSGHDR_NAME, base + NAME);
        b.putInt(Linux.MSGHDR_NAMELEN, nameLength);
        b.putLong(Linux.MSGHDR_IOV, base + IOV);
        b.putLong(Linux.MSGHDR_IOVLEN, 1);
        b.putLong(32, 0); // msg_control
        b.putLong(40, 0); // msg_controllen
        b.putInt(Linux.MSGHDR_FLAGS, 0);
        b.putLong(IOV, base + DATA);
        b.putLong(IOV + 8, dataLength);
    }

    // ---------------------------------------------------------------- closing

    @Override
    public void close() {
        parked.clear();
        if (receiveOp >= 0) {
            proactor.cancel(receiveOp);
        }
        sending.discard();
        closeWhenIdle();
        if (!fdClosed) {
            proactor.closeIfAbandoned(abandon);
        }
    }

    /** The loop closes and the kernel never gave the operations back: the socket is closed, the memory left. */
    private final Runnable abandon = this::closeAbandoned;

    private void closeAbandoned() {
        if (!fdClosed) {
            fdClosed = true;
            owner.closeDescriptor();
        }
    }

    /** Once released and no operation is in flight: the socket is closed and the memory freed. */
    private void closeWhenIdle() {
        if (fdClosed || !owner.isReleased() || receiveOp >= 0) {
            return;
        }
        fdClosed = true;
        proactor.closedInTime(abandon);
        owner.closeDescriptor();
        if (receiveBlock != null) {
            receiveBlock.close();
            receiveBlock = null;
        }
    }
}

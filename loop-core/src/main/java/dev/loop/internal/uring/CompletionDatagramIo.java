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
import dev.loop.internal.transport.HeldDatagrams;

/**
 * A datagram endpoint's receiving as io_uring operations, on a loop made by
 * {@link UringBackend#newMultishotDatagramLoop}; a default proactor loop receives on readiness instead
 * ({@link dev.loop.internal.transport.ReadinessDatagramIo}, measured faster: see
 * {@link UringBackend.DatagramReceive}). A UDP endpoint keeps one multishot {@code RECVMSG}
 * ({@code IORING_RECV_MULTISHOT}, Linux 6.0+) in flight while reading: the kernel fills one of the loop's
 * {@link ProvidedBuffers} per datagram (header, address, payload) and posts a completion for each, so a burst costs
 * no re-arming; each buffer goes back as soon as its datagram was delivered, and the protocol's answers to the
 * completions of one wait leave together after them (one {@code sendmmsg}). A multishot receive ends when every
 * buffer is out (ENOBUFS) or on an error such as an ICMP refusal; it is armed again. A pause cancels it; what
 * arrives before the cancel lands is held (copied) and delivered first on resume.
 *
 * <p>Unix datagram endpoints (datagrams up to 256 KiB, larger than the shared buffers), and every endpoint on a
 * kernel that refuses the buffer ring or the multishot receive, keep one plain {@code RECVMSG} in flight over a
 * native block of their own ({@code msghdr}, iovec, address and data), re-armed per datagram: its completion never
 * says whether more datagrams wait ({@code IORING_CQE_F_SOCK_NONEMPTY} is set for stream sockets only). There a
 * pause keeps the receive in flight; the datagram it brings is parked and delivered on resume.
 *
 * <p>Sending is the {@link DatagramSendQueue} every backend shares (a non-blocking {@code sendto}, the rest in
 * {@code sendmmsg} batches after an io_uring poll), which says why it is not SENDMSG. Every operation's memory
 * stays allocated until its last completion arrives, whatever happens to the endpoint meanwhile.
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
    private final UringBackend.MultishotCompletion onMultishot = this::multishotCompleted;
    private final Runnable sendGathered = this::sendGathered;
    private final Runnable startReading = this::startReading;
    private final boolean unix;
    private NativeMemory receiveBlock;
    private int receiveOp = -1;
    /** The receive in flight is a multishot one (its block is a bare msghdr, its data in provided buffers). */
    private boolean multishot;
    /** The buffers the multishot receive selects from. */
    private ProvidedBuffers buffers;
    /** A multishot receive was never accepted yet: EINVAL then means this kernel has none. */
    private boolean multishotUnproven = true;
    private final ParkedResult parked;
    private final HeldDatagrams held;
    private boolean receivePolledFirst;
    /** Sends are being gathered until the completions at hand are handled. */
    private boolean gathering;
    private boolean fdClosed;

    CompletionDatagramIo(Loop loop, UringBackend proactor, CompletionStreamIo io, DatagramSocketTransport owner, int fd,
            boolean unix) {
        this.loop = loop;
        this.io = io;
        this.sending = new DatagramSendQueue(io, owner, fd);
        this.proactor = proactor;
        this.owner = owner;
        this.fd = fd;
        this.unix = unix;
        this.receiveSize = unix ? UNIX_RECEIVE_SIZE : UDP_RECEIVE_SIZE;
        this.parked = new ParkedResult(loop);
        this.held = new HeldDatagrams(loop, owner);
    }

    // ---------------------------------------------------------------- receiving

    @Override
    public void startReading() {
        if (owner.isClosing()) {
            return;
        }
        if (held.any()) {
            held.deliverSoon(startReading);
        } else if (parked.pending()) {
            parked.deliverSoon(owner::isClosing, owner::isPaused, this::handleReceive);
        } else if (receiveOp < 0) {
            submitReceive();
        }
    }

    /**
     * A close cancels the receive; so does a pause of a multishot one (the kernel would go on filling buffers),
     * while a pause keeps a plain receive in flight (its datagram is parked).
     */
    @Override
    public void stopReading() {
        if ((owner.isClosing() || multishot) && receiveOp >= 0) {
            proactor.cancel(receiveOp);
        }
    }

    private void submitReceive() {
        ProvidedBuffers buffers = unix ? null : proactor.datagramBuffers();
        if (buffers != null) {
            submitMultishot(buffers);
            return;
        }
        multishot = false;
        if (receiveBlock == null || receiveBlock.size() < DATA + receiveSize) {
            closeReceiveBlock();
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

    /**
     * A multishot RECVMSG: its msghdr only gives the sizes of the address and control areas each buffer starts
     * with (the kernel reads it once, at submission; the block stays until the last completion all the same).
     */
    private void submitMultishot(ProvidedBuffers buffers) {
        multishot = true;
        this.buffers = buffers;
        if (receiveBlock == null) {
            receiveBlock = new NativeMemory(Linux.MSGHDR_SIZE);
        }
        receiveBlock.clear();
        receiveBlock.buffer().putInt(Linux.MSGHDR_NAMELEN, Linux.SOCKADDR_STORAGE_SIZE);
        receiveOp = proactor.submitMultishot(Linux.IORING_OP_RECVMSG, fd, receiveBlock.address(),
                Linux.IORING_RECV_MULTISHOT, buffers.group(), onMultishot);
    }

    /** One datagram in a provided buffer (or the end of the multishot receive: no F_MORE). */
    private void multishotCompleted(int res, int flags) {
        boolean last = (flags & Linux.IORING_CQE_F_MORE) == 0;
        if (last) {
            receiveOp = -1;
        }
        if ((flags & Linux.IORING_CQE_F_BUFFER) != 0) {
            int bid = flags >>> Linux.IORING_CQE_BUFFER_SHIFT;
            try {
                if (res >= 0 && !owner.isClosing()) {
                    multishotUnproven = false;
                    deliver(buffers.offset(bid), res);
                }
            } finally {
                buffers.recycle(bid);
            }
        }
        if (owner.isReleased()) {
            if (last) {
                closeWhenIdle();
            }
            return;
        }
        if (res < 0 && res != -Linux.ECANCELED && res != -Errno.ENOBUFS && !owner.isClosing()) {
            if (res == -Errno.EINVAL && multishotUnproven) {
                proactor.multishotReceiveRefused("the kernel refused a multishot RECVMSG (EINVAL; Linux 6.0 or later)");
            } else if (-res != Errno.EAGAIN && -res != Errno.EINTR) {
                owner.receiveFailed(-res); // an ICMP error: reported, and receiving goes on
            }
        }
        if (res == -Errno.ENOBUFS) {
            buffers.ranOut(); // every buffer was out when a datagram came; those delivered since are back
        }
        if (last && owner.isReading()) {
            startReading();
        }
    }

    /** The datagram in the buffer at {@code base} ({@code res} bytes: header, address area, payload). */
    private void deliver(int base, int res) {
        ByteBuffer b = buffers.data();
        int nameLength = Math.min(b.getInt(base), Linux.SOCKADDR_STORAGE_SIZE);
        int payload = base + Linux.IO_URING_RECVMSG_OUT_SIZE + Linux.SOCKADDR_STORAGE_SIZE;
        int length = res - (payload - base);
        SocketAddress sender = senders.decode(b, base + Linux.IO_URING_RECVMSG_OUT_SIZE, nameLength);
        if (!owner.isReading()) {
            held.hold(b, payload, length, sender); // paused: the cancel has not landed yet
            return;
        }
        if (!gathering) {
            gathering = true;
            sending.gather();
            proactor.afterCompletions(sendGathered);
        }
        owner.datagramRead(b, payload, length, sender);
    }

    private void sendGathered() {
        gathering = false;
        sending.sendGathered();
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
        held.clear();
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
        closeReceiveBlock();
    }

    private void closeReceiveBlock() {
        if (receiveBlock != null) {
            receiveBlock.close();
            receiveBlock = null;
        }
    }
}

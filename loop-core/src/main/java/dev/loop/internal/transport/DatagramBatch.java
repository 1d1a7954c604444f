package dev.loop.internal.transport;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Iterator;

import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.nativeio.NativeMemory;
import dev.loop.internal.nativeio.SocketAddresses;

/**
 * The loop thread's {@code recvmmsg} and {@code sendmmsg} vectors: {@code struct mmsghdr}s with their iovecs,
 * address slots and data, in native memory allocated once per thread (only loop threads do datagram I/O). A
 * receive takes up to {@value #RECEIVE_SLOTS} UDP datagrams of up to 64 KiB each in one call (every UDP payload
 * fits), or up to {@value #UNIX_SLOTS} unix datagrams of up to 256 KiB (asyncio's read size); a send gathers up
 * to {@value #SEND_SLOTS} queued datagrams, as many as fit in {@value #SEND_AREA} bytes.
 */
public final class DatagramBatch {

    static final int RECEIVE_SLOTS = 16;
    static final int UDP_SLOT_SIZE = 64 * 1024;
    static final int UNIX_SLOTS = 4;
    static final int UNIX_SLOT_SIZE = 256 * 1024;
    static final int SEND_SLOTS = 32;
    static final int SEND_AREA = 256 * 1024;
    private static final int RECEIVE_DATA = RECEIVE_SLOTS * UDP_SLOT_SIZE;

    private static final ThreadLocal<DatagramBatch> BATCH = ThreadLocal.withInitial(DatagramBatch::new);

    private final NativeMemory receiveVector = new NativeMemory((long) RECEIVE_SLOTS
            * (Linux.MMSGHDR_SIZE + Linux.IOVEC_SIZE + Linux.SOCKADDR_STORAGE_SIZE));
    private final NativeMemory receiveData = new NativeMemory(RECEIVE_DATA);
    private final NativeMemory sendVector = new NativeMemory((long) SEND_SLOTS
            * (Linux.MMSGHDR_SIZE + Linux.IOVEC_SIZE + Linux.SOCKADDR_STORAGE_SIZE));
    private final NativeMemory sendData = new NativeMemory(SEND_AREA);
    /** The slot size the receive vector is laid out for (0: not yet). */
    private int slotSize;
    private final SenderCache senders = new SenderCache();

    private DatagramBatch() {
    }

    static DatagramBatch get() {
        return BATCH.get();
    }

    // ---------------------------------------------------------------- receiving

    /** One {@code recvmmsg} on {@code fd}: the count of datagrams received, or {@code -errno}. */
    int receive(int fd, boolean unix) {
        int slots = unix ? UNIX_SLOTS : RECEIVE_SLOTS;
        int size = unix ? UNIX_SLOT_SIZE : UDP_SLOT_SIZE;
        ByteBuffer v = receiveVector.buffer();
        if (slotSize != size) {
            layOut(receiveVector, RECEIVE_SLOTS, receiveData.address(), size, slots);
            slotSize = size;
        }
        for (int i = 0; i < slots; i++) {
            v.putInt(i * Linux.MMSGHDR_SIZE + Linux.MSGHDR_NAMELEN, Linux.SOCKADDR_STORAGE_SIZE);
        }
        int n = LibC.recvmmsg(fd, receiveVector.address(), slots, Linux.MSG_DONTWAIT, 0);
        return n >= 0 ? n : -LibC.errno();
    }

    /** The data area datagram {@code i} of the last receive is in. */
    ByteBuffer receivedData() {
        return receiveData.buffer();
    }

    int receivedOffset(int i) {
        return i * slotSize;
    }

    int receivedLength(int i) {
        return receiveVector.buffer().getInt(i * Linux.MMSGHDR_SIZE + Linux.MMSGHDR_LEN);
    }

    /** The sender of datagram {@code i}: the same object as for the previous datagram from that address. */
    SocketAddress sender(int i) {
        ByteBuffer v = receiveVector.buffer();
        int length = v.getInt(i * Linux.MMSGHDR_SIZE + Linux.MSGHDR_NAMELEN);
        return senders.decode(v, nameOffset(RECEIVE_SLOTS, i), length);
    }

    // ---------------------------------------------------------------- sending

    /**
     * Packs the queue's first datagrams into the send vector: the count packed, 0 when the first alone is larger
     * than the send area (the caller sends it by itself).
     */
    int prepareSend(Iterator<DatagramIo.Queued> queue) {
        ByteBuffer v = sendVector.buffer();
        ByteBuffer data = sendData.buffer();
        int count = 0;
        int used = 0;
        while (count < SEND_SLOTS && queue.hasNext()) {
            DatagramIo.Queued q = queue.next();
            if (used + q.data().length > SEND_AREA) {
                break;
            }
            data.put(used, q.data());
            int hdr = count * Linux.MMSGHDR_SIZE;
            int iov = SEND_SLOTS * Linux.MMSGHDR_SIZE + count * Linux.IOVEC_SIZE;
            int name = nameOffset(SEND_SLOTS, count);
            v.putLong(iov, sendData.address() + used);
            v.putLong(iov + 8, q.data().length);
            if (q.target() == null) {
                v.putLong(hdr + Linux.MSGHDR_NAME, 0);
                v.putInt(hdr + Linux.MSGHDR_NAMELEN, 0);
            } else {
                v.putLong(hdr + Linux.MSGHDR_NAME, sendVector.address() + name);
                v.putInt(hdr + Linux.MSGHDR_NAMELEN, SocketAddresses.encode(q.target(), v, name));
            }
            v.putLong(hdr + Linux.MSGHDR_IOV, sendVector.address() + iov);
            v.putLong(hdr + Linux.MSGHDR_IOVLEN, 1);
            v.putLong(hdr + 32, 0); // msg_control
            v.putLong(hdr + 40, 0); // msg_controllen
            v.putInt(hdr + Linux.MSGHDR_FLAGS, 0);
            used += q.data().length;
            count++;
        }
        return count;
    }

    /** One {@code sendmmsg} of the {@code count} datagrams prepared: how many the kernel took, or {@code -errno}. */
    int send(int fd, int count) {
        int n = LibC.sendmmsg(fd, sendVector.address(), count, Linux.MSG_NOSIGNAL);
        return n >= 0 ? n : -LibC.errno();
    }

    // ---------------------------------------------------------------- layout

    /** Headers first, then iovecs, then address slots: for {@code capacity} slots, {@code used} of them pointing into data. */
    private static void layOut(NativeMemory vector, int capacity, long data, int size, int used) {
        ByteBuffer v = vector.buffer();
        for (int i = 0; i < used; i++) {
            int hdr = i * Linux.MMSGHDR_SIZE;
            int iov = capacity * Linux.MMSGHDR_SIZE + i * Linux.IOVEC_SIZE;
            v.putLong(iov, data + (long) i * size);
            v.putLong(iov + 8, size);
            v.putLong(hdr + Linux.MSGHDR_NAME, vector.address() + nameOffset(capacity, i));
            v.putLong(hdr + Linux.MSGHDR_IOV, vector.address() + iov);
            v.putLong(hdr + Linux.MSGHDR_IOVLEN, 1);
            v.putLong(hdr + 32, 0);
            v.putLong(hdr + 40, 0);
            v.putInt(hdr + Linux.MSGHDR_FLAGS, 0);
        }
    }

    private static int nameOffset(int capacity, int i) {
        return capacity * (Linux.MMSGHDR_SIZE + Linux.IOVEC_SIZE) + i * Linux.SOCKADDR_STORAGE_SIZE;
    }

    /**
     * The last sender's address, kept while the same bytes come again: a peer sending many datagrams costs one
     * address object, not one per datagram.
     */
    public static final class SenderCache {
        private final byte[] raw = new byte[Linux.SOCKADDR_STORAGE_SIZE];
        private int rawLength = -1;
        private SocketAddress address;

        public SocketAddress decode(ByteBuffer b, int at, int length) {
            int n = Math.min(length, raw.length);
            if (n == rawLength && n > 0 && same(b, at, n)) {
                return address;
            }
            address = SocketAddresses.decode(b, at, n);
            b.get(at, raw, 0, n);
            rawLength = n;
            return address;
        }

        private boolean same(ByteBuffer b, int at, int n) {
            for (int i = 0; i < n; i++) {
                if (b.get(at + i) != raw[i]) {
                    return false;
                }
            }
            return true;
        }
    }
}

package dev.loop.internal.transport;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.loop.EventLoop;
import dev.loop.NativeIOException;
import dev.loop.internal.engine.Futures;
import dev.loop.internal.engine.Loop;
import dev.loop.internal.engine.LoopResources;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.transport.DatagramProtocol;
import dev.loop.transport.DatagramTransport;
import dev.loop.transport.WriteBufferLimits;

/**
 * The {@link DatagramTransport} contract over one owned datagram socket (asyncio's
 * {@code _SelectorDatagramTransport} and {@code _ProactorDatagramTransport}): start-up order, the send queue and
 * its flow control, errors that go to {@code errorReceived} without closing, closing and the protocol's
 * callbacks. The mechanism is a {@link DatagramIo}, which reports back through the methods under "events from
 * the I/O".
 */
public final class DatagramSocketTransport implements DatagramTransport {

    private static final System.Logger LOG = dev.loop.LoopLogging.getLogger("dev.loop.transport");

    /** asyncio counts every queued datagram with 8 bytes more than its data. */
    static final int DATAGRAM_OVERHEAD = 8;
    /** asyncio: warn once this many datagrams were dropped after the endpoint was lost. */
    private static final int LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5;

    private final Loop loop;
    private final int fd;
    private final int family;
    private final DatagramProtocol protocol;
    private final DatagramIo io;
    private final TransportState state;
    /** The peer of a connected endpoint, else null. */
    private final SocketAddress peer;
    /** A unix socket file this endpoint bound, removed on close if it is still the same file; else null. */
    private final Path socketFile;
    private final Object socketFileInode;
    private final LoopResources.Resource resource = LoopResources.Resource.of(this, this::close, this::release,
            () -> { }, () -> { }, () -> writeBufferSize() == 0);
    /** Queued datagrams (each counted with 8 bytes more) against the marks. */
    private final WriteMarks marks;
    private int droppedWrites;
    private SocketAddress local;

    DatagramSocketTransport(Loop loop, StreamIo streams, int fd, int family, DatagramProtocol protocol,
            SocketAddress peer, Path socketFile, Object socketFileInode) {
        loop.requireWatchable(fd, "a datagram endpoint on descriptor " + fd);
        this.loop = Objects.requireNonNull(loop, "loop");
        this.fd = fd;
        this.family = family;
        this.protocol = Objects.requireNonNull(protocol, "protocol factory returned null");
        this.peer = peer;
        this.socketFile = socketFile;
        this.socketFileInode = socketFileInode;
        this.marks = new WriteMarks(loop, fd, protocol::pauseWriting, protocol::resumeWriting);
        Sockets.setNonBlocking(fd);
        this.io = streams.newDatagramIo(this, fd, family == Linux.AF_UNIX);
        this.state = new TransportState(loop, io, marks, protocol::connectionLost, this::release);
        loop.resources().add(LoopResources.Kind.TRANSPORT, resource);
        loop.resources().own(fd, LoopResources.Kind.TRANSPORT, this);
    }

    /** asyncio's start-up order: {@code connectionMade}, then receiving starts (unless paused meanwhile), then {@code made}. */
    <T> void start(CompletableFuture<T> made, Supplier<T> result) {
        loop.callSoon(() -> {
            try {
                protocol.connectionMade(this);
            } catch (RuntimeException | Error e) {
                made.completeExceptionally(e);
                fatalError(e, "Fatal error: protocol.connectionMade() call failed.");
            }
        });
        loop.callSoon(() -> {
            if (state.isReading()) {
                io.startReading();
            }
        });
        loop.callSoon(() -> Futures.deliver(made, result.get())); // given up on meanwhile: closed
    }

    // ---------------------------------------------------------------- DatagramTransport

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public DatagramProtocol protocol() {
        return protocol;
    }

    @Override
    public int fd() {
        return fd;
    }

    @Override
    public void sendto(ByteBuffer data, SocketAddress address) {
        loop.checkThread("DatagramTransport.sendto");
        SocketAddress target = checkTarget(address);
        if (state.isLost()) {
            data.position(data.limit());
            if (++droppedWrites >= LOG_THRESHOLD_FOR_CONNLOST_WRITES) {
                LOG.log(Level.WARNING, "socket.sendto() raised exception: " + droppedWrites
                        + " datagrams dropped after the endpoint was closed (" + this + ")");
            }
            return;
        }
        io.send(data, target);
        marks.check();
    }

    /** asyncio's rules: a connected endpoint sends to its peer only, an unconnected one needs an address. */
    private SocketAddress checkTarget(SocketAddress address) {
        if (peer != null) {
            if (address != null && !address.equals(peer)) {
                throw new IllegalArgumentException("Invalid address: must be null or " + peer + ", not " + address);
            }
            return null;
        }
        if (address == null) {
            throw new IllegalArgumentException("this endpoint is not connected: sendto needs an address");
        }
        if (address instanceof InetSocketAddress inet && inet.isUnresolved()) {
            throw new IllegalArgumentException("unresolved address " + address
                    + ": resolve it first (loop.getAddrInfo); sendto never blocks on name resolution");
        }
        return address;
    }

    @Override
    public void close() {
        state.close("DatagramTransport.close");
    }

    @Override
    public void abort() {
        state.forceClose(null);
    }

    @Override
    public boolean isClosing() {
        return state.isClosing();
    }

    @Override
    public void pauseReading() {
        state.pauseReading("DatagramTransport.pauseReading");
    }

    @Override
    public void resumeReading() {
        state.resumeReading("DatagramTransport.resumeReading");
    }

    @Override
    public boolean isReading() {
        return state.isReading();
    }

    @Override
    public SocketAddress localAddress() {
        if (local == null && !state.isReleased()) {
            local = Sockets.localAddress(fd);
        }
        return local;
    }

    @Override
    public SocketAddress remoteAddress() {
        return peer;
    }

    @Override
    public Object extraInfo(String name) {
        return switch (name) {
            case "peername" -> remoteAddress();
            case "sockname" -> localAddress();
            case "socket" -> fd;
            default -> null;
        };
    }

    @Override
    public void joinGroup(InetAddress group, NetworkInterface networkInterface) throws NativeIOException {
        membership(group, networkInterface, true);
    }

    @Override
    public void leaveGroup(InetAddress group, NetworkInterface networkInterface) throws NativeIOException {
        membership(group, networkInterface, false);
    }

    private void membership(InetAddress group, NetworkInterface networkInterface, boolean join)
            throws NativeIOException {
        loop.checkThread(join ? "DatagramTransport.joinGroup" : "DatagramTransport.leaveGroup");
        Objects.requireNonNull(group, "group");
        if (state.isReleased()) {
            throw new IllegalStateException(this + " is closed");
        }
        int groupFamily = group instanceof java.net.Inet4Address ? Linux.AF_INET : Linux.AF_INET6;
        if (groupFamily != family) {
            throw new IllegalArgumentException("group " + group.getHostAddress() + " is not of the socket's family ("
                    + (family == Linux.AF_UNIX ? "a unix socket" : family == Linux.AF_INET ? "IPv4" : "IPv6") + ")");
        }
        if (!group.isMulticastAddress()) {
            throw new IllegalArgumentException(group.getHostAddress() + " is not a multicast address");
        }
        Sockets.membership(fd, group, networkInterface == null ? 0 : networkInterface.getIndex(), join);
    }

    @Override
    public void setWriteBufferLimits(long high, long low) {
        marks.setLimits(high, low);
    }

    @Override
    public WriteBufferLimits writeBufferLimits() {
        return marks.limits();
    }

    @Override
    public long writeBufferSize() {
        return marks.pending();
    }

    // ---------------------------------------------------------------- events from the I/O

    /** Hands a copy of the {@code n} bytes of {@code source} at {@code offset}, from {@code sender}, to the protocol. */
    public void datagramRead(ByteBuffer source, int offset, int n, SocketAddress sender) {
        byte[] copy = new byte[n];
        source.get(offset, copy, 0, n);
        try {
            protocol.datagramReceived(ByteBuffer.wrap(copy), sender);
        } catch (RuntimeException | Error e) {
            fatalError(e, "Fatal error: protocol.datagramReceived() call failed.");
        }
    }

    /** A receive failed with {@code errno} (not EAGAIN or EINTR): an ICMP error, usually; the endpoint stays open. */
    public void receiveFailed(int errno) {
        errorReceived(new NativeIOException("recvfrom", errno, toString()));
    }

    /** The kernel refused a datagram to {@code target} with {@code errno}; it is dropped, the endpoint stays open. */
    public void sendFailed(int errno, SocketAddress target) {
        errorReceived(new NativeIOException("sendto", errno, this + (target == null ? "" : " to " + target)));
    }

    private void errorReceived(NativeIOException error) {
        if (isClosing()) {
            return;
        }
        try {
            protocol.errorReceived(error);
        } catch (RuntimeException | Error e) {
            fatalError(e, "Fatal error: protocol.errorReceived() call failed.");
        }
    }

    /** A datagram counting {@code n} was queued. */
    public void queued(long n) {
        marks.added(n);
    }

    /** Queued datagrams counting {@code n} left the queue (sent, or refused and reported): flow control, a pending close. */
    public void sent(long n) {
        marks.removed(n);
        state.drainedWhileClosing();
    }

    /** Whether the protocol paused reading. */
    public boolean isPaused() {
        return state.isPaused();
    }

    /** Whether the socket was given up (closed, or closing once the kernel gives its operations back). */
    public boolean isReleased() {
        return state.isReleased();
    }

    // ---------------------------------------------------------------- closing

    private void fatalError(Throwable e, String message) {
        loop.reportError(message + " (" + this + ")", e, null, fd, null);
        state.forceClose(e);
    }

    /** The mechanism closes the socket through this, once no operation uses it any more. */
    public void closeDescriptor() {
        loop.resources().disown(fd);
        LibC.close(fd);
    }

    /** Closes the socket now, without callbacks (also what the loop's close does). */
    private void release() {
        if (!state.release()) {
            return;
        }
        io.close();
        marks.cleared();
        loop.resources().remove(LoopResources.Kind.TRANSPORT, resource);
        removeSocketFile();
    }

    /** The unix socket file this endpoint bound, if it is still that file (another process may have replaced it). */
    private void removeSocketFile() {
        if (socketFile == null) {
            return;
        }
        try {
            if (socketFileInode.equals(Files.getAttribute(socketFile, "unix:ino", LinkOption.NOFOLLOW_LINKS))) {
                Files.delete(socketFile);
            }
        } catch (IOException e) {
            // gone already, or not ours to remove
        }
    }

    @Override
    public String toString() {
        return "DatagramTransport[fd=" + fd + state + "]";
    }
}

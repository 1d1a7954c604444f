package dev.loop.internal.transport;

import java.net.SocketAddress;

import dev.loop.NativeIOException;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.nativeio.NativeMemory;
import dev.loop.internal.nativeio.SocketAddresses;

/**
 * Socket descriptors for the low-level API ({@code sockAccept}, {@code sockConnect}, ...) and the
 * transports: every socket is created non-blocking and close-on-exec. Errors are
 * {@link NativeIOException}s naming the call and the address.
 */
public final class Sockets {

    private static final ThreadLocal<NativeMemory> ADDRESS = ThreadLocal.withInitial(
            () -> new NativeMemory(Linux.SOCKADDR_STORAGE_SIZE + 8));

    private Sockets() {
    }

    /** A new non-blocking, close-on-exec stream socket of the family of {@code address}. */
    public static int openStream(SocketAddress address) throws NativeIOException {
        return openStream(SocketAddresses.family(address));
    }

    /** A new non-blocking, close-on-exec stream socket of {@code family} (AF_INET, AF_INET6, AF_UNIX). */
    public static int openStream(int family) throws NativeIOException {
        int fd = LibC.socket(family, Linux.SOCK_STREAM | Linux.SOCK_NONBLOCK | Linux.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new NativeIOException("socket", LibC.errno(), "family " + family);
        }
        return fd;
    }

    /** A new non-blocking, close-on-exec datagram socket of {@code family} (AF_INET, AF_INET6, AF_UNIX). */
    public static int openDatagram(int family) throws NativeIOException {
        int fd = LibC.socket(family, Linux.SOCK_DGRAM | Linux.SOCK_NONBLOCK | Linux.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new NativeIOException("socket", LibC.errno(), "datagram socket of family " + family);
        }
        return fd;
    }

    /**
     * One non-blocking {@code sendto} of {@code length} bytes at {@code buf} to {@code target} ({@code null}: the
     * connected peer): the count sent, or -1 with {@link LibC#errno()} set.
     */
    public static long sendTo(int fd, long buf, long length, SocketAddress target) {
        if (target == null) {
            return LibC.sendto(fd, buf, length, Linux.MSG_NOSIGNAL, 0, 0);
        }
        NativeMemory mem = ADDRESS.get();
        int len = SocketAddresses.encode(target, mem);
        return LibC.sendto(fd, buf, length, Linux.MSG_NOSIGNAL, mem.address(), len);
    }

    /**
     * One non-blocking {@code recvfrom} into {@code length} bytes at {@code buf}: the datagram's length, or -1 with
     * {@link LibC#errno()} set. The sender's address is left in the calling thread's buffer for
     * {@link #lastSender()}.
     */
    public static long receiveFrom(int fd, long buf, long length) {
        NativeMemory mem = ADDRESS.get();
        mem.buffer().putInt(Linux.SOCKADDR_STORAGE_SIZE, Linux.SOCKADDR_STORAGE_SIZE);
        return LibC.recvfrom(fd, buf, length, 0, mem.address(), mem.address() + Linux.SOCKADDR_STORAGE_SIZE);
    }

    /** The sender of the last {@link #receiveFrom} on this thread. */
    public static SocketAddress lastSender() {
        return lastAcceptedAddress();
    }

    /**
     * Joins ({@code join}) or leaves multicast group {@code group} on the interface numbered {@code ifindex} (0:
     * the route's): {@code IP_ADD_MEMBERSHIP} with a {@code struct ip_mreqn}, or {@code IPV6_ADD_MEMBERSHIP}
     * with a {@code struct ipv6_mreq}.
     */
    public static void membership(int fd, java.net.InetAddress group, int ifindex, boolean join)
            throws NativeIOException {
        NativeMemory mem = ADDRESS.get();
        java.nio.ByteBuffer b = mem.buffer();
        byte[] raw = group.getAddress();
        int level;
        int option;
        int size;
        if (group instanceof java.net.Inet4Address) {
            b.put(0, raw);
            b.putInt(4, 0); // INADDR_ANY: the interface is given by its index
            b.putInt(8, ifindex);
            level = Linux.IPPROTO_IP;
            option = join ? Linux.IP_ADD_MEMBERSHIP : Linux.IP_DROP_MEMBERSHIP;
            size = Linux.IP_MREQN_SIZE;
        } else {
            b.put(0, raw);
            b.putInt(16, ifindex);
            level = Linux.IPPROTO_IPV6;
            option = join ? Linux.IPV6_ADD_MEMBERSHIP : Linux.IPV6_DROP_MEMBERSHIP;
            size = Linux.IPV6_MREQ_SIZE;
        }
        if (LibC.setsockopt(fd, level, option, mem.address(), size) != 0) {
            throw new NativeIOException("setsockopt", LibC.errno(), (join ? "joining " : "leaving ")
                    + "multicast group " + group.getHostAddress() + " on interface " + ifindex);
        }
    }

    /** Sends multicast datagrams of {@code fd} ({@code family}) from the interface numbered {@code ifindex}. */
    public static void multicastInterface(int fd, int family, int ifindex) throws NativeIOException {
        if (family == Linux.AF_INET6) {
            setOption(fd, Linux.IPPROTO_IPV6, Linux.IPV6_MULTICAST_IF, ifindex);
            return;
        }
        NativeMemory mem = ADDRESS.get();
        mem.buffer().putLong(0, 0);
        mem.buffer().putInt(8, ifindex);
        if (LibC.setsockopt(fd, Linux.IPPROTO_IP, Linux.IP_MULTICAST_IF, mem.address(), Linux.IP_MREQN_SIZE) != 0) {
            throw new NativeIOException("setsockopt", LibC.errno(), "IP_MULTICAST_IF interface " + ifindex);
        }
    }

    public static void bind(int fd, SocketAddress address) throws NativeIOException {
        NativeMemory mem = ADDRESS.get();
        int len = SocketAddresses.encode(address, mem);
        if (LibC.bind(fd, mem.address(), len) != 0) {
            throw new NativeIOException("bind", LibC.errno(), "error while attempting to bind on address " + address);
        }
    }

    public static void listen(int fd, int backlog) throws NativeIOException {
        if (LibC.listen(fd, backlog) != 0) {
            throw new NativeIOException("listen", LibC.errno(), "fd " + fd);
        }
    }

    /**
     * Starts a non-blocking connect: {@code true} if already connected, {@code false} if in progress
     * (wait for writability, then {@link #pendingError}).
     */
    public static boolean connect(int fd, SocketAddress address) throws NativeIOException {
        NativeMemory mem = ADDRESS.get();
        int len = SocketAddresses.encode(address, mem);
        if (LibC.connect(fd, mem.address(), len) == 0) {
            return true;
        }
        int errno = LibC.errno();
        if (errno == Errno.EINPROGRESS || errno == Errno.EINTR) {
            return false;
        }
        throw new NativeIOException("connect", errno, "Connect call failed " + address);
    }

    /** {@code SO_ERROR}: 0 or the errno of a failed non-blocking connect. */
    public static int pendingError(int fd) {
        NativeMemory mem = ADDRESS.get();
        mem.buffer().putInt(0, 0);
        mem.buffer().putInt(8, 4);
        if (LibC.getsockopt(fd, Linux.SOL_SOCKET, Linux.SO_ERROR, mem.address(), mem.address() + 8) != 0) {
            return LibC.errno();
        }
        return mem.buffer().getInt(0);
    }

    public static void setOption(int fd, int level, int option, int value) throws NativeIOException {
        NativeMemory mem = ADDRESS.get();
        mem.buffer().putInt(0, value);
        if (LibC.setsockopt(fd, level, option, mem.address(), 4) != 0) {
            throw new NativeIOException("setsockopt", LibC.errno(), "level " + level + " option " + option);
        }
    }

    public static int getOption(int fd, int level, int option) throws NativeIOException {
        NativeMemory mem = ADDRESS.get();
        mem.buffer().putInt(0, 0);
        mem.buffer().putInt(8, 4);
        if (LibC.getsockopt(fd, level, option, mem.address(), mem.address() + 8) != 0) {
            throw new NativeIOException("getsockopt", LibC.errno(), "level " + level + " option " + option);
        }
        return mem.buffer().getInt(0);
    }

    /** The socket's local address, or {@code null} if it has none (or is not a socket). */
    public static SocketAddress localAddress(int fd) {
        NativeMemory mem = ADDRESS.get();
        mem.buffer().putInt(Linux.SOCKADDR_STORAGE_SIZE, Linux.SOCKADDR_STORAGE_SIZE);
        if (LibC.getsockname(fd, mem.address(), mem.address() + Linux.SOCKADDR_STORAGE_SIZE) != 0) {
            return null;
        }
        return SocketAddresses.decode(mem, mem.buffer().getInt(Linux.SOCKADDR_STORAGE_SIZE));
    }

    /** The peer's address, or {@code null} if not connected. */
    public static SocketAddress remoteAddress(int fd) {
        NativeMemory mem = ADDRESS.get();
        mem.buffer().putInt(Linux.SOCKADDR_STORAGE_SIZE, Linux.SOCKADDR_STORAGE_SIZE);
        if (LibC.getpeername(fd, mem.address(), mem.address() + Linux.SOCKADDR_STORAGE_SIZE) != 0) {
            return null;
        }
        return SocketAddresses.decode(mem, mem.buffer().getInt(Linux.SOCKADDR_STORAGE_SIZE));
    }

    /**
     * Accepts one connection, non-blocking and close-on-exec: the new descriptor, or -1 with
     * {@link LibC#errno()} set (EAGAIN when none is waiting). The peer's address is left in the
     * calling thread's buffer for {@link #lastAcceptedAddress()}.
     */
    public static int accept(int fd) {
        NativeMemory mem = ADDRESS.get();
        mem.buffer().putInt(Linux.SOCKADDR_STORAGE_SIZE, Linux.SOCKADDR_STORAGE_SIZE);
        return LibC.accept4(fd, mem.address(), mem.address() + Linux.SOCKADDR_STORAGE_SIZE,
                Linux.SOCK_NONBLOCK | Linux.SOCK_CLOEXEC);
    }

    /** The peer address of the last {@link #accept} on this thread. */
    public static SocketAddress lastAcceptedAddress() {
        NativeMemory mem = ADDRESS.get();
        return SocketAddresses.decode(mem, mem.buffer().getInt(Linux.SOCKADDR_STORAGE_SIZE));
    }

    /**
     * The address family (AF_INET, AF_INET6 or AF_UNIX) of {@code fd}, which must be a stream socket of one of
     * them: anything else is an {@link IllegalArgumentException} for {@code method}.
     */
    public static int streamFamily(int fd, String method) {
        return family(fd, method, Linux.SOCK_STREAM);
    }

    /**
     * The address family (AF_INET, AF_INET6 or AF_UNIX) of {@code fd}, which must be a datagram socket of one of
     * them: anything else is an {@link IllegalArgumentException} for {@code method}.
     */
    public static int datagramFamily(int fd, String method) {
        return family(fd, method, Linux.SOCK_DGRAM);
    }

    private static int family(int fd, String method, int expectedType) {
        boolean stream = expectedType == Linux.SOCK_STREAM;
        int type;
        int family;
        try {
            type = getOption(fd, Linux.SOL_SOCKET, Linux.SO_TYPE);
            family = getOption(fd, Linux.SOL_SOCKET, Linux.SO_DOMAIN);
        } catch (NativeIOException e) {
            throw new IllegalArgumentException(method + ": descriptor " + fd + " is not a socket (" + e.errnoName() + ")");
        }
        if (type != expectedType) {
            throw new IllegalArgumentException(method + ": descriptor " + fd + " is not a " + (stream ? "stream" : "datagram")
                    + " socket (SO_TYPE " + type + "); " + (stream ? "datagram sockets have their own endpoints"
                            : "stream sockets have connections and servers"));
        }
        if (family != Linux.AF_INET && family != Linux.AF_INET6 && family != Linux.AF_UNIX) {
            throw new IllegalArgumentException(method + ": descriptor " + fd + " is a " + (stream ? "stream" : "datagram")
                    + " socket of family " + family + ", not " + (stream ? "TCP" : "UDP") + " or a unix socket");
        }
        return family;
    }

    /** Whether {@code O_NONBLOCK} is set on {@code fd}; an invalid descriptor is an {@link IllegalArgumentException}. */
    public static boolean isNonBlocking(int fd) {
        return (statusFlags(fd) & Linux.O_NONBLOCK) != 0;
    }

    /** {@code fcntl(F_GETFL)}; an invalid descriptor is an {@link IllegalArgumentException}. */
    private static int statusFlags(int fd) {
        int flags = LibC.fcntl(fd, Linux.F_GETFL, 0);
        if (flags < 0) {
            throw new IllegalArgumentException("Invalid file descriptor: " + fd + " (" + Errno.name(LibC.errno()) + ")");
        }
        return flags;
    }

    /** Sets {@code O_NONBLOCK} on any descriptor (affects every holder of the file description). */
    public static void setNonBlocking(int fd) {
        int flags = statusFlags(fd);
        if ((flags & Linux.O_NONBLOCK) == 0 && LibC.fcntl(fd, Linux.F_SETFL, flags | Linux.O_NONBLOCK) != 0) {
            throw new IllegalArgumentException("cannot make fd " + fd + " non-blocking: " + Errno.name(LibC.errno()));
        }
    }

    public static void close(int fd) {
        if (fd >= 0) {
            LibC.close(fd);
        }
    }
}

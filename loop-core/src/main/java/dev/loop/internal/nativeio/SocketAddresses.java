package dev.loop.internal.nativeio;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Java socket addresses to and from {@code sockaddr_in}, {@code sockaddr_in6} and {@code sockaddr_un}
 * in native memory (layouts identical on x86_64 and aarch64 Linux; checked by NativeLayoutTest). Ports
 * are big-endian; everything else native-order.
 */
public final class SocketAddresses {

    private SocketAddresses() {
    }

    /** The address family of {@code address}: AF_INET, AF_INET6 or AF_UNIX. */
    public static int family(SocketAddress address) {
        if (address instanceof UnixDomainSocketAddress) {
            return Linux.AF_UNIX;
        }
        InetAddress ip = ((InetSocketAddress) address).getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address: " + address);
        }
        return ip instanceof Inet4Address ? Linux.AF_INET : Linux.AF_INET6;
    }

    /**
     * Writes {@code address} at offset 0 of {@code mem} (at least {@link Linux#SOCKADDR_STORAGE_SIZE}
     * bytes) and returns its length.
     *
     * @throws IllegalArgumentException for a unix path longer than {@code sun_path} (107 bytes)
     */
    public static int encode(SocketAddress address, NativeMemory mem) {
        return encode(address, mem.buffer(), 0);
    }

    /**
     * Writes {@code address} at {@code at} of {@code b} ({@link Linux#SOCKADDR_STORAGE_SIZE} bytes from there)
     * and returns its length.
     *
     * @throws IllegalArgumentException for a unix path longer than {@code sun_path} (107 bytes)
     */
    public static int encode(SocketAddress address, ByteBuffer b, int at) {
        if (address instanceof UnixDomainSocketAddress unix) {
            byte[] path = unix.getPath().toString().getBytes(StandardCharsets.UTF_8);
            // An abstract name starts with NUL and is passed with its exact length.
            boolean abstractName = path.length > 0 && path[0] == 0;
            int max = Linux.SOCKADDR_UN_SIZE - Linux.SOCKADDR_UN_PATH_OFFSET - (abstractName ? 0 : 1);
            if (path.length > max) {
                throw new IllegalArgumentException("unix socket path is " + path.length + " bytes; the limit is " + max
                        + ": " + unix.getPath());
            }
            b.putShort(at, (short) Linux.AF_UNIX);
            b.put(at + Linux.SOCKADDR_UN_PATH_OFFSET, path);
            b.put(at + Linux.SOCKADDR_UN_PATH_OFFSET + path.length, (byte) 0);
            return Linux.SOCKADDR_UN_PATH_OFFSET + path.length + (abstractName ? 0 : 1);
        }
        InetSocketAddress inet = (InetSocketAddress) address;
        InetAddress ip = inet.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address: " + address);
        }
        byte[] raw = ip.getAddress();
        short port = (short) inet.getPort();
        if (ip instanceof Inet4Address) {
            b.putShort(at, (short) Linux.AF_INET);
            b.putShort(at + 2, network(port));
            b.put(at + 4, raw);
            b.putLong(at + 8, 0); // sin_zero
            return Linux.SOCKADDR_IN_SIZE;
        }
        b.putShort(at, (short) Linux.AF_INET6);
        b.putShort(at + 2, network(port));
        b.putInt(at + 4, 0); // flow info
        b.put(at + 8, raw);
        b.putInt(at + 24, ((Inet6Address) ip).getScopeId());
        return Linux.SOCKADDR_IN6_SIZE;
    }

    /** Reads the address of {@code length} bytes at offset 0 of {@code mem}; {@code null} if unknown. */
    public static SocketAddress decode(NativeMemory mem, int length) {
        return decode(mem.buffer(), 0, length);
    }

    /** Reads the address of {@code length} bytes at {@code at} of {@code b}; {@code null} if unknown. */
    public static SocketAddress decode(ByteBuffer b, int at, int length) {
        if (length < 2) {
            return null;
        }
        int family = b.getShort(at);
        try {
            if (family == Linux.AF_INET) {
                byte[] raw = new byte[4];
                b.get(at + 4, raw);
                return new InetSocketAddress(InetAddress.getByAddress(raw), port(b, at));
            }
            if (family == Linux.AF_INET6) {
                byte[] raw = new byte[16];
                b.get(at + 8, raw);
                int scope = b.getInt(at + 24);
                InetAddress ip = scope == 0 ? InetAddress.getByAddress(raw) : Inet6Address.getByAddress(null, raw, scope);
                return new InetSocketAddress(ip, port(b, at));
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // only thrown for a wrong array length
        }
        if (family == Linux.AF_UNIX) {
            int n = length - Linux.SOCKADDR_UN_PATH_OFFSET;
            byte[] path = new byte[Math.max(n, 0)];
            b.get(at + Linux.SOCKADDR_UN_PATH_OFFSET, path);
            int end = path.length;
            if (end > 0 && path[0] != 0) { // a filesystem path: NUL-terminated
                end = 0;
                while (end < path.length && path[end] != 0) {
                    end++;
                }
            }
            return UnixDomainSocketAddress.of(new String(path, 0, end, StandardCharsets.UTF_8));
        }
        return null;
    }

    private static int port(ByteBuffer b, int at) {
        return Short.toUnsignedInt(network(b.getShort(at + 2)));
    }

    /** Between host order (the buffer's native order) and network (big-endian) order. */
    private static short network(short value) {
        return ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? value : Short.reverseBytes(value);
    }
}

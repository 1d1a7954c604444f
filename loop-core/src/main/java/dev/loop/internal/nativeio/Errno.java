package dev.loop.internal.nativeio;

import java.util.Map;

import com.sun.jna.Platform;

/**
 * errno values and names. Linux numbers by default; the few that the BSDs number differently are
 * chosen at class load from the running OS.
 */
public final class Errno {

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int ENOMEM = 12;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int ESRCH = 3;
    public static final int EIO = 5;
    public static final int ECHILD = 10;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int ENOTDIR = 20;
    public static final int EPIPE = 32;
    public static final int ENOTSOCK = 88;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETUNREACH = 101;
    public static final int ECONNABORTED = 103;
    public static final int ECONNRESET = 104;
    public static final int ENOBUFS = 105;
    public static final int ENOTCONN = 107;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTUNREACH = 113;
    public static final int EINPROGRESS = 115;
    public static final int EAGAIN = Platform.isMac() || Platform.isFreeBSD() ? 35 : 11;
    public static final int ENOSYS = Platform.isMac() || Platform.isFreeBSD() ? 78 : 38;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(EPERM, "EPERM"), Map.entry(ENOENT, "ENOENT"), Map.entry(EINTR, "EINTR"),
            Map.entry(EBADF, "EBADF"), Map.entry(ENOMEM, "ENOMEM"), Map.entry(EEXIST, "EEXIST"),
            Map.entry(EINVAL, "EINVAL"), Map.entry(ENFILE, "ENFILE"), Map.entry(EMFILE, "EMFILE"),
            Map.entry(EAGAIN, "EAGAIN"), Map.entry(ENOSYS, "ENOSYS"), Map.entry(ESRCH, "ESRCH"),
            Map.entry(EIO, "EIO"), Map.entry(ECHILD, "ECHILD"), Map.entry(EACCES, "EACCES"),
            Map.entry(ENOTDIR, "ENOTDIR"), Map.entry(EBUSY, "EBUSY"), Map.entry(EAFNOSUPPORT, "EAFNOSUPPORT"),
            Map.entry(EPIPE, "EPIPE"), Map.entry(ENOTSOCK, "ENOTSOCK"),
            Map.entry(EADDRINUSE, "EADDRINUSE"), Map.entry(EADDRNOTAVAIL, "EADDRNOTAVAIL"),
            Map.entry(ENETUNREACH, "ENETUNREACH"), Map.entry(ECONNABORTED, "ECONNABORTED"),
            Map.entry(ECONNRESET, "ECONNRESET"), Map.entry(ENOBUFS, "ENOBUFS"), Map.entry(ENOTCONN, "ENOTCONN"),
            Map.entry(ETIMEDOUT, "ETIMEDOUT"), Map.entry(ECONNREFUSED, "ECONNREFUSED"),
            Map.entry(EHOSTUNREACH, "EHOSTUNREACH"), Map.entry(EINPROGRESS, "EINPROGRESS"));

    private Errno() {
    }

    /** The symbolic name ({@code EBADF}), or {@code errno N} when it is not one we name. */
    public static String name(int errno) {
        return NAMES.getOrDefault(errno, "errno " + errno);
    }

    /** {@code strerror(errno)}: the C library's message. Called on failure paths only. */
    public static String message(int errno) {
        try {
            return LibC.strerror(errno);
        } catch (RuntimeException | LinkageError e) {
            return name(errno);
        }
    }
}

package dev.loop.nativeio;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * Direct-mapped libc calls (JNA {@code Native.register}): about 90 ns over C per call, against
 * 300 to 700 ns more for interface mapping. Memory is passed as {@code long} addresses, never as
 * heap arrays, and no method throws {@code LastErrorException}: callers test for -1 and then read
 * {@link Native#getLastError()} (see {@link Errno}).
 *
 * <p>Variadic functions ({@code fcntl}, {@code open}, {@code syscall}) are declared with a fixed
 * arity of integer arguments, which is correct on the x86_64 and aarch64 Linux calling
 * conventions (not on Apple arm64, where variadic arguments go on the stack).
 *
 * <p>Internal: only {@code dev.loop} code and its tests call this class.
 */
public final class LibC {

    static {
        Native.register(LibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private LibC() {
    }

    public static native int getpid();

    public static native int close(int fd);

    public static native long read(int fd, long buf, long count);

    public static native long write(int fd, long buf, long count);

    public static native int pipe2(long fds, int flags);

    public static native int socketpair(int domain, int type, int protocol, long fds);

    public static native int fcntl(int fd, int cmd, long arg);

    public static native int open(String path, int flags, int mode);

    public static native int dup(int fd);

    public static native int eventfd(int initval, int flags);

    public static native int timerfd_create(int clockid, int flags);

    public static native int timerfd_settime(int fd, int flags, long newValue, long oldValue);

    public static native int epoll_create1(int flags);

    public static native int epoll_ctl(int epfd, int op, int fd, long event);

    public static native int epoll_wait(int epfd, long events, int maxevents, int timeoutMillis);

    public static native int ppoll(long fds, long nfds, long timeoutTimespec, long sigmask);

    public static native int select(int nfds, long readfds, long writefds, long exceptfds, long timeoutTimeval);

    public static native int clock_getres(int clockid, long timespec);

    public static native int getrlimit(int resource, long rlimit);

    public static native int setrlimit(int resource, long rlimit);

    public static native int prctl(int option, long arg2, long arg3, long arg4, long arg5);

    public static native long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    public static native String strerror(int errnum);

    public static native int inotify_init1(int flags);

    public static native int inotify_add_watch(int fd, String path, int mask);

    public static native int posix_openpt(int flags);

    public static native int grantpt(int fd);

    public static native int unlockpt(int fd);

    public static native int ptsname_r(int fd, long buf, long buflen);

    /** Thin alias so callers read {@code LibC.errno()} right after the failing call. */
    public static int errno() {
        return Native.getLastError();
    }

    /** Holder for the library name, resolved before registration. */
    static final class Platform {
        static final String C_LIBRARY_NAME = com.sun.jna.Platform.C_LIBRARY_NAME;

        private Platform() {
        }
    }
}

package dev.loop.internal.nativeio;

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

    public static native int dup3(int oldfd, int newfd, int flags);

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

    // ---- sockets

    public static native int socket(int domain, int type, int protocol);

    public static native int bind(int fd, long addr, int addrlen);

    public static native int listen(int fd, int backlog);

    /** {@code addrlen} points to an int holding the buffer size, updated to the address length. */
    public static native int accept4(int fd, long addr, long addrlen, int flags);

    public static native int connect(int fd, long addr, int addrlen);

    public static native int getsockopt(int fd, int level, int name, long value, long lenPtr);

    public static native int setsockopt(int fd, int level, int name, long value, int len);

    public static native int getsockname(int fd, long addr, long lenPtr);

    public static native int getpeername(int fd, long addr, long lenPtr);

    public static native int shutdown(int fd, int how);

    public static native long send(int fd, long buf, long len, int flags);

    public static native long recv(int fd, long buf, long len, int flags);

    public static native long writev(int fd, long iov, int iovcnt);

    public static native long sendto(int fd, long buf, long len, int flags, long addr, int addrlen);

    /** {@code addrlenPtr} points to an int holding the address buffer's size, updated to the address length. */
    public static native long recvfrom(int fd, long buf, long len, int flags, long addr, long addrlenPtr);

    /** {@code msgvec} points to {@code vlen} {@code struct mmsghdr}s; {@code timeout} is 0 (none). */
    public static native int recvmmsg(int fd, long msgvec, int vlen, int flags, long timeout);

    public static native int sendmmsg(int fd, long msgvec, int vlen, int flags);

    /** Linux's sendfile(2): {@code count} bytes of file {@code inFd} from {@code *offsetPtr} to {@code outFd}. */
    public static native long sendfile(int outFd, int inFd, long offsetPtr, long count);

    public static native long pread(int fd, long buf, long count, long offset);

    // ---- memory mapping (io_uring rings)

    public static native long mmap(long addr, long length, int prot, int flags, int fd, long offset);

    public static native int munmap(long addr, long length);

    // ---- processes

    public static native int kill(int pid, int sig);

    /** {@code act} and {@code oldact} point to a {@code struct sigaction} ({@link Linux#SIGACTION_SIZE}) or are 0. */
    public static native int sigaction(int sig, long act, long oldact);

    public static native int waitid(int idtype, int id, long infop, int options);

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

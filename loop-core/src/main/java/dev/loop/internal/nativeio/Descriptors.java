package dev.loop.internal.nativeio;

import dev.loop.NativeException;

/** Small descriptor helpers: file type, open check, pipes, closing. Linux. */
public final class Descriptors {

    /** What {@code statx} says a descriptor is. */
    public enum FileType {
        FIFO, CHARACTER_DEVICE, DIRECTORY, BLOCK_DEVICE, REGULAR_FILE, SOCKET, OTHER
    }

    private static final ThreadLocal<NativeMemory> SCRATCH = ThreadLocal.withInitial(() -> new NativeMemory(Linux.STATX_SIZE));
    private static final NativeMemory EMPTY_PATH = new NativeMemory(8);

    private Descriptors() {
    }

    /**
     * What {@code statx} says of the file behind a descriptor: its type, and its device and inode, which
     * tell one open file from another that later got the same descriptor number.
     */
    public record FileStat(FileType type, long device, long inode) {

        /** Whether both describe the same file. */
        public boolean sameFile(FileStat other) {
            return other != null && device == other.device && inode == other.inode;
        }
    }

    /**
     * The type of the file behind {@code fd}.
     *
     * @return the type, or {@code null} when {@code fd} is not an open descriptor (EBADF)
     */
    public static FileType type(int fd) {
        FileStat stat = stat(fd);
        return stat == null ? null : stat.type();
    }

    /**
     * The type and identity of the file behind {@code fd}, through {@code statx(fd, "", AT_EMPTY_PATH)},
     * whose layout is the same on every Linux architecture (unlike {@code struct stat}).
     *
     * @return what statx says, or {@code null} when {@code fd} is not an open descriptor (EBADF)
     */
    public static FileStat stat(int fd) {
        NativeMemory buf = SCRATCH.get();
        long rc = LibC.syscall(Linux.SYS_STATX, fd, EMPTY_PATH.address(), Linux.AT_EMPTY_PATH,
                Linux.STATX_TYPE | Linux.STATX_INO, buf.address(), 0);
        if (rc < 0) {
            int errno = LibC.errno();
            if (errno == Errno.EBADF) {
                return null;
            }
            throw new NativeException("statx", errno, "descriptor " + fd);
        }
        java.nio.ByteBuffer b = buf.buffer();
        int mode = Short.toUnsignedInt(b.getShort(Linux.STATX_MODE_OFFSET));
        FileType type = switch (mode & Linux.S_IFMT) {
            case Linux.S_IFIFO -> FileType.FIFO;
            case Linux.S_IFCHR -> FileType.CHARACTER_DEVICE;
            case Linux.S_IFDIR -> FileType.DIRECTORY;
            case Linux.S_IFBLK -> FileType.BLOCK_DEVICE;
            case Linux.S_IFREG -> FileType.REGULAR_FILE;
            case Linux.S_IFSOCK -> FileType.SOCKET;
            default -> FileType.OTHER;
        };
        long device = b.getLong(Linux.STATX_DEV_MAJOR_OFFSET); // major and minor, side by side
        return new FileStat(type, device, b.getLong(Linux.STATX_INO_OFFSET));
    }

    /** Whether {@code fd} names an open descriptor ({@code fcntl(F_GETFD)} does not fail). */
    public static boolean isOpen(int fd) {
        return fd >= 0 && LibC.fcntl(fd, Linux.F_GETFD, 0) != -1;
    }

    /** Closes {@code fd}, ignoring errors (EINTR on Linux still closes). */
    public static void closeQuietly(int fd) {
        if (fd >= 0) {
            LibC.close(fd);
        }
    }

    /** A new pipe, {@code O_CLOEXEC}, optionally non-blocking: {@code [readEnd, writeEnd]}. */
    public static int[] pipe(boolean nonBlocking) {
        try (NativeMemory fds = new NativeMemory(8)) {
            int flags = Linux.O_CLOEXEC | (nonBlocking ? Linux.O_NONBLOCK : 0);
            if (LibC.pipe2(fds.address(), flags) != 0) {
                throw new NativeException("pipe2", LibC.errno());
            }
            return new int[] {fds.buffer().getInt(0), fds.buffer().getInt(4)};
        }
    }

    /** A new AF_UNIX stream socket pair, {@code SOCK_CLOEXEC}, optionally non-blocking. */
    public static int[] socketPair(boolean nonBlocking) {
        try (NativeMemory fds = new NativeMemory(8)) {
            int type = Linux.SOCK_STREAM | Linux.SOCK_CLOEXEC | (nonBlocking ? Linux.SOCK_NONBLOCK : 0);
            if (LibC.socketpair(Linux.AF_UNIX, type, 0, fds.address()) != 0) {
                throw new NativeException("socketpair", LibC.errno());
            }
            return new int[] {fds.buffer().getInt(0), fds.buffer().getInt(4)};
        }
    }

    /** A new eventfd, {@code EFD_CLOEXEC | EFD_NONBLOCK}. */
    public static int eventFd() {
        int fd = LibC.eventfd(0, Linux.EFD_CLOEXEC | Linux.EFD_NONBLOCK);
        if (fd < 0) {
            throw new NativeException("eventfd", LibC.errno());
        }
        return fd;
    }

    /** The soft and hard {@code RLIMIT_NOFILE}: {@code [soft, hard]}. */
    public static long[] openFileLimit() {
        try (NativeMemory rl = new NativeMemory(Linux.RLIMIT_SIZE)) {
            if (LibC.getrlimit(Linux.RLIMIT_NOFILE, rl.address()) != 0) {
                throw new NativeException("getrlimit", LibC.errno());
            }
            return new long[] {rl.buffer().getLong(0), rl.buffer().getLong(8)};
        }
    }
}

package dev.loop.internal.transport;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.loop.NativeIOException;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.nativeio.NativeMemory;

/**
 * A file being sent to a non-blocking socket or pipe ({@code sendfile}, {@code sockSendfile}): with the kernel's
 * sendfile(2), no byte passes through the JVM. Where the kernel refuses it for this pair of files (EINVAL,
 * ENOSYS) or the platform has no zero-copy path, it reads the file at its offset and sends what it read
 * (asyncio's fallback). Owns the file's descriptor until {@link #close}. Loop thread.
 */
final class FileSender implements AutoCloseable {

    private static final System.Logger LOG = dev.loop.LoopLogging.getLogger("dev.loop.transport");
    /** Bytes per call: large enough to fill a socket buffer, small enough not to hold the loop thread long. */
    private static final int CHUNK = 1 << 20;

    private final Path path;
    private final int file;
    /** Where sendfile(2) reads, and where it leaves the next offset. */
    private final NativeMemory offset = new NativeMemory(8);
    /** Bytes still to send; {@link Long#MAX_VALUE}: up to the end of the file. */
    private long remaining;
    private long sent;
    private boolean copying;

    /**
     * Opens {@code path} (a regular file) to send {@code count} bytes from {@code start} (count 0: up to the end).
     * {@code zeroCopy}: whether the platform's row offers the kernel's path.
     */
    FileSender(Path path, long start, long count, boolean zeroCopy) throws NativeIOException {
        checkArguments(path, start, count);
        int fd = LibC.open(path.toString(), Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
        if (fd < 0) {
            throw new NativeIOException("open", LibC.errno(), path.toString());
        }
        this.path = path;
        this.file = fd;
        this.remaining = count == 0 ? Long.MAX_VALUE : count;
        this.copying = !zeroCopy;
        offset.buffer().putLong(0, start);
    }

    /** Refuses what sendfile cannot send: a negative offset or count, anything but a regular file. */
    static void checkArguments(Path path, long start, long count) {
        java.util.Objects.requireNonNull(path, "file");
        if (start < 0) {
            throw new IllegalArgumentException("offset must be >= 0: " + start);
        }
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0 (0: up to the end of the file): " + count);
        }
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("sendfile sends a regular file, which " + path + " is not");
        }
    }

    /**
     * Sends to {@code out} until the socket would block ({@link SocketOperations#AGAIN}), or everything was
     * sent: then the total count.
     */
    Object sendTo(int out) throws NativeIOException {
        while (remaining > 0) {
            long n = copying ? copyOnce(out) : LibC.sendfile(out, file, offset.address(), Math.min(remaining, CHUNK));
            if (n > 0) {
                sent += n;
                remaining -= n;
                continue;
            }
            if (n == 0) {
                break; // end of the file
            }
            int errno = LibC.errno();
            if (errno == Errno.EAGAIN || errno == Errno.EINTR) {
                return SocketOperations.AGAIN;
            }
            if (!copying && sent == 0 && (errno == Errno.EINVAL || errno == Errno.ENOSYS)) {
                LOG.log(System.Logger.Level.DEBUG, () -> "sendfile(2) refused " + path + " to fd " + out + " ("
                        + Errno.name(errno) + "): reading and sending it instead");
                copying = true;
                continue;
            }
            throw new NativeIOException(copying ? "send" : "sendfile", errno, path + " to fd " + out);
        }
        return sent;
    }

    /** One pread at the offset, then one write of what was read: the count written, 0 at EOF, -1 with errno. */
    private long copyOnce(int out) {
        NativeMemory scratch = IoScratch.get();
        long at = offset.buffer().getLong(0);
        long n = LibC.pread(file, scratch.address(), Math.min(remaining, IoScratch.SIZE), at);
        if (n <= 0) {
            return n;
        }
        long w = LibC.write(out, scratch.address(), n); // what was not written is read again next time
        if (w > 0) {
            offset.buffer().putLong(0, at + w);
        }
        return w;
    }

    @Override
    public void close() {
        LibC.close(file);
        offset.close();
    }
}

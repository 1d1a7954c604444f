package dev.loop;

import java.nio.ByteBuffer;

import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.NativeMemory;

/**
 * Reads, writes and closes a descriptor the application watches with {@link EventLoop#addReader} or
 * {@link EventLoop#addWriter}: a {@link Pipe}, an eventfd, a tty, an inotify or netlink socket. Made for
 * non-blocking descriptors: a call that would block returns 0 instead. Any thread; these are plain system
 * calls and touch no loop.
 */
public final class FileDescriptors {

    private FileDescriptors() {
    }

    /**
     * Reads up to {@code dst.remaining()} bytes into {@code dst} (direct or heap), advancing its position.
     *
     * @return the number of bytes read; 0 when none are available now (EAGAIN) or {@code dst} is full; -1 at
     *         end of file (every writer closed)
     * @throws NativeIOException when the read fails (EBADF: not open)
     */
    public static int read(int fd, ByteBuffer dst) throws NativeIOException {
        return transfer(fd, dst, false);
    }

    /**
     * Writes up to {@code src.remaining()} bytes from {@code src} (direct or heap), advancing its position.
     *
     * @return the number of bytes written; 0 when the descriptor cannot take any now (EAGAIN)
     * @throws NativeIOException when the write fails (EPIPE: every reader closed; EBADF: not open)
     */
    public static int write(int fd, ByteBuffer src) throws NativeIOException {
        return transfer(fd, src, true);
    }

    /** One read or write: straight from a direct buffer's memory, or through native memory for a heap one. */
    private static int transfer(int fd, ByteBuffer buffer, boolean write) throws NativeIOException {
        int n = buffer.remaining();
        if (n == 0) {
            return 0;
        }
        long result;
        if (buffer.isDirect()) {
            long address = NativeMemory.addressOf(buffer) + buffer.position();
            result = write ? LibC.write(fd, address, n) : LibC.read(fd, address, n);
        } else {
            try (NativeMemory tmp = new NativeMemory(n)) {
                if (write) {
                    tmp.buffer().put(0, buffer, buffer.position(), n);
                    result = LibC.write(fd, tmp.address(), n);
                } else {
                    result = LibC.read(fd, tmp.address(), n);
                    if (result > 0) {
                        buffer.put(buffer.position(), tmp.buffer(), 0, (int) result);
                    }
                }
            }
        }
        return advance(buffer, result, write ? "write" : "read", fd, write ? 0 : -1);
    }

    /** The buffer moves past the bytes moved; {@code atZero} is what a result of 0 means (-1: end of file). */
    private static int advance(ByteBuffer buffer, long result, String call, int fd, int atZero)
            throws NativeIOException {
        if (result < 0) {
            int errno = LibC.errno();
            if (errno == Errno.EAGAIN || errno == Errno.EINTR) {
                return 0;
            }
            throw new NativeIOException(call, errno, "fd " + fd);
        }
        if (result == 0) {
            return atZero;
        }
        buffer.position(buffer.position() + (int) result);
        return (int) result;
    }

    /**
     * Closes {@code fd}. Remove its reader and writer first: a loop still watching a closed descriptor reports
     * it, and the number may already name another file.
     *
     * @throws NativeIOException when the close fails (EBADF: not open)
     */
    public static void close(int fd) throws NativeIOException {
        if (LibC.close(fd) != 0) {
            int errno = LibC.errno();
            if (errno != Errno.EINTR) { // Linux closes the descriptor even then; retrying could close another
                throw new NativeIOException("close", errno, "fd " + fd);
            }
        }
    }
}

package dev.loop;

import dev.loop.internal.nativeio.Descriptors;

/**
 * A new pipe's two descriptors, non-blocking and close-on-exec: for readers and writers on a loop
 * ({@link EventLoop#addReader}), or for {@link EventLoop#connectReadPipe} and {@link EventLoop#connectWritePipe},
 * which own the descriptor from then on. Read, write and close the ends with {@link FileDescriptors}.
 *
 * @param readFd  the read end
 * @param writeFd the write end
 */
public record Pipe(int readFd, int writeFd) {

    /**
     * Opens a pipe.
     *
     * @throws NativeException when the kernel refuses (EMFILE: no descriptor left)
     */
    public static Pipe open() {
        int[] fds = Descriptors.pipe(true);
        return new Pipe(fds[0], fds[1]);
    }
}

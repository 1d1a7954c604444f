package dev.loop.internal.selector;

import static dev.loop.internal.nativeio.Linux.POLLERR;
import static dev.loop.internal.nativeio.Linux.POLLHUP;
import static dev.loop.internal.nativeio.Linux.POLLIN;
import static dev.loop.internal.nativeio.Linux.POLLOUT;

import dev.loop.internal.nativeio.Linux;

/**
 * Kernel readiness bits to {@link Poller#READ}/{@link Poller#WRITE}, as Python's {@code selectors}
 * does: an error or hang-up wakes both the reader and the writer, whose own read or write then sees
 * it. epoll's EPOLLIN/OUT/ERR/HUP have poll's values on Linux (pinned by NativeLayoutTest), so one
 * mapping serves both; EPOLLRDHUP (peer closed its end) counts as readable.
 */
final class ReadyOps {

    private static final int READ_BITS = POLLIN | Linux.EPOLLRDHUP | POLLHUP | POLLERR;
    private static final int WRITE_BITS = POLLOUT | POLLHUP | POLLERR;

    private ReadyOps() {
    }

    static int of(int bits) {
        return ((bits & READ_BITS) != 0 ? Poller.READ : 0) | ((bits & WRITE_BITS) != 0 ? Poller.WRITE : 0);
    }
}

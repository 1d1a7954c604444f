package dev.loop;

/** How a loop learns that I/O can proceed. */
public enum Backend {
    /** Readiness through a {@link PollerKind poller}: epoll, poll or select on Linux; kqueue, poll or select on BSD/macOS. */
    SELECTOR,
    /** Completions: the loop submits operations and is told when they are done (io_uring on Linux, IOCP on Windows). */
    PROACTOR,
    /** kqueue/kevent, the readiness mechanism of macOS and the BSDs. */
    KQUEUE;

    /** The lower-case name used in configuration ({@code selector}, {@code proactor}, {@code kqueue}). */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

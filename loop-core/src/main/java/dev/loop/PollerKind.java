package dev.loop;

/** The OS readiness mechanism behind a {@link Backend#SELECTOR} loop. */
public enum PollerKind {
    /** Linux epoll: O(ready) per wake-up, no descriptor limit beyond RLIMIT_NOFILE. */
    EPOLL,
    /** POSIX poll (ppoll on Linux): O(registered) per wake-up, no descriptor limit. */
    POLL,
    /** POSIX select: O(registered) per wake-up, descriptors below FD_SETSIZE (1024) only. */
    SELECT,
    /** BSD/macOS kqueue. */
    KQUEUE;

    /** The lower-case name used in configuration. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

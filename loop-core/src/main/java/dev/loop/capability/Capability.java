package dev.loop.capability;

/** What may differ between backends and platforms. */
public enum Capability {
    /** addReader/addWriter/removeReader/removeWriter on descriptors. */
    READINESS_CALLBACKS("readiness callbacks"),
    /** Monitoring regular files (and directories) for readiness: no backend can; files are always "ready". */
    FILE_IO_MONITORING("file I/O monitoring"),
    /** TCP clients and servers. */
    TCP("TCP"),
    /** AF_UNIX stream sockets. */
    UNIX_SOCKETS("unix sockets"),
    /** Datagram endpoints and the sock_* datagram calls: UDP, and unix datagram sockets where {@link #UNIX_SOCKETS} is supported. */
    DATAGRAMS("datagrams"),
    /** Pipe transports (pipes, FIFOs). */
    PIPES("pipes"),
    /** Subprocesses with non-blocking pipes. */
    SUBPROCESSES("subprocesses"),
    /** Signal handlers run on the loop thread. */
    SIGNAL_HANDLERS("signal handlers"),
    /** Character devices (ttys, ptys, serial ports) watched for readiness. */
    CHARACTER_DEVICES("character devices"),
    /** Timers finer than one millisecond (the poll timeout is not rounded up to whole milliseconds). */
    SUB_MILLISECOND_TIMERS("sub-millisecond timers"),
    /** Descriptors numbered FD_SETSIZE (1024) or above. */
    DESCRIPTORS_ABOVE_FD_SETSIZE("descriptors >= FD_SETSIZE"),
    /**
     * {@code sendfile} and {@code sockSendfile} without copying through the JVM (the kernel's sendfile). Where
     * not supported, both still work by reading the file and sending it.
     */
    ZERO_COPY_SENDFILE("zero-copy sendfile"),
    /**
     * Setting the loop thread's timer slack: how far the kernel may defer the loop's timed waits to batch
     * wake-ups (Linux: {@code prctl(PR_SET_TIMERSLACK)}, 50 us by default).
     */
    TIMER_SLACK("timer slack control");

    private final String label;

    Capability(String label) {
        this.label = label;
    }

    /** A readable name: {@code "unix sockets"}. */
    public String label() {
        return label;
    }
}

package dev.loop.capability;

/** What may differ between backends and platforms. */
public enum Capability {
    /** addReader/addWriter/removeReader/removeWriter on descriptors. */
    READINESS_CALLBACKS,
    /** Monitoring regular files (and directories) for readiness: no backend can; files are always "ready". */
    FILE_IO_MONITORING,
    /** TCP clients and servers. */
    TCP,
    /** AF_UNIX stream sockets. */
    UNIX_SOCKETS,
    /** Pipe transports (pipes, FIFOs). */
    PIPES,
    /** Subprocesses with non-blocking pipes. */
    SUBPROCESSES,
    /** Signal handlers run on the loop thread. */
    SIGNAL_HANDLERS,
    /** Character devices (ttys, ptys, serial ports) watched for readiness. */
    CHARACTER_DEVICES,
    /** Timers finer than one millisecond (the poll timeout is not rounded up to whole milliseconds). */
    SUB_MILLISECOND_TIMERS,
    /** Descriptors numbered FD_SETSIZE (1024) or above. */
    DESCRIPTORS_ABOVE_FD_SETSIZE;

    /** A readable name: {@code "unix sockets"}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
}

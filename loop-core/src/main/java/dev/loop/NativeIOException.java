package dev.loop;

import java.io.IOException;

import dev.loop.internal.nativeio.Errno;

/**
 * An I/O operation failed in the kernel: a connection refused or reset, a bind on an address in use,
 * a broken pipe. Carries the call, the errno value and its symbolic name (asyncio's {@code OSError}).
 * Futures and {@code connectionLost} report it; programming errors throw unchecked exceptions instead.
 */
public class NativeIOException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    public NativeIOException(String call, int errno, String context) {
        super(call + " failed: " + Errno.name(errno) + " (" + Errno.message(errno) + ")"
                + (context == null ? "" : ": " + context));
        this.call = call;
        this.errno = errno;
    }

    /** A failure without an errno of its own (several addresses failed, no address to try). */
    public NativeIOException(String message, Throwable cause) {
        super(message, cause);
        this.call = null;
        this.errno = 0;
    }

    public String call() {
        return call;
    }

    /** The errno, or 0 when the failure has none of its own. */
    public int errno() {
        return errno;
    }

    public String errnoName() {
        return errno == 0 ? null : Errno.name(errno);
    }
}

package dev.loop;

import dev.loop.internal.nativeio.Errno;

/**
 * A native call failed with an errno that has no more specific meaning for the caller. Carries the
 * call, the errno value, its symbolic name and the C library's message.
 */
public class NativeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    public NativeException(String call, int errno) {
        this(call, errno, null);
    }

    public NativeException(String call, int errno, String context) {
        super(call + " failed: " + Errno.name(errno) + " (" + Errno.message(errno) + ")"
                + (context == null ? "" : ": " + context));
        this.call = call;
        this.errno = errno;
    }

    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }

    public String errnoName() {
        return Errno.name(errno);
    }
}

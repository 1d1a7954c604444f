package dev.loop.internal.nativeio;

import java.nio.Buffer;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The native address of a direct buffer, remembered for the last buffer asked about (one JNI call per
 * new buffer, none for a buffer used again and again, as a protocol's receive buffer is).
 */
public final class DirectBuffers {

    private Buffer last;
    private long lastAddress;

    /** The address of element 0 of {@code buffer}, which must be direct. */
    public long address(Buffer buffer) {
        if (buffer != last) {
            lastAddress = Pointer.nativeValue(Native.getDirectBufferPointer(buffer));
            last = buffer;
        }
        return lastAddress;
    }
}

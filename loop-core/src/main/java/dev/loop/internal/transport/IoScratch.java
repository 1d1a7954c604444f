package dev.loop.internal.transport;

import dev.loop.internal.nativeio.NativeMemory;

/**
 * The loop thread's native buffer for reads and writes: bytes go between it and the kernel, and are
 * copied between it and Java buffers with bulk copies (JNA would copy a whole heap array on every
 * call, whatever the kernel transfers). One per thread; only the loop thread does transport I/O.
 */
final class IoScratch {

    /** asyncio reads at most 256 KiB per readiness event. */
    static final int SIZE = 256 * 1024;

    private static final ThreadLocal<NativeMemory> SCRATCH = ThreadLocal.withInitial(() -> new NativeMemory(SIZE));

    private IoScratch() {
    }

    static NativeMemory get() {
        return SCRATCH.get();
    }
}

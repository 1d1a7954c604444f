package dev.loop.nativeio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * A block of zeroed native memory with its address as a {@code long} (for direct calls) and a
 * native-order {@link ByteBuffer} view (for field access at 0.3 ns instead of a JNI call per field).
 * Owned by one object and freed by {@link #close()}; never freed while the kernel may use it.
 */
public final class NativeMemory implements AutoCloseable {

    private final Memory memory;
    private final long address;
    private final ByteBuffer buffer;

    public NativeMemory(long size) {
        this.memory = new Memory(Math.max(size, 8));
        this.memory.clear();
        this.address = Pointer.nativeValue(memory);
        this.buffer = memory.getByteBuffer(0, memory.size()).order(ByteOrder.nativeOrder());
    }

    /**
     * A native-order view of {@code length} bytes at {@code address}, memory this class does not own
     * (a kernel mapping such as an io_uring ring): valid until that memory is unmapped.
     */
    public static ByteBuffer view(long address, long length) {
        return new Pointer(address).getByteBuffer(0, length).order(ByteOrder.nativeOrder());
    }

    public long address() {
        return address;
    }

    public ByteBuffer buffer() {
        return buffer;
    }

    public long size() {
        return memory.size();
    }

    public void clear() {
        memory.clear();
    }

    @Override
    public void close() {
        memory.close();
    }
}

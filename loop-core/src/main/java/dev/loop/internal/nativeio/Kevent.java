package dev.loop.internal.nativeio;

import java.nio.ByteBuffer;

/**
 * {@code struct kevent} and the kqueue constants, per OS: macOS (x86_64 and arm64: 32 bytes) and
 * FreeBSD 12+ (with {@code ext[4]}: 64 bytes). The first 32 bytes are laid out alike on both 64-bit
 * ABIs: ident @0, filter @8 (int16), flags @10 (uint16), fflags @12 (uint32), data @16 (64-bit), udata
 * @24. Values from xnu {@code bsd/sys/event.h} and FreeBSD {@code sys/sys/event.h} (docs/native-layer.md).
 */
public enum Kevent {

    MACOS(32, (short) -10),
    FREEBSD(64, (short) -11);

    /** System property: {@code macos} or {@code freebsd}, the layout to use (default: the OS's). */
    public static final String LAYOUT_PROPERTY = "dev.loop.kqueue.layout";

    public static final short EVFILT_READ = -1;
    public static final short EVFILT_WRITE = -2;
    public static final short EVFILT_PROC = -5;
    public static final short EV_ADD = 0x0001;
    public static final short EV_DELETE = 0x0002;
    public static final short EV_ENABLE = 0x0004;
    public static final short EV_DISABLE = 0x0008;
    public static final short EV_ONESHOT = 0x0010;
    public static final short EV_CLEAR = 0x0020;
    public static final short EV_RECEIPT = 0x0040;
    public static final short EV_DISPATCH = 0x0080;
    public static final short EV_ERROR = 0x4000;
    public static final short EV_EOF = (short) 0x8000;
    public static final int NOTE_EXIT = 0x80000000;
    /** EVFILT_USER: fire the event. */
    public static final int NOTE_TRIGGER = 0x01000000;

    private static final int IDENT = 0;
    private static final int FILTER = 8;
    private static final int FLAGS = 10;
    private static final int FFLAGS = 12;
    private static final int DATA = 16;
    private static final int UDATA = 24;

    /** {@code sizeof(struct kevent)}. */
    public final int size;
    /** {@code EVFILT_USER}, the one filter number the two systems disagree on. */
    public final short evfiltUser;

    Kevent(int size, short evfiltUser) {
        this.size = size;
        this.evfiltUser = evfiltUser;
    }

    /** Writes entry {@code index} of a kevent array (fields beyond udata, FreeBSD's ext[4], zeroed). */
    public void put(ByteBuffer array, int index, long ident, short filter, short flags, int fflags, long data,
            long udata) {
        int base = index * size;
        array.putLong(base + IDENT, ident);
        array.putShort(base + FILTER, filter);
        array.putShort(base + FLAGS, flags);
        array.putInt(base + FFLAGS, fflags);
        array.putLong(base + DATA, data);
        array.putLong(base + UDATA, udata);
        for (int off = 32; off < size; off += 8) {
            array.putLong(base + off, 0L);
        }
    }

    public long ident(ByteBuffer array, int index) {
        return array.getLong(index * size + IDENT);
    }

    public short filter(ByteBuffer array, int index) {
        return array.getShort(index * size + FILTER);
    }

    /** The flags as an unsigned 16-bit value. */
    public int flags(ByteBuffer array, int index) {
        return Short.toUnsignedInt(array.getShort(index * size + FLAGS));
    }

    public int fflags(ByteBuffer array, int index) {
        return array.getInt(index * size + FFLAGS);
    }

    public long data(ByteBuffer array, int index) {
        return array.getLong(index * size + DATA);
    }

    public long udata(ByteBuffer array, int index) {
        return array.getLong(index * size + UDATA);
    }
}

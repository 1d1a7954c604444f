package dev.loop.internal.nativeio;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * {@code kqueue()} and {@code kevent()}, direct-mapped to the C library, or to the library named by
 * {@value #LIBRARY_PROPERTY}: on Linux, tests point it at an emulation on epoll
 * ({@code src/test/native/kqshim.c}). Bound at the first call, once per JVM.
 */
public final class Kqueue {

    /** System property: the library exporting {@code kqueue} and {@code kevent} (default: the C library). */
    public static final String LIBRARY_PROPERTY = "dev.loop.kqueue.library";

    private Kqueue() {
    }

    /** The calls, in a class of their own: bound at their first use, never on Linux without a library. */
    public static final class Calls {
        static {
            Native.register(Calls.class, NativeLibrary.getInstance(libraryName()));
        }

        private Calls() {
        }

        public static native int kqueue();

        /** Returns the number of events (receipts included), or -1 with errno set. */
        public static native int kevent(int kq, long changelist, int nchanges, long eventlist, int nevents,
                long timeout);
    }

    /** The library named by {@value #LIBRARY_PROPERTY}, or the C library. */
    public static String libraryName() {
        return System.getProperty(LIBRARY_PROPERTY, com.sun.jna.Platform.C_LIBRARY_NAME);
    }
}

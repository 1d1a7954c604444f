package dev.loop.testsupport;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.loop.internal.nativeio.Kevent;

/**
 * Builds {@code src/test/native/kqshim.c}, the test-only kqueue emulation on epoll, once per layout
 * into {@code target/test-native}: {@code libkqshim-freebsd.so} (64-byte kevent) and
 * {@code libkqshim-macos.so} (32-byte kevent).
 */
public final class KqShim {

    private KqShim() {
    }

    /** The shim library for {@code layout}, compiled if it is missing or older than its source. */
    public static Path library(Kevent layout) {
        String lib = "libkqshim-" + layout.name().toLowerCase(java.util.Locale.ROOT) + ".so";
        List<String> flags = new ArrayList<>(List.of("-O2", "-Wall", "-Werror", "-shared", "-fPIC"));
        if (layout == Kevent.MACOS) {
            flags.add("-DKQSHIM_MACOS"); // the 32-byte kevent; without it, FreeBSD's 64 bytes
        }
        return NativeHelpers.build("kqshim.c", lib, flags.toArray(String[]::new));
    }
}

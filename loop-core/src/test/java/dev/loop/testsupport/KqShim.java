package dev.loop.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.loop.nativeio.Kevent;

/**
 * Builds {@code src/test/native/kqshim.c}, the test-only kqueue emulation on epoll, once per layout
 * into {@code target/test-native}: {@code libkqshim-freebsd.so} (64-byte kevent) and
 * {@code libkqshim-macos.so} (32-byte kevent). Needs gcc, which CI machines have.
 */
public final class KqShim {

    private static final Path SOURCE = Path.of("src/test/native/kqshim.c");
    private static final Path WORK = Path.of(System.getProperty("loop.test.workdir", "target/test-native"));

    private KqShim() {
    }

    /** The shim library for {@code layout}, compiled if it is missing or older than its source. */
    public static synchronized Path library(Kevent layout) {
        Path lib = WORK.resolve("libkqshim-" + layout.name().toLowerCase(java.util.Locale.ROOT) + ".so").toAbsolutePath();
        try {
            if (Files.exists(lib) && Files.getLastModifiedTime(lib).compareTo(Files.getLastModifiedTime(SOURCE)) > 0) {
                return lib;
            }
            Files.createDirectories(WORK);
            List<String> cmd = layout == Kevent.MACOS
                    ? List.of("gcc", "-O2", "-Wall", "-Werror", "-shared", "-fPIC", "-DKQSHIM_MACOS", "-o", lib.toString(),
                            SOURCE.toString())
                    : List.of("gcc", "-O2", "-Wall", "-Werror", "-shared", "-fPIC", "-o", lib.toString(),
                            SOURCE.toString());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
            }
            return lib;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

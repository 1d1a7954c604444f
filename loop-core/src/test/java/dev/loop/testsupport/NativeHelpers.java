package dev.loop.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The test-only C helpers of {@code src/test/native}, built with gcc (which CI machines have) into
 * {@code target/test-native} when missing or older than their source. C is allowed here and only here:
 * the product reaches the kernel through JNA.
 */
public final class NativeHelpers {

    /** Where the helpers' sources are. */
    public static final Path SOURCES = Path.of("src/test/native");
    /** Where they are built. */
    public static final Path WORK = Path.of(System.getProperty("loop.test.workdir", "target/test-native"));

    private NativeHelpers() {
    }

    /**
     * Builds {@code output} (in {@link #WORK}) from {@code source} (in {@link #SOURCES}) with
     * {@code gcc flags... -o output source}, unless it is newer than its source; returns its absolute path.
     */
    public static synchronized Path build(String source, String output, String... flags) {
        Path src = SOURCES.resolve(source);
        Path out = WORK.resolve(output).toAbsolutePath();
        try {
            if (Files.exists(out) && Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(src)) > 0) {
                return out;
            }
            Files.createDirectories(WORK);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> cmd = new ArrayList<>(List.of("gcc"));
        cmd.addAll(List.of(flags));
        cmd.addAll(List.of("-o", out.toString(), src.toString()));
        run(cmd);
        return out;
    }

    /**
     * {@code seccomp_errno SYSCALL_NR ERRNO COMMAND [ARG...]}: runs a command with one system call refused
     * by a seccomp filter (see {@code seccomp_errno.c}).
     */
    public static Path seccompErrno() {
        return build("seccomp_errno.c", "seccomp_errno", "-O2", "-Wall", "-Werror");
    }

    /**
     * A child JVM (this test's {@code java}, with native access granted as the parent has it: Java 24+ warns
     * without it, Java 17 accepts it) and then {@code args}: JVM options, {@code -cp}, the main class, its arguments.
     */
    public static List<String> java(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs {@code cmd} and returns what it printed (stdout and stderr); fails with that output unless it exits 0. */
    public static String run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " did not finish within 120 s:\n" + out);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " exited with " + p.exitValue() + ":\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

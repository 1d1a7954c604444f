package dev.loop.bench.echo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time a process has used, all its threads, user and system, from {@code /proc/<pid>/stat}. The
 * ticks there are {@code USER_HZ}, fixed at 100 by the Linux ABI on x86_64 and aarch64: 10 ms
 * resolution, enough over a measured window of seconds.
 */
final class ProcessCpu {

    private static final long NANOS_PER_TICK = 10_000_000L;

    private ProcessCpu() {
    }

    /** User plus system time of {@code pid} so far, in nanoseconds. */
    static long nanos(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CPU time of process " + pid, e);
        }
        // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long utime = Long.parseLong(f[11]); // field 14
        long stime = Long.parseLong(f[12]); // field 15
        return (utime + stime) * NANOS_PER_TICK;
    }
}

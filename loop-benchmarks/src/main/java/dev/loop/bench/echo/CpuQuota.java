package dev.loop.bench.echo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A CPU cgroup that caps the processes put in it at a share of one CPU (CFS bandwidth control). With
 * the server capped below what the client can drive, the server alone sets the round-trip rate, so a
 * more efficient server shows in the rate instead of being hidden behind a saturated client.
 *
 * <p>Needs write access to a cgroup file system with the cpu controller (root, in practice): cgroup v2
 * ({@code cpu.max}) or v1 ({@code cpu.cfs_quota_us}). The group is made at the top of the cpu hierarchy
 * and removed by {@link #close()} once its processes have exited.
 */
final class CpuQuota implements AutoCloseable {

    /** 10 ms: a capped server is throttled in short slices, not in 100 ms bursts (the default period). */
    private static final long PERIOD_MICROS = 10_000;
    private static final Path CGROUPS = Path.of("/sys/fs/cgroup");

    private final Path dir;
    private final double cpus;

    private CpuQuota(Path dir, double cpus) {
        this.dir = dir;
        this.cpus = cpus;
    }

    /**
     * A new group named {@code name} capped at {@code cpus} of one CPU (0.5: half a CPU).
     *
     * @throws IllegalStateException with the reason when no writable cpu controller is found
     */
    static CpuQuota create(String name, double cpus) {
        if (!(cpus > 0)) {
            throw new IllegalArgumentException("a CPU quota must be positive, got " + cpus);
        }
        long quota = Math.max(1000, Math.round(cpus * PERIOD_MICROS)); // the kernel's minimum is 1 ms
        Path parent = parent().orElseThrow(() -> new IllegalStateException("no cgroup cpu controller found: "
                + "neither cgroup v2 with the cpu controller at " + CGROUPS + " nor a v1 cpu hierarchy"));
        Path dir = parent.resolve(name);
        try {
            Files.createDirectories(dir);
            if (Files.exists(dir.resolve("cpu.max"))) {
                Files.writeString(dir.resolve("cpu.max"), quota + " " + PERIOD_MICROS);
            } else {
                Files.writeString(dir.resolve("cpu.cfs_period_us"), Long.toString(PERIOD_MICROS));
                Files.writeString(dir.resolve("cpu.cfs_quota_us"), Long.toString(quota));
            }
        } catch (IOException e) {
            deleteQuietly(dir);
            throw new IllegalStateException("cannot set up a CPU quota in " + dir + " (root is needed): " + e, e);
        }
        return new CpuQuota(dir, cpus);
    }

    /** Whether a quota can be set here, and if not why: empty when it can. */
    static Optional<String> unavailableReason() {
        try (CpuQuota q = create("loop-echo-probe-" + ProcessHandle.current().pid(), 0.5)) {
            return Optional.empty();
        } catch (IllegalStateException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** Moves process {@code pid}, all its threads, into the group. */
    void add(long pid) {
        try {
            Files.writeString(dir.resolve("cgroup.procs"), Long.toString(pid));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move process " + pid + " into " + dir, e);
        }
    }

    Path directory() {
        return dir;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%.2f CPU (cgroup %s)", cpus, dir);
    }

    /** Removes the group; its processes must have exited (a cgroup with members cannot be removed). */
    @Override
    public void close() {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir + " (are its processes gone?)", e);
        }
    }

    /**
     * Where the group goes: the top of the cpu hierarchy, v2 first. (Not inside this process's own
     * group: in v2 a group that holds processes cannot enable controllers for its children.)
     */
    private static Optional<Path> parent() {
        try {
            Path controllers = CGROUPS.resolve("cgroup.controllers");
            if (Files.exists(controllers)) {
                if (!List.of(Files.readString(controllers).trim().split(" ")).contains("cpu")) {
                    return Optional.empty();
                }
                Files.writeString(CGROUPS.resolve("cgroup.subtree_control"), "+cpu");
                return Optional.of(CGROUPS);
            }
            for (String mount : new String[] {"cpu", "cpu,cpuacct", "cpuacct,cpu"}) {
                Path p = CGROUPS.resolve(mount);
                if (Files.exists(p.resolve("cpu.cfs_quota_us"))) {
                    return Optional.of(p);
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static void deleteQuietly(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // nothing left to do: the caller reports the setup failure
        }
    }
}

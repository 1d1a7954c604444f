package dev.loop.bench;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Pins the calling thread to one CPU (Linux {@code sched_setaffinity}), for benchmarks whose two threads
 * must not share a core or migrate: on a small machine the scheduler's placement otherwise decides the
 * result (a cross-thread post measured 18 to 37 M/s on the same build, run to run).
 */
final class CpuPinning {

    /**
     * The CPUs this JVM may use, counted once, before any thread is pinned: a pinned thread's
     * {@code availableProcessors()} says 1.
     */
    private static final int CPUS = Runtime.getRuntime().availableProcessors();
    private static final boolean AVAILABLE = Platform.isLinux() && CPUS >= 2;

    static {
        if (AVAILABLE) {
            Native.register("c");
        }
    }

    private CpuPinning() {
    }

    private static native int sched_setaffinity(int pid, long cpusetsize, long[] mask) throws LastErrorException;

    private static native int sched_getaffinity(int pid, long cpusetsize, long[] mask) throws LastErrorException;

    /** How many CPUs the calling thread may run on now (asked of the kernel: the JVM's own count may be cached). */
    static int allowedCpus() {
        long[] mask = new long[16];
        sched_getaffinity(0, mask.length * 8L, mask);
        int n = 0;
        for (long word : mask) {
            n += Long.bitCount(word);
        }
        return n;
    }

    /** Whether this machine can pin two threads to two different CPUs. */
    static boolean available() {
        return AVAILABLE;
    }

    /** Pins the calling thread to {@code cpu}. */
    static void pinCurrentThread(int cpu) {
        long[] mask = new long[16]; // 1024 CPUs, glibc's cpu_set_t
        mask[cpu / 64] = 1L << (cpu % 64);
        sched_setaffinity(0, mask.length * 8L, mask);
    }

    /** Lets the calling thread run on every CPU again. */
    static void unpinCurrentThread() {
        long[] mask = new long[16];
        for (int cpu = 0; cpu < CPUS; cpu++) {
            mask[cpu / 64] |= 1L << (cpu % 64);
        }
        sched_setaffinity(0, mask.length * 8L, mask);
    }
}

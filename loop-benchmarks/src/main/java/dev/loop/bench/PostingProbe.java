package dev.loop.bench;

import java.util.Locale;
import java.util.concurrent.CompletableFuture;

import dev.loop.EventLoop;
import dev.loop.LoopStatsSnapshot;

/**
 * Where the time of {@link CallSoonThreadsafeBenchmark}'s {@code loop} party goes: the same pinned poster and
 * batches of 1000 {@code execute} calls, printing per second the posting thread's time per post, its wait per
 * batch for the loop to finish, and from the loop's own counters its steps per batch and wake-ups per batch.
 * A poster's time per post, set against a loop that is not running (printed first), shows how much the loop
 * thread costs it in cache misses.
 *
 * <pre>
 * java -cp loop-benchmarks/target/loop-benchmarks.jar dev.loop.bench.PostingProbe [seconds]
 * </pre>
 */
public final class PostingProbe {

    static final int BATCH = CallSoonThreadsafeBenchmark.BATCH;

    /** One second's figures. */
    record Second(double nanosPerPost, double waitMicrosPerBatch, double postsPerSecond, double stepsPerBatch,
            double wakeupsPerBatch) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.1f ns per post, %.1f us wait per batch, %.1f M posts/s, "
                    + "%.2f steps and %.3f wake-ups per batch", nanosPerPost, waitMicrosPerBatch,
                    postsPerSecond / 1e6, stepsPerBatch, wakeupsPerBatch);
        }
    }

    private PostingProbe() {
    }

    public static void main(String[] args) {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        System.out.printf(Locale.ROOT, "into a loop that is not running: %.1f ns per post%n", postsAlone(1000));
        run(seconds, 1_000_000_000L, CpuPinning.available(), System.out::println);
    }

    /**
     * Nanoseconds per {@code execute} into fresh loops nobody runs, {@code loops} batches of {@link #BATCH} after as
     * many to warm up.
     */
    static double postsAlone(int loops) {
        Runnable task = () -> { };
        long total = 0;
        for (int k = -loops; k < loops; k++) {
            try (EventLoop loop = BenchLoops.create(null)) {
                long t0 = System.nanoTime();
                for (int i = 0; i < BATCH; i++) {
                    loop.execute(task);
                }
                if (k >= 0) {
                    total += System.nanoTime() - t0;
                }
            }
        }
        return total / ((double) loops * BATCH);
    }

    /**
     * Posts to a running loop for {@code periods} periods of {@code periodNanos}; with {@code pin}, the poster on
     * CPU 0 and the loop on CPU 1, as the benchmark's default placement.
     */
    static void run(int periods, long periodNanos, boolean pin, java.util.function.Consumer<Second> out) {
        PaddedCounter done = new PaddedCounter();
        Runnable task = done::increment;
        try (EventLoop loop = BenchLoops.create(null)) {
            loop.start();
            if (pin) {
                CpuPinning.pinCurrentThread(0);
                CompletableFuture<Void> pinned = new CompletableFuture<>();
                loop.execute(() -> {
                    CpuPinning.pinCurrentThread(1);
                    pinned.complete(null);
                });
                pinned.join();
            }
            long expected = 0;
            for (int p = 0; p < periods; p++) {
                LoopStatsSnapshot before = loop.stats();
                long start = System.nanoTime();
                long batches = 0;
                long posting = 0;
                long now;
                do {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < BATCH; i++) {
                        loop.execute(task);
                    }
                    posting += System.nanoTime() - t0;
                    expected += BATCH;
                    while (done.get() < expected) {
                        Thread.onSpinWait();
                    }
                    batches++;
                    now = System.nanoTime();
                } while (now - start < periodNanos);
                LoopStatsSnapshot after = loop.stats();
                long elapsed = now - start;
                out.accept(new Second(posting / (double) (batches * BATCH), (elapsed - posting) / 1e3 / batches,
                        batches * BATCH * 1e9 / elapsed, (after.iterations() - before.iterations()) / (double) batches,
                        (after.wakeups() - before.wakeups()) / (double) batches));
            }
        } finally {
            if (pin) {
                CpuPinning.unpinCurrentThread();
            }
        }
    }
}

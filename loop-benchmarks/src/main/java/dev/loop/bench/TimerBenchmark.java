package dev.loop.bench;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.loop.EventLoop;

/**
 * Schedule one million timers with random delays in [0, 1 ms) and wait until all have fired.
 * Peer: a one-thread ScheduledThreadPoolExecutor given the same delays.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, batchSize = 1)
@Measurement(iterations = 10, batchSize = 1)
@Fork(value = 1, jvmArgsAppend = BenchLoops.NATIVE_ACCESS)
public class TimerBenchmark {

    static final int TIMERS = 1_000_000;

    long[] delaysNanos;
    EventLoop loop;
    ScheduledThreadPoolExecutor stpe;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom r = new SplittableRandom(42);
        delaysNanos = new long[TIMERS];
        for (int i = 0; i < TIMERS; i++) {
            delaysNanos[i] = r.nextLong(1_000_000);
        }
        loop = BenchLoops.create(null);
        stpe = new ScheduledThreadPoolExecutor(1);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        loop.close();
        stpe.shutdownNow();
    }

    @Benchmark
    public int loopTimers() {
        return runLoopTimers(loop, delaysNanos);
    }

    /** Schedules every delay on the (not running) loop, then runs it until the last timer fired. */
    static int runLoopTimers(EventLoop loop, long[] delays) {
        int[] fired = {0};
        int n = delays.length;
        Runnable task = () -> {
            if (++fired[0] == n) {
                loop.stop();
            }
        };
        for (long d : delays) {
            loop.callLater(Duration.ofNanos(d), task);
        }
        loop.runForever();
        return fired[0];
    }

    @Benchmark
    public long scheduledThreadPoolExecutor() throws InterruptedException {
        return runStpeTimers(stpe, delaysNanos);
    }

    static long runStpeTimers(ScheduledThreadPoolExecutor stpe, long[] delays) throws InterruptedException {
        CountDownLatch latch = new CountDownLatch(delays.length);
        Runnable task = latch::countDown;
        for (long d : delays) {
            stpe.schedule(task, d, TimeUnit.NANOSECONDS);
        }
        latch.await();
        return latch.getCount();
    }
}

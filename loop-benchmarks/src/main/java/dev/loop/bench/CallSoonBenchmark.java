package dev.loop.bench;

import java.util.ArrayDeque;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import dev.loop.EventLoop;

/**
 * callSoon throughput on one thread: schedule a batch, run one loop step. Peer: the floor of any
 * callback queue, an ArrayDeque of Runnables drained in place (no handles, no loop).
 */
public class CallSoonBenchmark extends ThroughputBenchmark {

    static final int BATCH = 1000;

    EventLoop loop;
    long counter;
    final Runnable increment = () -> counter++;
    final ArrayDeque<Runnable> deque = new ArrayDeque<>(BATCH);

    @Setup(Level.Trial)
    public void setUp() {
        loop = BenchLoops.create(null);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        loop.close();
    }

    /** One batch of callSoon, then exactly one loop step (a pre-stopped runForever). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long loopCallSoon() {
        for (int i = 0; i < BATCH; i++) {
            loop.callSoon(increment);
        }
        loop.stop();
        loop.runForever();
        return counter;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long arrayDequeFloor() {
        for (int i = 0; i < BATCH; i++) {
            deque.addLast(increment);
        }
        Runnable r;
        while ((r = deque.pollFirst()) != null) {
            r.run();
        }
        return counter;
    }
}

package dev.loop.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import dev.loop.EventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.EventExecutor;

/**
 * Handing work to a running loop from another thread: post a batch, wait until the loop thread ran
 * all of it. {@code loop} posts with {@code execute} (the Executor view: no handle, no allocation),
 * {@code loop-handles} with {@code callSoonThreadsafe} (returns a cancellable handle). Peer: Netty
 * 4.2's SingleThreadIoEventLoop.execute, with its epoll and NIO handlers.
 *
 * <p>{@code placement=pinned} (the default) pins the posting thread to CPU 0 and the loop thread to
 * CPU 1, so that every executor is measured with the same placement; {@code free} leaves placement to
 * the scheduler, which on two CPUs makes this benchmark bimodal.
 */
public class CallSoonThreadsafeBenchmark extends ThroughputBenchmark {

    static final int BATCH = 1000;

    @Param({"loop", "loop-handles", "netty-epoll", "netty-nio"})
    public String executor;

    @Param({"pinned"})
    public String placement;

    EventLoop loop;
    MultiThreadIoEventLoopGroup group;
    java.util.concurrent.Executor target;
    /** Tasks run: written by the loop thread, read by the posting one, alone on its cache lines. */
    final PaddedCounter done = new PaddedCounter();
    long expected;
    final Runnable task = done::increment; // single consumer: the loop thread

    @Setup(Level.Trial)
    public void setUp() {
        switch (executor) {
            case "loop", "loop-handles" -> {
                loop = BenchLoops.create(null);
                loop.start();
                EventLoop l = loop;
                target = executor.equals("loop") ? loop : r -> l.callSoonThreadsafe(r);
            }
            case "netty-epoll", "netty-nio" -> {
                IoHandlerFactory f = executor.equals("netty-epoll") ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
                group = new MultiThreadIoEventLoopGroup(1, f);
                EventExecutor e = group.next();
                target = e;
            }
            default -> throw new IllegalArgumentException(executor);
        }
        switch (placement) {
            case "pinned" -> pin();
            case "free" -> { }
            default -> throw new IllegalArgumentException("placement: " + placement);
        }
    }

    private void pin() {
        if (!CpuPinning.available()) {
            throw new IllegalStateException("placement=pinned needs Linux and two CPUs; use -p placement=free");
        }
        CpuPinning.pinCurrentThread(0);
        java.util.concurrent.CompletableFuture<Void> pinned = new java.util.concurrent.CompletableFuture<>();
        target.execute(() -> {
            try {
                CpuPinning.pinCurrentThread(1);
                pinned.complete(null);
            } catch (RuntimeException e) {
                pinned.completeExceptionally(e);
            }
        });
        pinned.join();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        if (placement.equals("pinned") && CpuPinning.available()) {
            CpuPinning.unpinCurrentThread();
        }
        if (loop != null) {
            loop.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long postBatchAndWait() {
        for (int i = 0; i < BATCH; i++) {
            target.execute(task);
        }
        expected += BATCH;
        while (done.get() < expected) {
            Thread.onSpinWait();
        }
        return expected;
    }
}

package dev.loop.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.loop.EventLoop;

/** runInExecutor: work off the loop thread, results back on it, nothing posted to a closed loop. */
public abstract class ExecutorConformance extends LoopTestBase {

    @Test
    void theDefaultExecutorRunsOffTheLoopAndTheFutureCompletesOnIt() {
        EventLoop loop = newLoop();
        AtomicReference<Thread> completedOn = new AtomicReference<>();
        CompletableFuture<String> f = loop.runInExecutor(null, () -> Thread.currentThread().getName());
        f.thenRun(() -> completedOn.set(Thread.currentThread()));
        assertThat(await(loop, f)).startsWith(loop.name() + "-executor-");
        assertThat(completedOn.get()).isSameAs(Thread.currentThread());
    }

    @Test
    void aTaskThatThrowsFailsTheFuture() {
        EventLoop loop = newLoop();
        ExecutorService own = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<Object> f = loop.runInExecutor(own, () -> {
                throw new IllegalStateException("boom");
            });
            assertThatThrownBy(() -> await(loop, f)).isInstanceOf(CompletionException.class)
                    .hasRootCauseMessage("boom");
        } finally {
            own.shutdown();
        }
    }

    @Test
    void afterTheLoopClosedNothingIsPostedBackAndTheDefaultExecutorIsShutDown() throws Exception {
        EventLoop loop = newLoop();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        CompletableFuture<Integer> f = loop.runInExecutor(null, () -> {
            release.await();
            finished.countDown();
            return 1;
        });
        ExecutorService pool = ((dev.loop.internal.engine.Loop) loop).defaultExecutor();
        loop.close();
        release.countDown();
        assertThat(finished.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        // The result is not posted to the closed loop; the future failed when the loop closed, so no join hangs.
        assertThatThrownBy(f::join).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(dev.loop.LoopClosedException.class);
    }

    /** asyncio's set_default_executor: runInExecutor(null, ...) runs on the executor the application set. */
    @Test
    void testSetDefaultExecutor_runInExecutorUsesTheExecutorSet() {
        EventLoop loop = newLoop();
        ExecutorService own = Executors.newSingleThreadExecutor(r -> new Thread(r, "own-default"));
        loop.setDefaultExecutor(own);
        assertThat(await(loop, loop.runInExecutor(null, () -> Thread.currentThread().getName()))).isEqualTo("own-default");
        loop.close();
        assertThat(own.isShutdown()).as("the loop shuts down the default executor it was given").isTrue();
    }

    /**
     * asyncio's shutdown_default_executor: waits for the running tasks (off the loop thread), then refuses the
     * default executor; tasks beyond the timeout are logged and left to finish.
     */
    @Test
    void testShutdownDefaultExecutor_waitsForTasksThenRefusesTheDefaultExecutor() throws Exception {
        EventLoop loop = newLoop();
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Integer> running = loop.runInExecutor(null, () -> {
            release.await();
            return 7;
        });
        CompletableFuture<Void> shutdown = loop.shutdownDefaultExecutor(java.time.Duration.ofSeconds(30));
        loop.callSoon(loop::stop);
        loop.runForever();
        assertThat(shutdown).isNotDone(); // the task still runs
        release.countDown();
        await(loop, shutdown);
        assertThat(running).isCompletedWithValue(7);
        assertThatThrownBy(() -> loop.runInExecutor(null, () -> 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Executor shutdown has been called");
        assertThatThrownBy(() -> loop.setDefaultExecutor(Executors.newSingleThreadExecutor()))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> loop.getAddrInfo("localhost", 80)).isInstanceOf(IllegalStateException.class);
        ExecutorService own = Executors.newSingleThreadExecutor();
        try {
            assertThat(await(loop, loop.runInExecutor(own, () -> 2))).isEqualTo(2); // an executor of one's own still works
        } finally {
            own.shutdown();
        }
    }

    @Test
    void shutdownDefaultExecutorGivesUpWaitingAtTheTimeoutAndSaysSo() throws Exception {
        EventLoop loop = newLoop();
        CountDownLatch release = new CountDownLatch(1);
        loop.runInExecutor(null, () -> release.await(30, TimeUnit.SECONDS));
        try (dev.loop.testsupport.LogCapture log = new dev.loop.testsupport.LogCapture()) {
            await(loop, loop.shutdownDefaultExecutor(java.time.Duration.ofMillis(50)));
            assertThat(log.texts()).anySatisfy(t -> assertThat(t).contains("did not finish its tasks within PT0.05S"));
        } finally {
            release.countDown();
        }
    }

    /** asyncio's getaddrinfo and getnameinfo: resolved off the loop thread, completed on it. */
    @Test
    void getAddrInfoAndGetNameInfoRunOffTheLoopThread() throws Exception {
        EventLoop loop = newLoop();
        AtomicReference<Thread> completedOn = new AtomicReference<>();
        CompletableFuture<java.util.List<java.net.InetSocketAddress>> resolving = loop.getAddrInfo("localhost", 8080);
        resolving.thenRun(() -> completedOn.set(Thread.currentThread()));
        assertThat(await(loop, resolving)).contains(new java.net.InetSocketAddress("127.0.0.1", 8080));
        assertThat(completedOn.get()).isSameAs(Thread.currentThread());
        assertThat(await(loop, loop.getAddrInfo("::1", 0))).singleElement()
                .satisfies(a -> assertThat(a.getAddress().getHostAddress()).contains(":"));
        assertThat(await(loop, loop.getNameInfo(java.net.InetAddress.getByName("127.0.0.1")))).isEqualTo("localhost");
    }
}

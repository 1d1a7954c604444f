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
        assertThat(f).isNotDone();
    }
}

package dev.loop.internal.engine;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.loop.LoopClosedException;

/**
 * {@code runInExecutor} and the loop's default executor, created at first use: up to
 * {@code min(32, cores + 4)} daemon threads named after the loop (asyncio's ThreadPoolExecutor default),
 * idle ones ending after 60 s. Shut down when the loop closes; tasks still running finish, but post
 * nothing back.
 */
final class LoopExecutor {

    private final Loop loop;
    private ExecutorService pool;
    private boolean shutdown;

    LoopExecutor(Loop loop) {
        this.loop = loop;
    }

    /** Runs {@code task} on {@code executor} (null: the default one); the future completes on the loop thread. */
    <T> CompletableFuture<T> run(Executor executor, Callable<T> task) {
        Objects.requireNonNull(task, "task");
        loop.checkOpen();
        Executor ex = executor != null ? executor : defaultExecutor();
        CompletableFuture<T> result = new CompletableFuture<>();
        ex.execute(() -> {
            if (result.isDone()) {
                return; // cancelled before it started
            }
            T value = null;
            Throwable error = null;
            try {
                value = task.call();
            } catch (Throwable e) {
                error = e;
            }
            T v = value;
            Throwable err = error;
            try {
                loop.callSoonThreadsafe(() -> {
                    if (err != null) {
                        result.completeExceptionally(err);
                    } else {
                        result.complete(v);
                    }
                });
            } catch (LoopClosedException e) {
                // The loop closed meanwhile: nothing may be posted to it (asyncio's test_run_in_executor_cancel).
            }
        });
        return result;
    }

    synchronized ExecutorService defaultExecutor() {
        if (shutdown) {
            throw new LoopClosedException(loop.name());
        }
        loop.checkOpen();
        if (pool == null) {
            int n = Math.min(32, Runtime.getRuntime().availableProcessors() + 4);
            AtomicInteger count = new AtomicInteger();
            ThreadPoolExecutor p = new ThreadPoolExecutor(n, n, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, loop.name() + "-executor-" + count.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            p.allowCoreThreadTimeOut(true);
            pool = p;
        }
        return pool;
    }

    /** The loop closes: no executor is made any more, and the one made is shut down. */
    void shutdown() {
        ExecutorService p;
        synchronized (this) {
            shutdown = true;
            p = pool;
            pool = null;
        }
        if (p != null) {
            p.shutdown();
        }
    }
}

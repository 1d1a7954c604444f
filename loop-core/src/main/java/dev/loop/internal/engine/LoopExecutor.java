package dev.loop.internal.engine;

import java.time.Duration;
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
 * idle ones ending after 60 s; or the one the application set. Shut down by {@code shutdownDefaultExecutor}
 * or when the loop closes; tasks still running finish, but post nothing back once the loop is closed.
 */
final class LoopExecutor {

    private static final System.Logger LOG = dev.loop.LoopLogging.getLogger("dev.loop.executor");

    private final Loop loop;
    private ExecutorService pool;
    /** The loop closed. */
    private boolean shutdown;
    /** {@code shutdownDefaultExecutor} was called (asyncio's {@code _executor_shutdown_called}). */
    private boolean shutdownCalled;

    LoopExecutor(Loop loop) {
        this.loop = loop;
    }

    /**
     * Runs {@code task} on {@code executor} (null: the default one); the future completes on the loop thread, or
     * fails with {@link LoopClosedException} when the loop closes first.
     */
    <T> CompletableFuture<T> run(Executor executor, Callable<T> task) {
        Objects.requireNonNull(task, "task");
        loop.checkOpen();
        Executor ex = executor != null ? executor : defaultExecutor();
        CompletableFuture<T> result = loop.owe(new CompletableFuture<>());
        ex.execute(() -> {
            if (result.isCancelled()) {
                return; // cancelled before it started (a task queued when the loop closed still runs, as asyncio's)
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
        requireNotShutDown();
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

    private void requireNotShutDown() {
        if (shutdownCalled) {
            throw new IllegalStateException("Executor shutdown has been called: loop '" + loop.name()
                    + "' has no default executor any more (pass an executor of your own)");
        }
    }

    /** Makes {@code executor} the default; the one it replaces is the caller's to shut down. */
    synchronized void setDefault(ExecutorService executor) {
        Objects.requireNonNull(executor, "executor");
        if (shutdown) {
            throw new LoopClosedException(loop.name());
        }
        requireNotShutDown();
        pool = executor;
    }

    /**
     * Shuts the default executor down and waits up to {@code timeout} for its tasks on a thread of its own
     * (never the loop's); the future completes on the loop thread, or at once when there is nothing to wait for.
     */
    CompletableFuture<Void> shutdownDefault(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        ExecutorService p;
        synchronized (this) {
            shutdownCalled = true;
            p = pool;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (p == null) {
            done.complete(null);
            return done;
        }
        Thread waiter = new Thread(() -> {
            p.shutdown();
            boolean finished;
            try {
                finished = p.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                finished = false;
            }
            if (!finished) {
                LOG.log(System.Logger.Level.WARNING, "The default executor of loop '" + loop.name()
                        + "' did not finish its tasks within " + timeout + "; they are left to finish");
            }
            try {
                loop.callSoonThreadsafe(() -> done.complete(null));
            } catch (LoopClosedException e) {
                done.complete(null); // nobody runs the loop any more: complete here
            }
        }, loop.name() + "-executor-shutdown");
        waiter.setDaemon(true);
        waiter.start();
        return done;
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

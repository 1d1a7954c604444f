package dev.loop.internal.engine;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import dev.loop.LoopClosedException;

/**
 * Work handed to a loop's thread from wherever it was asked for: {@code submit} for applications, and for the
 * loop's own factories (servers, connections, subprocesses) "now if this is the loop thread or the loop is not
 * running, else on the loop". The futures it hands out are owed: if the loop closes before it completed one
 * (the work was still queued, or waited for a descriptor), the future fails with {@link LoopClosedException}
 * instead of never completing, so that a caller's {@code join} cannot hang on a closed loop.
 */
final class ThreadHandoff {

    private final Loop loop;
    /** Futures the loop still has to complete; any thread. */
    private final Set<CompletableFuture<?>> owed = ConcurrentHashMap.newKeySet();

    ThreadHandoff(Loop loop) {
        this.loop = loop;
    }

    /** See {@link Loop#owe}. */
    <F extends CompletableFuture<?>> F owe(F future) {
        owed.add(future);
        future.whenComplete((v, e) -> owed.remove(future)); // at once when already done
        if (loop.isClosed()) {
            failOwed(); // closed meanwhile: the close may have missed it
        }
        return future;
    }

    /** The loop closed: every future still owed fails (its dependents run on this thread). */
    void failOwed() {
        for (CompletableFuture<?> f : owed) {
            f.completeExceptionally(new LoopClosedException(loop.name()));
        }
    }

    /** {@link dev.loop.EventLoop#submit}: always in a coming step, never in the caller. */
    <T> CompletableFuture<T> submit(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        CompletableFuture<T> result = owe(new CompletableFuture<>());
        loop.callSoonThreadsafe(() -> {
            if (result.isDone()) {
                return; // cancelled before it ran
            }
            try {
                result.complete(task.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /**
     * See {@link Loop#onLoop}. From another thread the caller gets a future of its own: cancelling it before
     * the action started means the action never starts, and afterwards cancels the action's future.
     */
    <T> CompletableFuture<T> onLoop(Supplier<CompletableFuture<T>> action) {
        loop.checkOpen();
        if (runsNow()) {
            return action.get();
        }
        CompletableFuture<T> result = owe(new CompletableFuture<>());
        loop.callSoonThreadsafe(() -> {
            if (result.isDone()) {
                return; // cancelled before it started
            }
            CompletableFuture<T> started;
            try {
                started = action.get();
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
                return;
            }
            Futures.follow(started, result);
        });
        return result;
    }

    /** See {@link Loop#completeOnLoop}. */
    <F extends CompletableFuture<?>> F completeOnLoop(F future, Runnable action) {
        loop.checkOpen();
        if (runsNow()) {
            action.run();
        } else {
            owe(future);
            runOnLoop(action);
        }
        return future;
    }

    /** The loop thread, or a loop nobody runs (the caller may act as its thread): an action runs at once. */
    private boolean runsNow() {
        return loop.inLoopThread() || !loop.isRunning();
    }

    /** See {@link Loop#runOnLoop}. */
    void runOnLoop(Runnable action) {
        if (loop.isClosed()) {
            return;
        }
        if (runsNow()) {
            action.run();
        } else {
            try {
                loop.callSoonThreadsafe(action);
            } catch (LoopClosedException e) {
                // closed meanwhile: the loop's close released everything
            }
        }
    }
}

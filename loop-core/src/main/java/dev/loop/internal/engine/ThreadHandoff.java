package dev.loop.internal.engine;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.loop.LoopClosedException;

/**
 * Work handed to a loop's thread from wherever it was asked for: {@code submit} for applications, and for the
 * loop's own factories (servers, connections, subprocesses) "now if this is the loop thread or the loop is not
 * running, else on the loop".
 */
record ThreadHandoff(Loop loop) {

    /** {@link dev.loop.EventLoop#submit}: always in a coming step, never in the caller. */
    <T> CompletableFuture<T> submit(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        CompletableFuture<T> result = new CompletableFuture<>();
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
        if (loop.inLoopThread() || !loop.isRunning()) {
            return action.get();
        }
        CompletableFuture<T> result = new CompletableFuture<>();
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

    /** See {@link Loop#runOnLoop}. */
    void runOnLoop(Runnable action) {
        if (loop.isClosed()) {
            return;
        }
        if (loop.inLoopThread() || !loop.isRunning()) {
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

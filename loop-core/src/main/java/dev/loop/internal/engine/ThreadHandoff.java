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
 * running (one such caller at a time), else on the loop". The futures it hands out are owed: if the loop closes
 * before it completed one (the work was still queued, or waited for a descriptor), the future fails with
 * {@link LoopClosedException} instead of never completing, so that a caller's {@code join} cannot hang on a
 * closed loop.
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
    @SuppressWarnings("unchecked")
    <T> CompletableFuture<T> onLoop(Supplier<CompletableFuture<T>> action) {
        loop.checkOpen();
        if (loop.inLoopThread()) {
            return action.get();
        }
        Object[] started = {null};
        if (ranIdle(() -> started[0] = action.get())) {
            return (CompletableFuture<T>) started[0];
        }
        CompletableFuture<T> result = owe(new CompletableFuture<>());
        loop.callSoonThreadsafe(() -> {
            if (result.isDone()) {
                return; // cancelled before it started
            }
            CompletableFuture<T> made;
            try {
                made = action.get();
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
                return;
            }
            Futures.follow(made, result);
        });
        return result;
    }

    /** See {@link Loop#completeOnLoop}. */
    <F extends CompletableFuture<?>> F completeOnLoop(F future, Runnable action) {
        loop.checkOpen();
        if (loop.inLoopThread()) {
            action.run();
        } else if (!ranIdle(action)) {
            owe(future);
            runOnLoop(action);
        }
        return future;
    }

    /**
     * Runs {@code action} now on this thread if no thread runs the loop (the caller acts as its thread, one such
     * caller at a time: {@link LoopLifecycle#runIfIdle}); false when a thread runs it. A running loop costs one
     * volatile read here: hand-offs to it never meet the lock.
     */
    private boolean ranIdle(Runnable action) {
        return !loop.isRunning() && loop.lifecycle().runIfIdle(action);
    }

    /** See {@link Loop#runOnLoop}. */
    void runOnLoop(Runnable action) {
        if (loop.isClosed()) {
            return;
        }
        if (loop.inLoopThread()) {
            action.run();
            return;
        }
        try {
            if (!ranIdle(action)) {
                loop.callSoonThreadsafe(action);
            }
        } catch (LoopClosedException e) {
            // closed meanwhile: the loop's close released everything
        }
    }
}

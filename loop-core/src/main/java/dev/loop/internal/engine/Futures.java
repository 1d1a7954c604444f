package dev.loop.internal.engine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** What {@link CompletableFuture} lacks for a chain of loop operations. */
public final class Futures {

    private Futures() {
    }

    /**
     * Completes {@code follower} as {@code leader} completes (a {@link CompletionException} unwrapped), and
     * cancels {@code leader} when {@code follower} is completed first (cancelled, or failed by its owner): the
     * caller holds {@code follower}, and giving up on it must reach the operation behind it ({@code thenCompose}
     * does not pass a cancel on).
     */
    public static <T> void follow(CompletableFuture<T> leader, CompletableFuture<T> follower) {
        follower.whenComplete((v, e) -> {
            if (!leader.isDone()) {
                leader.cancel(false);
            }
        });
        leader.whenComplete((v, e) -> {
            if (e != null) {
                follower.completeExceptionally(unwrap(e));
            } else {
                follower.complete(v);
            }
        });
    }

    /** The failure itself, not the {@link CompletionException} a dependent stage wraps it in. */
    public static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}

package dev.loop.internal.engine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import dev.loop.process.SubprocessTransport;
import dev.loop.transport.BaseTransport;
import dev.loop.transport.Connection;
import dev.loop.transport.Server;

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
            } else if (!follower.complete(v)) {
                release(v); // the follower was given up on (from another thread) as the leader completed
            }
        });
    }

    /**
     * Closes what was made for a caller who gave up on it before it arrived (a cancel, a timeout): a connection's
     * transport, a transport, a subprocess, a server. Anything else holds nothing to release.
     */
    public static void release(Object made) {
        Object v = made instanceof Connection<?, ?> c ? c.transport() : made;
        if (v instanceof BaseTransport t) {
            t.close();
        } else if (v instanceof SubprocessTransport p) {
            p.close();
        } else if (v instanceof Server s) {
            s.close();
        }
    }

    /**
     * {@code source}'s result mapped by {@code map}, in a future that passes a cancel (or a failure its owner
     * sets, such as {@code orTimeout}'s) on to {@code source}, as {@link #follow} does; a result that arrives after
     * the caller gave up is {@linkplain #release released} (a connection closed, not leaked).
     */
    public static <S, T> CompletableFuture<T> mapOwned(CompletableFuture<S> source, java.util.function.Function<S, T> map) {
        CompletableFuture<T> result = new CompletableFuture<>();
        result.whenComplete((v, e) -> {
            if (!source.isDone()) {
                source.cancel(false);
            }
        });
        source.whenComplete((v, e) -> {
            if (e != null) {
                result.completeExceptionally(unwrap(e));
                return;
            }
            boolean delivered;
            try {
                delivered = result.complete(map.apply(v));
            } catch (RuntimeException | Error failure) {
                delivered = false;
                result.completeExceptionally(failure);
            }
            if (!delivered) {
                release(v);
            }
        });
        return result;
    }

    /** The failure itself, not the {@link CompletionException} a dependent stage wraps it in. */
    public static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}

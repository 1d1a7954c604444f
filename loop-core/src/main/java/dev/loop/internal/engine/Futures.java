package dev.loop.internal.engine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

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
     * does not pass a cancel on). What the leader made for a follower given up on meanwhile is
     * {@linkplain #release released}.
     */
    public static <T> void follow(CompletableFuture<T> leader, CompletableFuture<T> follower) {
        follow(leader, follower, v -> v);
    }

    /**
     * {@code source}'s result mapped by {@code map}, in a future that passes a cancel (or a failure its owner
     * sets, such as {@code orTimeout}'s) on to {@code source}, as {@link #follow} does.
     */
    public static <S, T> CompletableFuture<T> mapOwned(CompletableFuture<S> source, Function<S, T> map) {
        CompletableFuture<T> result = new CompletableFuture<>();
        follow(source, result, map);
        return result;
    }

    private static <S, T> void follow(CompletableFuture<S> leader, CompletableFuture<T> follower, Function<S, T> map) {
        follower.whenComplete((v, e) -> {
            if (!leader.isDone()) {
                leader.cancel(false);
            }
        });
        leader.whenComplete((v, e) -> {
            if (e != null) {
                follower.completeExceptionally(unwrap(e));
                return;
            }
            boolean delivered;
            try {
                delivered = follower.complete(map.apply(v));
            } catch (RuntimeException | Error failure) {
                delivered = false;
                follower.completeExceptionally(failure);
            }
            if (!delivered) {
                release(v); // the follower was given up on (from another thread, or before a late result)
            }
        });
    }

    /** Completes {@code made} with {@code value}, or {@linkplain #release releases} it if its caller gave up meanwhile. */
    public static <T> void deliver(CompletableFuture<T> made, T value) {
        if (!made.complete(value)) {
            release(value);
        }
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

    /** The failure itself, not the {@link CompletionException} a dependent stage wraps it in. */
    public static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}

package dev.loop.testsupport;

import java.util.concurrent.CompletableFuture;

import dev.loop.EventLoop;

/** Waiting for the loop itself rather than for time: a future completed after a number of loop steps. */
public final class LoopSteps {

    private LoopSteps() {
    }

    /** A future completed after {@code n} more steps of {@code loop} (each hop is a callSoon of the last). */
    public static CompletableFuture<Void> after(EventLoop loop, int n) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        int[] left = {n};
        Runnable[] hop = new Runnable[1];
        hop[0] = () -> {
            if (left[0]-- <= 0) {
                done.complete(null);
            } else {
                loop.callSoon(hop[0]);
            }
        };
        loop.callSoon(hop[0]);
        return done;
    }
}

package dev.loop.internal.engine;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import dev.loop.LoopClosedException;

/**
 * A graceful shutdown: every server stops accepting, transports flush and close, children are asked to
 * terminate; the loop stops once all are gone, or at the deadline (what is left is then released at once).
 */
final class GracefulShutdown {

    private static final System.Logger LOG = System.getLogger("dev.loop.EventLoop");
    private static final Duration CHECK_EVERY = Duration.ofMillis(10);

    private GracefulShutdown() {
    }

    static CompletableFuture<Void> start(Loop loop, LoopResources resources, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        CompletableFuture<Void> drained = new CompletableFuture<>();
        if (loop.isClosed() || !loop.isRunning()) {
            drained.complete(null);
            return drained;
        }
        try {
            loop.callSoonThreadsafe(() -> {
                resources.closeAllGracefully();
                awaitDrained(loop, resources, drained, loop.time() + timeout.toNanos());
            });
        } catch (LoopClosedException e) {
            drained.complete(null);
        }
        return drained;
    }

    /** Checks every 10 ms until every server, transport and child is gone or the deadline passed; then stops. */
    private static void awaitDrained(Loop loop, LoopResources resources, CompletableFuture<Void> drained,
            long deadline) {
        if (resources.drained() || loop.time() - deadline >= 0) {
            if (!resources.drained()) {
                LOG.log(Level.WARNING, "[" + loop.name() + "] graceful shutdown timed out with " + resources.count(
                        LoopResources.Kind.TRANSPORT) + " transports and " + resources.count(
                                LoopResources.Kind.SUBPROCESS) + " subprocesses left; they are released at once");
            }
            loop.stop();
            drained.complete(null);
            return;
        }
        loop.callLater(CHECK_EVERY, () -> awaitDrained(loop, resources, drained, deadline));
    }
}

package dev.loop.internal.engine;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

import dev.loop.LoopClosedException;

/**
 * A graceful shutdown: every server stops accepting, transports flush and close, children are asked to
 * terminate; the loop stops once all are gone, or at the deadline (what is left is then released at once).
 * A graceful pause stops the loop the same way but closes nothing: servers stop accepting and transports
 * flush, and the next run resumes.
 */
final class GracefulShutdown {

    private static final System.Logger LOG = dev.loop.LoopLogging.getLogger("dev.loop.EventLoop");
    private static final Duration CHECK_EVERY = Duration.ofMillis(10);

    private GracefulShutdown() {
    }

    static CompletableFuture<Void> start(Loop loop, LoopResources resources, Duration timeout) {
        return onLoop(loop, timeout, (drained, deadline) -> {
            if (!resources.drained()) {
                LOG.log(Level.INFO, "[" + loop.name() + "] graceful shutdown, up to " + timeout.toMillis() + " ms: "
                        + resources.count(LoopResources.Kind.SERVER) + " servers close, "
                        + resources.count(LoopResources.Kind.TRANSPORT) + " transports flush and close, "
                        + "children get SIGTERM and are waited for: "
                        + resources.describe(LoopResources.Kind.SUBPROCESS));
            }
            resources.closeAllGracefully();
            await(loop, resources::drained, deadline, () -> LOG.log(Level.WARNING, "[" + loop.name()
                    + "] graceful shutdown timed out after " + timeout.toMillis() + " ms. Still open: transports "
                    + resources.describe(LoopResources.Kind.TRANSPORT) + ", servers "
                    + resources.describe(LoopResources.Kind.SERVER) + "; children still running after SIGTERM: "
                    + resources.describe(LoopResources.Kind.SUBPROCESS) + ". Closing the loop closes the transports "
                    + "and servers at once and kills the children with SIGKILL (the whole process group of a child "
                    + "started with ProcessOptions.processGroup, else the child alone)"), () -> {
                        loop.stop();
                        drained.complete(null);
                    });
        });
    }

    static CompletableFuture<Void> pause(Loop loop, LoopResources resources, Duration timeout) {
        return onLoop(loop, timeout, (paused, deadline) -> {
            resources.pauseAll();
            await(loop, resources::flushed, deadline, () -> LOG.log(Level.WARNING, "[" + loop.name() + "] pausing: "
                    + "transports still had data to write at the deadline; it waits in their buffers until the loop "
                    + "runs again"), () -> {
                        loop.lifecycle().completeWhenStopped(paused);
                        loop.stop();
                    });
        });
    }

    /** Begins on the loop thread with the future to complete and the deadline; done at once if not running. */
    private static CompletableFuture<Void> onLoop(Loop loop, Duration timeout,
            java.util.function.BiConsumer<CompletableFuture<Void>, Long> begin) {
        Objects.requireNonNull(timeout, "timeout");
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (loop.isClosed() || !loop.isRunning()) {
            done.complete(null);
            return done;
        }
        try {
            loop.callSoonThreadsafe(() -> begin.accept(done, loop.time() + timeout.toNanos()));
        } catch (LoopClosedException e) {
            done.complete(null);
        }
        return done;
    }

    /**
     * Checks every 10 ms until {@code settled} holds or the deadline passed ({@code late} then says what was
     * left); then {@code finish}.
     */
    private static void await(Loop loop, BooleanSupplier settled, long deadline, Runnable late, Runnable finish) {
        if (settled.getAsBoolean() || loop.time() - deadline >= 0) {
            if (!settled.getAsBoolean()) {
                late.run();
            }
            finish.run();
            return;
        }
        loop.callLater(CHECK_EVERY, () -> await(loop, settled, deadline, late, finish));
    }
}

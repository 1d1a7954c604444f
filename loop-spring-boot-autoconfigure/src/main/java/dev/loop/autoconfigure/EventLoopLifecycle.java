package dev.loop.autoconfigure;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;

import dev.loop.EventLoop;

/**
 * Runs the loop with the context. {@code start} starts it on its own thread; {@code stop} pauses it
 * gracefully (servers stop accepting, transports flush, within {@code loop.shutdown-timeout}, then the loop
 * thread stops) and closes nothing, so that a later {@code start} runs the same loop again with its servers
 * accepting. Only when the context closes ({@link #destroy}) does the loop shut down: servers close, transports
 * flush and close, children get SIGTERM, then the loop closes and releases what is left.
 *
 * <p>Pauseable: a cached test context that Spring pauses stops its loop thread and accepts no connections
 * until a test uses it again, as Spring's own schedulers and listener containers do.
 *
 * <p>The phase is below the web server's, so the loop starts before the server and stops after it
 * has drained its requests (which may still use the loop).
 */
public class EventLoopLifecycle implements SmartLifecycle, DisposableBean {

    /** Below {@code WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE} (DEFAULT_PHASE - 2048). */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private static final System.Logger LOG = System.getLogger(EventLoopLifecycle.class.getName());

    private final EventLoop loop;
    private final Duration shutdownTimeout;

    public EventLoopLifecycle(EventLoop loop, Duration shutdownTimeout) {
        this.loop = loop;
        this.shutdownTimeout = shutdownTimeout;
    }

    @Override
    public void start() {
        if (loop.isClosed()) {
            throw new IllegalStateException("Event loop '" + loop.name() + "' is closed; it cannot be started again"
                    + (loop.failure() != null ? " (it failed: " + loop.failure() + ")" : ""));
        }
        if (!loop.isRunning()) {
            loop.start();
        }
    }

    @Override
    public void stop() {
        pause();
    }

    @Override
    public void stop(Runnable callback) {
        Thread t = new Thread(() -> {
            try {
                pause();
            } finally {
                callback.run();
            }
        }, loop.name() + "-stop");
        t.setDaemon(true);
        t.start();
    }

    /** Servers stop accepting, transports flush, the loop thread stops; nothing is closed. */
    private void pause() {
        if (!loop.isRunning()) {
            return;
        }
        LOG.log(System.Logger.Level.INFO, "Stopping event loop '" + loop.name() + "': servers stop accepting, "
                + "transports flush (up to " + shutdownTimeout + "); it runs again on start");
        await(loop.pauseGracefully(shutdownTimeout), "pausing");
    }

    /**
     * The context closes: a graceful shutdown (a loop the context stopped runs again for it), then the loop
     * closes, which releases what is left (children still running are killed and reaped).
     */
    @Override
    public void destroy() {
        try {
            if (!loop.isClosed() && !loop.isRunning()) {
                loop.start();
            }
            await(loop.shutdownGracefully(shutdownTimeout), "shutting down");
        } finally {
            loop.close();
        }
    }

    private void await(CompletableFuture<Void> done, String what) {
        try {
            done.get(shutdownTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "Event loop '" + loop.name() + "': " + what + " took longer than "
                    + shutdownTimeout + " + 1 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.log(System.Logger.Level.WARNING, "Event loop '" + loop.name() + "': " + what + " failed", e.getCause());
        }
    }

    @Override
    public boolean isRunning() {
        return loop.isRunning();
    }

    @Override
    public boolean isPauseable() {
        return true;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}

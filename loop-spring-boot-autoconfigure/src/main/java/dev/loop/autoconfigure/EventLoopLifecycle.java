package dev.loop.autoconfigure;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.springframework.context.SmartLifecycle;

import dev.loop.EventLoop;

/**
 * Starts the loop on its own thread with the context, and stops it gracefully at shutdown: servers
 * stop accepting, transports flush and close, children get SIGTERM, within {@code loop.shutdown-timeout};
 * then the loop closes, which releases what is left (children still running are killed and reaped).
 *
 * <p>The phase is below the web server's, so the loop starts before the server and stops after it
 * has drained its requests (which may still use the loop).
 */
public class EventLoopLifecycle implements SmartLifecycle {

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
        if (!loop.isRunning() && !loop.isClosed()) {
            loop.start();
        }
    }

    @Override
    public void stop() {
        shutdown();
    }

    @Override
    public void stop(Runnable callback) {
        Thread t = new Thread(() -> {
            try {
                shutdown();
            } finally {
                callback.run();
            }
        }, loop.name() + "-shutdown");
        t.setDaemon(true);
        t.start();
    }

    private void shutdown() {
        try {
            loop.shutdownGracefully(shutdownTimeout).get(shutdownTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "Event loop " + loop.name() + " did not drain within " + shutdownTimeout
                    + "; closing it now");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.log(System.Logger.Level.WARNING, "graceful shutdown of " + loop.name() + " failed", e.getCause());
        } finally {
            loop.close();
        }
    }

    @Override
    public boolean isRunning() {
        return loop.isRunning();
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}

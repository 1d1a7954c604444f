package dev.loop.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;

import dev.loop.EventLoop;

/**
 * Runs the context's loops with it (the auto-configured one, and those the application defines unless
 * {@code loop.manage-application-loops=false}). {@code start} starts each loop not already running on its own
 * thread; {@code stop} pauses them gracefully (servers stop accepting, transports flush, within
 * {@code loop.shutdown-timeout}, then the loop threads stop) and closes nothing, so that a later
 * {@code start} runs the same loops again with their servers accepting. Only when the context closes
 * ({@link #destroy}) do the loops shut down: servers close, transports flush and close, children get SIGTERM,
 * then each loop closes and releases what is left.
 *
 * <p>Pauseable: a cached test context that Spring pauses stops its loop threads and accepts no connections
 * until a test uses it again, as Spring's own schedulers and listener containers do.
 *
 * <p>The phase is below the web server's, so the loops start before the server and stop after it
 * has drained its requests (which may still use them).
 */
public class EventLoopLifecycle implements SmartLifecycle, DisposableBean {

    /** Below {@code WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE} (DEFAULT_PHASE - 2048). */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private static final System.Logger LOG = dev.loop.LoopLogging.getLogger(EventLoopLifecycle.class.getName());

    private final List<EventLoop> loops;
    private final Duration shutdownTimeout;
    private volatile boolean running;

    public EventLoopLifecycle(List<EventLoop> loops, Duration shutdownTimeout) {
        this.loops = List.copyOf(loops);
        this.shutdownTimeout = shutdownTimeout;
    }

    public EventLoopLifecycle(EventLoop loop, Duration shutdownTimeout) {
        this(List.of(loop), shutdownTimeout);
    }

    /** The loops this lifecycle runs. */
    public List<EventLoop> loops() {
        return loops;
    }

    @Override
    public void start() {
        for (EventLoop loop : loops) {
            if (loop.isClosed()) {
                throw new IllegalStateException("Event loop '" + loop.name() + "' is closed; it cannot be started "
                        + "again" + (loop.failure() != null ? " (it failed: " + loop.failure() + ")" : ""));
            }
            if (!loop.isRunning()) {
                loop.start();
            }
        }
        running = true;
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
        }, "eventloop-stop");
        t.setDaemon(true);
        t.start();
    }

    /** Servers stop accepting, transports flush, the loop threads stop; nothing is closed. */
    private void pause() {
        running = false;
        List<EventLoop> live = loops.stream().filter(EventLoop::isRunning).toList();
        for (EventLoop loop : live) {
            LOG.log(System.Logger.Level.INFO, "Stopping event loop '" + loop.name() + "': servers stop accepting, "
                    + "transports flush (up to " + shutdownTimeout.toMillis() + " ms)");
        }
        awaitAll(live.stream().map(l -> l.pauseGracefully(shutdownTimeout)).toList(), "pausing");
    }

    /**
     * The context closes: a graceful shutdown of every loop (a loop the context stopped runs again for it),
     * then each loop closes, which releases what is left (children still running are killed and reaped).
     */
    @Override
    public void destroy() {
        running = false;
        try {
            List<EventLoop> open = loops.stream().filter(l -> !l.isClosed()).toList();
            for (EventLoop loop : open) {
                if (!loop.isRunning()) {
                    loop.start();
                }
            }
            awaitAll(open.stream().map(l -> l.shutdownGracefully(shutdownTimeout)).toList(), "shutting down");
        } finally {
            loops.forEach(EventLoop::close);
        }
    }

    private void awaitAll(List<CompletableFuture<Void>> all, String what) {
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                    .get(shutdownTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "Event loops: " + what + " took longer than " + shutdownTimeout
                    + " + 1 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.log(System.Logger.Level.WARNING, "Event loops: " + what + " failed", e.getCause());
        }
    }

    @Override
    public boolean isRunning() {
        return running;
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

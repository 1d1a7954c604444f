package dev.loop.internal.engine;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;

import dev.loop.EventLoop;
import dev.loop.ExceptionContext;
import dev.loop.ExceptionHandler;
import dev.loop.Handle;
import dev.loop.LoopMetricsListener;
import dev.loop.capability.Capability;

/**
 * The lifecycle, executor, error and metrics half of {@link EventLoop}, each handed to the part of the loop
 * that does it ({@link LoopLifecycle}, {@link LoopExecutor}, {@link ExceptionReporter}, {@link LoopMetrics}).
 * As {@link LoopIoMethods} for the I/O half: {@link Loop} composes its parts, and keeps to its step,
 * scheduling and the backend.
 */
interface LoopControlMethods extends EventLoop {

    LoopLifecycle lifecycle();

    LoopExecutor executor();

    ExceptionReporter reporter();

    LoopMetrics metrics();

    @Override
    default void start() {
        lifecycle().start();
    }

    @Override
    default void runForever() {
        lifecycle().runForever(null);
    }

    @Override
    default <T> T runUntilComplete(CompletableFuture<T> future) {
        return lifecycle().runUntilComplete(future);
    }

    @Override
    default void stop() {
        lifecycle().stop();
    }

    @Override
    default void close() {
        lifecycle().close();
    }

    @Override
    default boolean isRunning() {
        return lifecycle().thread() != null;
    }

    @Override
    default boolean isClosed() {
        return lifecycle().closed();
    }

    @Override
    default Throwable failure() {
        return lifecycle().failure();
    }

    @Override
    default boolean inLoopThread() {
        return lifecycle().thread() == Thread.currentThread();
    }

    @Override
    default Thread thread() {
        return lifecycle().thread();
    }

    default void checkOpen() {
        lifecycle().checkOpen();
    }

    /** Loop-thread-only methods: allowed from any thread while the loop is not running. */
    default void checkThread(String method) {
        lifecycle().checkThread(method);
    }

    @Override
    default <T> CompletableFuture<T> runInExecutor(Executor executor, Callable<T> task) {
        return executor().run(executor, task);
    }

    @Override
    default void setDefaultExecutor(ExecutorService executor) {
        executor().setDefault(executor);
    }

    @Override
    default CompletableFuture<Void> shutdownDefaultExecutor(Duration timeout) {
        checkOpen();
        return executor().shutdownDefault(timeout);
    }

    /** The loop's own executor, created at first use (see {@link LoopExecutor}). */
    default ExecutorService defaultExecutor() {
        return executor().defaultExecutor();
    }

    @Override
    default void setExceptionHandler(ExceptionHandler handler) {
        reporter().setHandler(handler);
    }

    @Override
    default ExceptionHandler getExceptionHandler() {
        return reporter().handler();
    }

    /** Never throws, even when the handler (the default one included) fails. */
    @Override
    default void callExceptionHandler(ExceptionContext context) {
        reporter().call(context);
    }

    /** Hands an error to the exception handler; never throws, even when building the report fails. */
    default void reportError(String message, Throwable exception, Handle handle, int fd, Throwable scheduledAt) {
        reporter().report(message, exception, handle, fd, scheduledAt);
    }

    @Override
    default Map<Capability, Map<String, Long>> capabilityUsage() {
        return metrics().capabilityUsage();
    }

    @Override
    default long recentDelayNanos() {
        return metrics().recentDelayNanos();
    }

    @Override
    default void setMetricsListener(LoopMetricsListener listener) {
        metrics().setListener(listener);
    }
}

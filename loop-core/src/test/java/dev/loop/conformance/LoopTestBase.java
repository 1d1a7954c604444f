package dev.loop.conformance;

import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import dev.loop.EventLoop;
import dev.loop.LoopOptions;
import dev.loop.PollerKind;
import dev.loop.TimerHandle;
import dev.loop.internal.selector.Poller;
import dev.loop.testsupport.TestFds;

/**
 * What every part of the conformance suite needs: a fresh loop on the poller under test, test
 * descriptors closed after each test, and a bounded run.
 */
public abstract class LoopTestBase {

    /** The backend under test. */
    protected abstract BackendFixture backend();

    /** A fresh poller of the kind under test (a selector backend's). */
    protected Poller newPoller() {
        return backend().newPoller();
    }

    /** The poller under test; null for the proactor. */
    protected PollerKind kind() {
        return backend().poller;
    }

    /** Whether a descriptor closed while registered is detected and reported (poll, select). */
    protected boolean reportsClosedDescriptors() {
        return backend().reportsClosedDescriptors;
    }

    protected TestFds fds;
    protected final List<EventLoop> loops = new ArrayList<>();

    @BeforeEach
    void openFds() {
        fds = new TestFds();
    }

    @AfterEach
    void closeAll() {
        for (EventLoop l : loops) {
            l.close();
        }
        fds.close();
    }

    /** The backend under test, for names: the poller's id, or the backend's. */
    protected String loopId() {
        return backend().id;
    }

    protected EventLoop newLoop() {
        return newLoop(LoopOptions.builder().name("test-" + loopId()).delaySamplingInterval(Duration.ZERO).build());
    }

    protected EventLoop newLoop(LoopOptions options) {
        EventLoop loop = backend().newLoop(options);
        loops.add(loop);
        return loop;
    }

    /** What {@code loop} reports to its exception handler from now on (a list safe to read from any thread). */
    protected static List<dev.loop.ExceptionContext> recordExceptions(EventLoop loop) {
        List<dev.loop.ExceptionContext> reported = java.util.Collections.synchronizedList(new ArrayList<>());
        loop.setExceptionHandler((l, ctx) -> reported.add(ctx));
        return reported;
    }

    /** Runs the loop on this thread until it stops; fails if it has not stopped after 10 s. */
    protected static void run(EventLoop loop) {
        TimerHandle guard = loop.callLater(Duration.ofSeconds(10), () -> {
            loop.stop();
            fail("loop did not stop within 10 s");
        });
        loop.runForever();
        guard.cancel();
    }


    /**
     * Runs the loop on this thread until {@code future} completes, and returns its result; fails the
     * future after {@code seconds}.
     */
    protected static <T> T await(EventLoop loop, java.util.concurrent.CompletableFuture<T> future, int seconds) {
        TimerHandle guard = loop.callLater(Duration.ofSeconds(seconds), () -> future.completeExceptionally(
                new java.util.concurrent.TimeoutException("not done within " + seconds + " s")));
        try {
            return loop.runUntilComplete(future);
        } finally {
            guard.cancel();
        }
    }

    protected static <T> T await(EventLoop loop, java.util.concurrent.CompletableFuture<T> future) {
        return await(loop, future, 10);
    }

    /** A future completed once {@code condition} holds (checked every millisecond on the loop). */
    protected static java.util.concurrent.CompletableFuture<Void> waitFor(EventLoop loop,
            java.util.function.BooleanSupplier condition) {
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        checkUntil(loop, condition, done);
        return done;
    }

    private static void checkUntil(EventLoop loop, java.util.function.BooleanSupplier condition,
            java.util.concurrent.CompletableFuture<Void> done) {
        if (condition.getAsBoolean()) {
            done.complete(null);
            return;
        }
        loop.callLater(Duration.ofMillis(1), () -> checkUntil(loop, condition, done));
    }

    /** A future completed after {@code n} more loop steps. */
    protected static java.util.concurrent.CompletableFuture<Void> steps(EventLoop loop, int n) {
        return dev.loop.testsupport.LoopSteps.after(loop, n);
    }

    /** A future completed after {@code millis} on the loop's clock. */
    protected static java.util.concurrent.CompletableFuture<Void> sleep(EventLoop loop, long millis) {
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        loop.callLater(Duration.ofMillis(millis), () -> done.complete(null));
        return done;
    }
}

package dev.loop.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.loop.EventLoop;
import dev.loop.ExceptionContext;
import dev.loop.Handle;
import dev.loop.LoopClosedException;
import dev.loop.LoopOptions;
import dev.loop.LoopStatsSnapshot;
import dev.loop.NotInLoopThreadException;
import dev.loop.TimerHandle;
import dev.loop.capability.Capability;
import dev.loop.capability.CapabilityNotSupportedException;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.nativeio.NativeMemory;
import dev.loop.internal.selector.Poller;
import dev.loop.testsupport.LogCapture;
import dev.loop.testsupport.RecordingProtocol;
import dev.loop.testsupport.TestFds;

/**
 * The behaviour every backend must have, taken from asyncio's own tests (see docs/asyncio-behaviour.md).
 * One subclass per backend (its {@link BackendFixture}), as CPython runs one mixin per selector.
 * Everything here uses real descriptors, threads and time.
 */
public abstract class AbstractLoopConformanceTest extends LoopTestBase {

    // =============================================================== the other parts of the suite

    /** Streams: TCP, unix sockets, pipes and ptys on this poller. */
    @Nested
    class Transports extends TransportConformance {
        @Override
        protected BackendFixture backend() {
            return AbstractLoopConformanceTest.this.backend();
        }
    }

    /** Subprocesses on this poller. */
    @Nested
    class Subprocesses extends SubprocessConformance {
        @Override
        protected BackendFixture backend() {
            return AbstractLoopConformanceTest.this.backend();
        }
    }

    /** Signal handlers on this poller. */
    @Nested
    class Signals extends SignalConformance {
        @Override
        protected BackendFixture backend() {
            return AbstractLoopConformanceTest.this.backend();
        }
    }

    /** Datagram endpoints and the datagram sock_* calls on this poller. */
    @Nested
    class Datagrams extends DatagramConformance {
        @Override
        protected BackendFixture backend() {
            return AbstractLoopConformanceTest.this.backend();
        }
    }

    /** TLS over this poller's stream transports. */
    @Nested
    class Tls extends TlsConformance {
        @Override
        protected BackendFixture backend() {
            return AbstractLoopConformanceTest.this.backend();
        }
    }

    /** asyncio's streams on this poller. */
    @Nested
    class Streams extends StreamConformance {
        @Override
        protected BackendFixture backend() {
            return AbstractLoopConformanceTest.this.backend();
        }
    }

    /** Executors on this poller. */
    @Nested
    class Executors extends ExecutorConformance {
        @Override
        protected BackendFixture backend() {
            return AbstractLoopConformanceTest.this.backend();
        }
    }

    /** Resource counts, capability usage and graceful shutdown on this poller. */
    @Nested
    class Shutdown extends ShutdownConformance {
        @Override
        protected BackendFixture backend() {
            return AbstractLoopConformanceTest.this.backend();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    // =============================================================== scheduling

    @Test
    void callSoonRunsInFifoOrderAndStopEndsRunForever() {
        EventLoop loop = newLoop();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int n = i;
            loop.callSoon(() -> order.add(n));
        }
        loop.callSoon(loop::stop);
        run(loop);
        assertThat(order).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void submitRunsTheTaskOnTheLoopThreadAndCompletesItsFutureThere() throws Exception {
        EventLoop loop = newLoop();
        loop.start();
        CountDownLatch dependentAdded = new CountDownLatch(1);
        java.util.concurrent.CompletableFuture<String> ok = loop.submit(() -> {
            dependentAdded.await(); // so that the dependent below runs where the future completes
            return Thread.currentThread().getName();
        });
        java.util.concurrent.CompletableFuture<Thread> completedOn = ok.thenApply(name -> Thread.currentThread());
        dependentAdded.countDown();
        // Waiting on the dependent, not on ok: a thread blocked in ok.get() may run ok's dependents itself.
        assertThat(completedOn.get(10, java.util.concurrent.TimeUnit.SECONDS)).isSameAs(loop.thread());
        assertThat(ok.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(loop.thread().getName());
        java.util.concurrent.CompletableFuture<Object> failed = loop.submit(() -> {
            throw new java.io.IOException("boom");
        });
        assertThatThrownBy(() -> failed.get(10, java.util.concurrent.TimeUnit.SECONDS))
                .hasCauseInstanceOf(java.io.IOException.class).hasRootCauseMessage("boom");
        assertThat(loop.stats().errors()).as("a task's exception is its future's, not the loop's").isZero();
    }

    @Test
    void submitOnTheLoopThreadRunsInALaterStepAndACancelledTaskNeverRuns() {
        EventLoop loop = newLoop();
        List<String> ran = new ArrayList<>();
        loop.callSoon(() -> {
            java.util.concurrent.CompletableFuture<Long> later = loop.submit(() -> {
                ran.add("submitted");
                return loop.stats().iterations();
            });
            ran.add("after submit");
            loop.submit(() -> ran.add("cancelled")).cancel(false);
            later.thenRun(loop::stop);
        });
        run(loop);
        assertThat(ran).containsExactly("after submit", "submitted");
        loop.close();
        assertThatThrownBy(() -> loop.submit(() -> 1)).isInstanceOf(dev.loop.LoopClosedException.class);
    }

    @Test
    void callbacksScheduledDuringAStepRunInTheNextStep() {
        EventLoop loop = newLoop();
        List<Long> steps = new ArrayList<>();
        loop.callSoon(() -> {
            steps.add(loop.stats().iterations());
            loop.callSoon(() -> {
                steps.add(loop.stats().iterations());
                loop.stop();
            });
        });
        run(loop);
        assertThat(steps).hasSize(2);
        assertThat(steps.get(1)).isEqualTo(steps.get(0) + 1);
    }

    @Test
    void callLaterZeroRunsAfterCallbacksAlreadyQueued() {
        EventLoop loop = newLoop();
        List<String> order = new ArrayList<>();
        loop.callSoon(() -> order.add("a"));
        loop.callLater(Duration.ZERO, () -> order.add("timer"));
        loop.callSoon(() -> order.add("c"));
        loop.callLater(Duration.ofMillis(5), loop::stop);
        run(loop);
        assertThat(order).containsExactly("a", "c", "timer");
    }

    @Test
    void timersRunInDueTimeOrder() {
        EventLoop loop = newLoop();
        List<Integer> order = new ArrayList<>();
        // Due times from one base: with callLater, a test thread descheduled for 10 ms between two calls (a busy
        // machine) really does make "20 ms" due after "30 ms".
        long base = loop.time();
        long ms = 1_000_000;
        loop.callAt(base + 30 * ms, () -> order.add(30));
        loop.callAt(base + 10 * ms, () -> order.add(10));
        loop.callAt(base + 20 * ms, () -> order.add(20));
        loop.callAt(base + 40 * ms, loop::stop);
        run(loop);
        assertThat(order).containsExactly(10, 20, 30);
    }

    @Test
    void extremeDueTimesRunOrWaitWithoutDisturbingTheOtherTimers() {
        // Long.MIN_VALUE and MAX_VALUE used to wrap around the heap's difference order: MIN_VALUE never ran and
        // held up every later timer.
        EventLoop loop = newLoop();
        List<String> ran = new ArrayList<>();
        TimerHandle never = loop.callAt(Long.MAX_VALUE, () -> ran.add("max"));
        loop.callAt(Long.MIN_VALUE, () -> ran.add("min"));
        loop.callAt(Long.MIN_VALUE / 2, () -> ran.add("min/2"));
        loop.callAt(loop.time() - 1_000, () -> ran.add("a microsecond ago"));
        loop.callLater(Duration.ofSeconds(-Long.MAX_VALUE / 2), () -> ran.add("a very negative delay"));
        loop.callLater(Duration.ofMillis(1), () -> {
            ran.add("in a millisecond");
            loop.stop();
        });
        run(loop);
        // Past due times run in due order (the clamped ones first, in scheduling order), then the next one.
        assertThat(ran).containsExactly("min", "min/2", "a very negative delay", "a microsecond ago", "in a millisecond");
        assertThat(never.isCancelled()).isFalse();
        assertThat(never.when() - loop.time()).as("clamped, still in the future").isPositive();
        assertThat(loop.stats().handles().timers()).isEqualTo(1);
        never.cancel();
    }

    @Test
    void timersWithEqualDeadlinesRunInSchedulingOrder() {
        EventLoop loop = newLoop();
        List<Integer> order = new ArrayList<>();
        long when = loop.time() + Duration.ofMillis(5).toNanos();
        for (int i = 0; i < 100; i++) {
            int n = i;
            loop.callAt(when, () -> order.add(n));
        }
        loop.callAt(when, loop::stop);
        run(loop);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            expected.add(i);
        }
        assertThat(order).isEqualTo(expected);
    }

    @Test
    void negativeDelaysRunInDueTimeOrder() {
        EventLoop loop = newLoop();
        List<String> order = new ArrayList<>();
        loop.callLater(Duration.ofSeconds(-1), () -> order.add("a"));
        loop.callLater(Duration.ofSeconds(-2), () -> order.add("b"));
        loop.callLater(Duration.ofMillis(1), loop::stop);
        run(loop);
        assertThat(order).containsExactly("b", "a");
    }

    @Test
    void aTimerNeverRunsBeforeItsDueTime() {
        EventLoop loop = newLoop();
        List<Long> early = new ArrayList<>();
        AtomicInteger fired = new AtomicInteger();
        for (int ms : new int[] {1, 7, 15, 70}) {
            long due = loop.time() + Duration.ofMillis(ms).toNanos();
            loop.callAt(due, () -> {
                fired.incrementAndGet();
                if (loop.time() < due) {
                    early.add(due - loop.time());
                }
            });
        }
        loop.callLater(Duration.ofMillis(80), loop::stop);
        run(loop);
        assertThat(fired).hasValue(4);
        assertThat(early).isEmpty();
    }

    @Test
    void dueTimersOfOneStepSeeEachOthersCancellationsAndNewTimersWaitForTheNextStep() {
        EventLoop loop = newLoop();
        List<String> order = new ArrayList<>();
        long[] steps = new long[2];
        long when = loop.time() + Duration.ofMillis(2).toNanos();
        AtomicReference<TimerHandle> b = new AtomicReference<>();
        loop.callAt(when, () -> {
            order.add("a");
            steps[0] = loop.stats().iterations();
            b.get().cancel();
            loop.callLater(Duration.ZERO, () -> {
                order.add("new");
                steps[1] = loop.stats().iterations();
                loop.stop();
            });
        });
        b.set(loop.callAt(when, () -> order.add("b")));
        loop.callAt(when, () -> order.add("c"));
        run(loop);
        assertThat(order).containsExactly("a", "c", "new");
        assertThat(steps[1]).isGreaterThan(steps[0]);
    }

    @Test
    void aCancelledTimerDoesNotRun() {
        EventLoop loop = newLoop();
        AtomicInteger ran = new AtomicInteger();
        TimerHandle t = loop.callLater(Duration.ofMillis(5), ran::incrementAndGet);
        t.cancel();
        t.cancel();
        loop.callLater(Duration.ofMillis(20), loop::stop);
        run(loop);
        assertThat(ran).hasValue(0);
        assertThat(t.isCancelled()).isTrue();
    }

    @Test
    void aCancelledCallbackDoesNotRun() {
        EventLoop loop = newLoop();
        AtomicInteger ran = new AtomicInteger();
        Handle h = loop.callSoon(ran::incrementAndGet);
        loop.callSoon(loop::stop);
        h.cancel();
        run(loop);
        assertThat(ran).hasValue(0);
    }

    @Test
    void aCallbackCanCancelALaterCallbackOfTheSameStep() {
        EventLoop loop = newLoop();
        AtomicInteger ran = new AtomicInteger();
        AtomicReference<Handle> second = new AtomicReference<>();
        loop.callSoon(() -> second.get().cancel());
        second.set(loop.callSoon(ran::incrementAndGet));
        loop.callSoon(loop::stop);
        run(loop);
        assertThat(ran).hasValue(0);
    }

    @Test
    void cancelledTimersAreCountedThenPurged() {
        EventLoop loop = newLoop();
        List<TimerHandle> handles = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            handles.add(loop.callLater(Duration.ofHours(1), () -> { }));
        }
        for (int i = 0; i < 150; i++) {
            handles.get(i).cancel();
        }
        assertThat(loop.stats().handles().cancelledTimers()).isEqualTo(150);
        assertThat(loop.stats().handles().timers()).isEqualTo(50);
        AtomicReference<LoopStatsSnapshot.HandleCounts> afterOneStep = new AtomicReference<>();
        loop.callSoon(() -> {
            afterOneStep.set(loop.stats().handles());
            loop.stop();
        });
        run(loop);
        // More than 100 queued and more than half cancelled: one step rebuilds the queue.
        assertThat(afterOneStep.get().cancelledTimers()).isZero();
        assertThat(afterOneStep.get().timers()).isEqualTo(51); // 50 + run()'s guard timer
    }

    @Test
    void aCancelledHeadTimerDoesNotShortenTheWait() {
        EventLoop loop = newLoop();
        TimerHandle head = loop.callLater(Duration.ofMillis(10), () -> fail("cancelled"));
        loop.callLater(Duration.ofMillis(150), loop::stop);
        head.cancel();
        long before = loop.stats().iterations();
        run(loop);
        // One wait of ~150 ms (plus possibly one step for rounding), not a step at 10 ms and spinning.
        assertThat(loop.stats().iterations() - before).isLessThanOrEqualTo(3);
    }

    @Test
    void stopBeforeRunForeverRunsOneStep() {
        EventLoop loop = newLoop();
        AtomicInteger ran = new AtomicInteger();
        loop.callSoon(ran::incrementAndGet);
        loop.stop();
        long before = loop.stats().iterations();
        loop.runForever();
        assertThat(loop.stats().iterations() - before).isEqualTo(1);
        assertThat(ran).hasValue(1);
    }

    @Test
    void stopFinishesTheCurrentStep() {
        EventLoop loop = newLoop();
        List<String> order = new ArrayList<>();
        loop.callSoon(() -> {
            order.add("a");
            loop.stop();
        });
        loop.callSoon(() -> {
            order.add("b");
            loop.callSoon(() -> order.add("next-step"));
        });
        loop.runForever();
        assertThat(order).containsExactly("a", "b");
        // The loop is reusable; the queued callback runs on the next run.
        loop.callSoon(loop::stop);
        run(loop);
        assertThat(order).containsExactly("a", "b", "next-step");
    }

    @Test
    void runForeverFromACallbackIsRefused() {
        EventLoop loop = newLoop();
        AtomicReference<Throwable> error = new AtomicReference<>();
        loop.callSoon(() -> {
            try {
                loop.runForever();
            } catch (IllegalStateException e) {
                error.set(e);
            }
            loop.stop();
        });
        run(loop);
        assertThat(error.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("already running");
    }

    @Test
    void runUntilCompleteReturnsTheResult() {
        EventLoop loop = newLoop();
        CompletableFuture<String> f = new CompletableFuture<>();
        loop.callLater(Duration.ofMillis(5), () -> f.complete("done"));
        assertThat(loop.runUntilComplete(f)).isEqualTo("done");
        CompletableFuture<String> failing = new CompletableFuture<>();
        loop.callSoon(() -> failing.completeExceptionally(new IllegalStateException("boom")));
        assertThatThrownBy(() -> loop.runUntilComplete(failing)).isInstanceOf(CompletionException.class)
                .hasRootCauseMessage("boom");
    }

    @Test
    void runUntilCompleteStoppedEarlyIsAnError() {
        EventLoop loop = newLoop();
        CompletableFuture<String> f = new CompletableFuture<>();
        loop.callSoon(loop::stop);
        assertThatThrownBy(() -> loop.runUntilComplete(f)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stopped before Future completed");
    }

    @Test
    void timeAdvancesAcrossABlockingCallback() {
        EventLoop loop = newLoop();
        long[] t = new long[2];
        loop.callSoon(() -> {
            t[0] = loop.time();
            sleep(20);
            t[1] = loop.time();
            loop.stop();
        });
        run(loop);
        assertThat(t[1] - t[0]).isGreaterThanOrEqualTo(Duration.ofMillis(20).toNanos());
    }

    // =============================================================== lifecycle

    @Test
    void closeIsIdempotentAndEverythingAfterItIsRefused() {
        EventLoop loop = newLoop();
        int[] p = fds.pipe();
        loop.close();
        loop.close();
        assertThat(loop.isClosed()).isTrue();
        assertThatThrownBy(() -> loop.callSoon(() -> { })).isInstanceOf(LoopClosedException.class);
        assertThatThrownBy(() -> loop.callSoonThreadsafe(() -> { })).isInstanceOf(LoopClosedException.class);
        assertThatThrownBy(() -> loop.callLater(Duration.ZERO, () -> { })).isInstanceOf(LoopClosedException.class);
        assertThatThrownBy(() -> loop.callAt(0, () -> { })).isInstanceOf(LoopClosedException.class);
        assertThatThrownBy(() -> loop.addReader(p[0], () -> { })).isInstanceOf(LoopClosedException.class);
        assertThatThrownBy(() -> loop.addWriter(p[1], () -> { })).isInstanceOf(LoopClosedException.class);
        assertThatThrownBy(loop::runForever).isInstanceOf(LoopClosedException.class);
        assertThatThrownBy(loop::start).isInstanceOf(LoopClosedException.class);
        assertThatThrownBy(() -> loop.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
        assertThat(loop.removeReader(p[0])).isFalse();
        assertThat(loop.removeWriter(p[1])).isFalse();
    }

    @Test
    void closeFromACallbackIsRefused() {
        EventLoop loop = newLoop();
        AtomicReference<Throwable> error = new AtomicReference<>();
        loop.callSoon(() -> {
            try {
                loop.close();
            } catch (IllegalStateException e) {
                error.set(e);
            }
            loop.stop();
        });
        run(loop);
        assertThat(error.get()).isInstanceOf(IllegalStateException.class);
        assertThat(loop.isClosed()).isFalse();
    }

    @Test
    void startRunsTheLoopOnItsOwnNamedThreadAndCloseStopsIt() throws Exception {
        EventLoop loop = newLoop(LoopOptions.builder().name("own").threadName("own-loop-thread").build());
        loop.start();
        assertThat(loop.isRunning()).isTrue();
        assertThat(loop.inLoopThread()).isFalse();
        assertThatThrownBy(loop::start).isInstanceOf(IllegalStateException.class);
        CompletableFuture<String> where = new CompletableFuture<>();
        loop.execute(() -> where.complete(Thread.currentThread().getName() + ":" + loop.inLoopThread()));
        assertThat(where.get(5, TimeUnit.SECONDS)).isEqualTo("own-loop-thread:true");
        Thread t = loop.thread();
        loop.close();
        assertThat(loop.isRunning()).isFalse();
        assertThat(t.isAlive()).isFalse();
    }

    @Test
    void loopThreadOnlyMethodsRefuseOtherThreadsWhileRunning() throws Exception {
        EventLoop loop = newLoop();
        int[] p = fds.pipe();
        loop.start();
        assertThatThrownBy(() -> loop.callSoon(() -> { })).isInstanceOf(NotInLoopThreadException.class)
                .hasMessageContaining("callSoonThreadsafe");
        assertThatThrownBy(() -> loop.callLater(Duration.ZERO, () -> { })).isInstanceOf(NotInLoopThreadException.class)
                .hasMessageContaining("callLater").hasMessageNotContaining("callAt");
        assertThatThrownBy(() -> loop.callAt(loop.time(), () -> { })).isInstanceOf(NotInLoopThreadException.class)
                .hasMessageContaining("callAt");
        assertThatThrownBy(() -> loop.addReader(p[0], () -> { })).isInstanceOf(NotInLoopThreadException.class);
        assertThatThrownBy(() -> loop.removeReader(p[0])).isInstanceOf(NotInLoopThreadException.class);
        loop.close();
    }

    @Test
    void theLoopIsAnExecutor() throws Exception {
        EventLoop loop = newLoop();
        loop.start();
        String name = CompletableFuture.supplyAsync(() -> Thread.currentThread().getName(), loop).get(5, TimeUnit.SECONDS);
        assertThat(name).isEqualTo(loop.thread().getName());
        loop.close();
    }

    // =============================================================== threads

    @Test
    void callSoonThreadsafeWakesAnIdleLoop() throws Exception {
        EventLoop loop = newLoop();
        loop.start();
        Thread.sleep(50); // let it park with no timers at all
        CountDownLatch ran = new CountDownLatch(1);
        long t0 = System.nanoTime();
        loop.callSoonThreadsafe(ran::countDown);
        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(System.nanoTime() - t0).isLessThan(Duration.ofSeconds(1).toNanos());
        loop.close();
    }

    @Test
    void postsToABusyLoopCostNoWakeupWrite() throws Exception {
        EventLoop loop = newLoop();
        loop.start();
        CountDownLatch release = holdBusy(loop);
        long before = loop.stats().wakeups();
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 1000; i++) {
            loop.callSoonThreadsafe(ran::incrementAndGet);
        }
        // The loop is running a callback, not parked: a thousand posts, not one write.
        assertThat(loop.stats().wakeups() - before).isZero();
        release.countDown();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilAtomic(ran, org.hamcrest.Matchers.equalTo(1000));
        // Parked again (no timer is due): two posts cost one write, or two if the second came before the
        // loop was back from the first. Parking is not visible from here; a pair of posts that found the
        // loop still busy costs nothing, and the next pair is tried.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long writes;
        do {
            Thread.sleep(5);
            CountDownLatch both = new CountDownLatch(2);
            long parked = loop.stats().wakeups();
            loop.callSoonThreadsafe(both::countDown);
            loop.callSoonThreadsafe(both::countDown);
            assertThat(both.await(5, TimeUnit.SECONDS)).isTrue();
            writes = loop.stats().wakeups() - parked;
        } while (writes == 0 && System.nanoTime() < deadline);
        assertThat(writes).isBetween(1L, 2L);
        loop.close();
    }

    @Test
    void aSignalDuringTheWaitIsRetriedWithTheRemainingTime() throws Exception {
        // asyncio's test_select_interrupt_noraise: EINTR must neither end the wait early nor add steps.
        boolean x86 = dev.loop.internal.nativeio.Linux.Arch.current() == dev.loop.internal.nativeio.Linux.Arch.X86_64;
        long sysGettid = x86 ? 186 : 178;
        long sysTgkill = x86 ? 234 : 131;
        int sigurg = 23;
        sun.misc.Signal.handle(new sun.misc.Signal("URG"), sig -> { });
        EventLoop loop = newLoop();
        long[] tid = {0};
        long[] firedAt = {0};
        loop.callSoon(() -> tid[0] = LibC.syscall(sysGettid, 0, 0, 0, 0, 0, 0));
        long due = loop.time() + Duration.ofMillis(200).toNanos();
        loop.callAt(due, () -> {
            firedAt[0] = loop.time();
            loop.stop();
        });
        AtomicInteger sent = new AtomicInteger();
        CountDownLatch waiting = new CountDownLatch(1);
        loop.callSoon(waiting::countDown); // after the callback that reads the loop thread's id
        Thread sender = new Thread(() -> {
            try {
                waiting.await(); // a signal to thread 0 would fail: wait for the id, not for a while
            } catch (InterruptedException e) {
                return;
            }
            sleep(30);
            for (int i = 0; i < 5; i++) {
                if (LibC.syscall(sysTgkill, LibC.getpid(), tid[0], sigurg, 0, 0, 0) == 0) {
                    sent.incrementAndGet();
                }
                sleep(20);
            }
        });
        sender.start();
        long before = loop.stats().iterations();
        run(loop);
        sender.join();
        assertThat(sent).hasValue(5);
        assertThat(firedAt[0]).isGreaterThanOrEqualTo(due);
        // One step for the first callback, one wait of ~200 ms: signals do not add steps.
        assertThat(loop.stats().iterations() - before).isLessThanOrEqualTo(3);
    }

    @Test
    void aPostCancelledBeforeTheLoopGetsToItDoesNotRun() throws Exception {
        EventLoop loop = newLoop();
        loop.start();
        CountDownLatch release = holdBusy(loop);
        List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
        List<Handle> handles = new ArrayList<>();
        for (int i = 0; i < 3000; i++) { // crosses inbox chunks
            int n = i;
            handles.add(loop.callSoonThreadsafe(() -> ran.add(n)));
        }
        assertThat(loop.stats().handles().ready()).isGreaterThanOrEqualTo(3000);
        for (int i = 0; i < 3000; i += 2) {
            handles.get(i).cancel();
            assertThat(handles.get(i).isCancelled()).isTrue();
        }
        release.countDown();
        CompletableFuture<Void> after = new CompletableFuture<>();
        loop.execute(() -> after.complete(null));
        after.get(5, TimeUnit.SECONDS);
        List<Integer> expected = new ArrayList<>();
        for (int i = 1; i < 3000; i += 2) {
            expected.add(i);
        }
        assertThat(ran).isEqualTo(expected);
        handles.get(1).cancel(); // too late: already ran; harmless
        assertThat(handles.get(1).isCancelled()).isTrue();
        loop.close();
    }

    @Test
    void callSoonThreadsafeFromTheLoopThreadSharesTheFifo() {
        EventLoop loop = newLoop();
        List<Integer> order = new ArrayList<>();
        loop.callSoon(() -> {
            loop.callSoon(() -> order.add(1));
            loop.callSoonThreadsafe(() -> order.add(2));
            loop.callSoon(() -> order.add(3));
            loop.callSoon(loop::stop);
        });
        run(loop);
        assertThat(order).containsExactly(1, 2, 3);
    }

    /** asyncio's test_call_soon_threadsafe: a post made before a callSoon runs before it (one FIFO). */
    @Test
    void testCallSoonThreadsafe_aPostFromAnotherThreadRunsBeforeALaterCallSoon() throws Exception {
        EventLoop loop = newLoop();
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        Thread other = new Thread(() -> {
            loop.callSoonThreadsafe(() -> order.add("hello"));
            loop.execute(() -> order.add("executed"));
        });
        other.start();
        other.join();
        loop.callSoon(() -> order.add("world"));
        loop.callSoon(loop::stop);
        run(loop);
        assertThat(order).containsExactly("hello", "executed", "world");
    }

    /** The same while the loop runs: the loop thread sees the post before it schedules its callback. */
    @Test
    void testCallSoonThreadsafe_whileRunningAPostSeenBeforeACallSoonRunsBeforeIt() {
        EventLoop loop = newLoop();
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        loop.callSoon(() -> {
            loop.callSoon(() -> order.add("queued before the post"));
            Thread other = new Thread(() -> loop.callSoonThreadsafe(() -> order.add("hello")));
            other.start();
            try {
                other.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            loop.callSoon(() -> order.add("world"));
            loop.execute(() -> order.add("executed on the loop thread"));
            loop.callSoon(loop::stop);
        });
        run(loop);
        assertThat(order).containsExactly("queued before the post", "hello", "world", "executed on the loop thread");
    }

    /** Posts queued behind a callback in the one FIFO can still be cancelled until they run. */
    @Test
    void aPostOrderedBeforeACallSoonCanStillBeCancelled() throws Exception {
        EventLoop loop = newLoop();
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Handle> posted = new AtomicReference<>();
        Thread other = new Thread(() -> posted.set(loop.callSoonThreadsafe(() -> order.add("cancelled"))));
        other.start();
        other.join();
        loop.callSoon(() -> order.add("world"));
        posted.get().cancel();
        assertThat(loop.stats().handles().ready()).isEqualTo(2); // the post and world; the order mark is not a handle
        loop.callSoon(loop::stop);
        run(loop);
        assertThat(order).containsExactly("world");
    }

    @Test
    void fourThreadsTimesAHundredThousandPostedCallbacksRunExactlyOnceInOrder() throws Exception {
        EventLoop loop = newLoop();
        int threads = 4;
        int each = 100_000;
        int[] next = new int[threads];
        AtomicInteger outOfOrder = new AtomicInteger();
        AtomicInteger total = new AtomicInteger();
        loop.start();
        CyclicBarrier barrier = new CyclicBarrier(threads);
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    barrier.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < each; i++) {
                    int seq = i;
                    // Even threads use execute (no handle), odd ones callSoonThreadsafe: one FIFO per producer.
                    java.util.function.Consumer<Runnable> post = id % 2 == 0 ? loop::execute : loop::callSoonThreadsafe;
                    post.accept(() -> {
                        if (next[id] != seq) {
                            outOfOrder.incrementAndGet();
                        }
                        next[id] = seq + 1;
                        total.incrementAndGet();
                    });
                }
            });
            producers.add(th);
            th.start();
        }
        for (Thread th : producers) {
            th.join();
        }
        CompletableFuture<int[]> seen = new CompletableFuture<>();
        loop.execute(() -> seen.complete(next.clone()));
        assertThat(seen.get(30, TimeUnit.SECONDS)).containsOnly(each);
        assertThat(total).hasValue(threads * each);
        assertThat(outOfOrder).hasValue(0);
        loop.close();
    }

    // =============================================================== errors and debug

    @Test
    void aThrowingCallbackGoesToTheExceptionHandlerAndTheLoopGoesOn() {
        EventLoop loop = newLoop();
        List<ExceptionContext> seen = recordExceptions(loop);
        AtomicInteger after = new AtomicInteger();
        RuntimeException boom = new RuntimeException("boom");
        Handle h = loop.callSoon(() -> {
            throw boom;
        });
        loop.callSoon(after::incrementAndGet);
        loop.callSoon(loop::stop);
        run(loop);
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).exception()).isSameAs(boom);
        assertThat(seen.get(0).handle()).isSameAs(h);
        assertThat(seen.get(0).message()).startsWith("Exception in callback");
        assertThat(after).hasValue(1);
        assertThat(loop.stats().errors()).isEqualTo(1);
    }

    @Test
    void theDefaultHandlerLogsAndAThrowingHandlerIsLoggedToo() {
        EventLoop loop = newLoop();
        try (LogCapture log = new LogCapture()) {
            loop.callSoon(() -> {
                throw new IllegalStateException("first");
            });
            loop.callSoon(loop::stop);
            run(loop);
            assertThat(log.texts()).anyMatch(t -> t.contains("Exception in callback") && t.contains("first"));

            loop.setExceptionHandler((l, ctx) -> {
                throw new IllegalArgumentException("handler broke");
            });
            loop.callSoon(() -> {
                throw new IllegalStateException("second");
            });
            loop.callSoon(loop::stop);
            run(loop);
            assertThat(log.texts()).anyMatch(t -> t.contains("Unhandled error in exception handler")
                    && t.contains("handler broke"));
            assertThat(log.texts()).anyMatch(t -> t.contains("second"));
        }
    }

    @Test
    void aHandlerThatThrowsEvenAnErrorAndALoggerThatFailsNeverEndTheLoop() {
        // Under EMFILE the default handler's logging can fail (NoClassDefFoundError: no descriptor to open a
        // jar with); neither that nor a handler's own Error may end the loop thread.
        EventLoop loop = newLoop();
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger("dev.loop");
        java.util.logging.Handler failing = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                throw new NoClassDefFoundError("logging failed: no descriptor left to open a jar");
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(failing);
        try {
            List<String> ran = new ArrayList<>();
            loop.callSoon(() -> {
                throw new IllegalStateException("with the default handler failing");
            });
            loop.callSoon(() -> ran.add("after the default handler failed"));
            loop.callSoon(() -> loop.setExceptionHandler((l, ctx) -> {
                throw new NoClassDefFoundError("the handler failed too");
            }));
            loop.callSoon(() -> {
                throw new StackOverflowError("a callback's Error");
            });
            loop.callSoon(() -> ran.add("after both failed"));
            loop.callLater(Duration.ofMillis(1), () -> {
                throw new OutOfMemoryError("a timer's Error");
            });
            loop.callLater(Duration.ofMillis(2), () -> {
                ran.add("a later timer");
                loop.stop();
            });
            run(loop);
            assertThat(ran).containsExactly("after the default handler failed", "after both failed", "a later timer");
            assertThat(loop.failure()).isNull();
            assertThat(loop.isClosed()).isFalse();
            assertThat(loop.stats().errors()).isEqualTo(3);
        } finally {
            jul.removeHandler(failing);
        }
    }

    @Test
    void aFailureOfTheLoopItselfClosesItSaysWhyRefusesWorkAndReleasesWhatItOwned() throws Exception {
        java.util.Map<Integer, String> before = TestFds.openFdTargets();
        EventLoop loop = newLoop();
        int waitFd = TestFds.newFdsSince(before).entrySet().stream()
                .filter(e -> e.getValue().contains("eventpoll") || e.getValue().contains("io_uring"))
                .mapToInt(java.util.Map.Entry::getKey).findFirst().orElse(-1);
        assumeTrue(waitFd >= 0, "this backend waits on no descriptor of its own (poll, select) that a test could break");
        loop.start();
        dev.loop.transport.Server server = loop.createServer(RecordingProtocol.Echo::new, "127.0.0.1", 0)
                .get(10, TimeUnit.SECONDS);
        int port = ((java.net.InetSocketAddress) server.addresses().get(0)).getPort();
        try (LogCapture log = new LogCapture(); java.net.Socket client = new java.net.Socket("127.0.0.1", port)) {
            client.setSoTimeout(10_000);
            client.getOutputStream().write(bytes("ping"));
            assertThat(client.getInputStream().readNBytes(4)).isEqualTo(bytes("ping")); // served

            // Break the backend for real: its wait descriptor now names /dev/null, so the next wait fails.
            int devNull = LibC.open("/dev/null", Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
            assertThat(LibC.dup3(devNull, waitFd, Linux.O_CLOEXEC)).isEqualTo(waitFd);
            LibC.close(devNull);
            try {
                loop.callSoonThreadsafe(() -> { }); // a step, then a wait on the broken descriptor
            } catch (LoopClosedException e) {
                // it failed already
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((loop.isRunning() || !loop.isClosed()) && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(loop.isClosed()).as("closed after failing").isTrue();
            assertThat(loop.isRunning()).isFalse();
            assertThat(loop.failure()).isInstanceOf(dev.loop.NativeException.class);
            assertThatThrownBy(() -> loop.callSoonThreadsafe(() -> { })).isInstanceOf(LoopClosedException.class);
            assertThatThrownBy(() -> loop.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
            assertThat(client.getInputStream().read()).as("the accepted connection is closed").isEqualTo(-1);
            assertThat(log.texts()).anyMatch(t -> t.contains("failed and is closed") && t.contains("NativeException"));
        }
        assertThat(TestFds.newFdsSince(before)).as("descriptors left open").isEmpty();
    }

    @Test
    void aSlowCallbackIsCountedAndLoggedWithWhereItWasScheduledInDebugMode() {
        EventLoop loop = newLoop(LoopOptions.builder().name("slow").debug(true)
                .slowCallbackThreshold(Duration.ofMillis(20)).delaySamplingInterval(Duration.ZERO).build());
        try (LogCapture log = new LogCapture()) {
            loop.callSoon(() -> sleep(40));
            loop.callSoon(loop::stop);
            run(loop);
            // At least the sleeping one (on 2 busy vCPUs a GC pause can make another one slow too).
            assertThat(loop.stats().slowCallbacks()).isGreaterThanOrEqualTo(1);
            assertThat(log.texts()).anyMatch(t -> t.contains("took") && t.contains("seconds")
                    && t.contains("aSlowCallbackIsCountedAndLoggedWithWhereItWasScheduledInDebugMode"));
            // The message itself names the line that scheduled it, not the lambda's class.
            assertThat(log.records()).extracting(java.util.logging.LogRecord::getMessage)
                    .anyMatch(m -> m.startsWith("Executing the callback scheduled at dev.loop.conformance."
                            + "AbstractLoopConformanceTest.aSlowCallbackIsCountedAndLoggedWithWhereItWasScheduled"))
                    .noneMatch(m -> m.contains("$$Lambda"));
        }
    }

    @Test
    void aSlowCallbackIsCountedOutsideDebugModeWithoutLogging() {
        EventLoop loop = newLoop(LoopOptions.builder().name("slow-quiet").slowCallbackThreshold(Duration.ofMillis(20))
                .delaySamplingInterval(Duration.ZERO).build());
        try (LogCapture log = new LogCapture()) {
            long[] at = new long[41];
            for (int i = 0; i < 40; i++) {
                int n = i;
                loop.callSoon(() -> at[n] = System.nanoTime());
            }
            loop.callSoon(() -> {
                at[40] = System.nanoTime();
                sleep(40);
            });
            loop.callSoon(loop::stop);
            run(loop);
            // Exactly the sleeping one, unless the machine itself stalled the loop thread between two of the
            // fast callbacks for as long as the threshold (seen on a busy 2-core machine): that is slow too.
            long stalls = java.util.stream.IntStream.range(0, 40)
                    .filter(i -> at[i + 1] - at[i] >= Duration.ofMillis(20).toNanos()).count();
            assertThat(loop.stats().slowCallbacks()).isBetween(1L, 1 + stalls);
            assertThat(log.texts()).noneMatch(t -> t.contains("took"));
        }
    }

    @Test
    void theWatchdogReportsABlockedCallbackWithTheLoopThreadsStack() {
        EventLoop loop = newLoop(LoopOptions.builder().name("blocked").blockedThreshold(Duration.ofMillis(100))
                .delaySamplingInterval(Duration.ZERO).build());
        try (LogCapture log = new LogCapture()) {
            loop.callSoon(() -> sleep(600));
            loop.callSoon(loop::stop);
            run(loop);
            assertThat(loop.stats().blockedCallbacks()).isEqualTo(1);
            assertThat(log.texts()).anyMatch(t -> t.contains("is blocked") && t.contains("Thread.sleep")
                    && t.contains("AbstractLoopConformanceTest"));
        }
    }

    @Test
    void loopDelayIsSampledWhileRunning() throws Exception {
        EventLoop loop = newLoop(LoopOptions.builder().name("delay").delaySamplingInterval(Duration.ofMillis(5)).build());
        loop.start();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> loop.stats().delay().count() > 5);
        loop.close();
        LoopStatsSnapshot s = loop.stats();
        assertThat(s.delay().count()).isGreaterThan(5);
        assertThat(s.delay().max()).isGreaterThan(0);
    }

    // =============================================================== timers: precision

    /** The loop thread's timer slack, as /proc shows it, read on the loop thread while it runs. */
    private static long slackOnLoopThread(EventLoop loop) throws Exception {
        return loop.submit(dev.loop.internal.nativeio.TimerSlack::fromProc).get(10, TimeUnit.SECONDS);
    }

    /**
     * By default the loop thread runs with the loop's default slack, not the kernel's 50 us; the limits report
     * what the thread has (read back from it), -1 before the loop first ran.
     */
    @Test
    void theLoopThreadRunsWithTheDefaultTimerSlackAndTheLimitsSayWhatItHas() throws Exception {
        EventLoop loop = newLoop();
        if (!loop.capabilities().supports(Capability.TIMER_SLACK)) {
            assertThat(loop.capabilities().limits().timerSlackNanos()).as("no such control").isZero();
            loop.start(); // and the default asks for nothing there
            assertThat(loop.isRunning()).isTrue();
            return;
        }
        assertThat(loop.capabilities().limits().timerSlackNanos()).as("before the first run").isEqualTo(-1);
        loop.start();
        assertThat(slackOnLoopThread(loop)).isEqualTo(LoopOptions.DEFAULT_TIMER_SLACK.toNanos());
        assertThat(loop.capabilities().limits().timerSlackNanos()).isEqualTo(LoopOptions.DEFAULT_TIMER_SLACK.toNanos());
    }

    /**
     * A loop with {@code slack}; where the backend's row has no timer slack control, the request is refused when
     * the loop is made, and the test stops there.
     */
    private EventLoop loopWithSlack(String name, Duration slack) {
        LoopOptions options = LoopOptions.builder().name(name + "-" + loopId()).timerSlack(slack)
                .delaySamplingInterval(Duration.ZERO).build();
        if (!newLoop().capabilities().supports(Capability.TIMER_SLACK)) {
            assertThatThrownBy(() -> newLoop(options)).isInstanceOf(CapabilityNotSupportedException.class)
                    .hasMessageContaining("timer slack");
            assumeTrue(false, "no timer slack control here: refused, as it should be");
        }
        return newLoop(options);
    }

    @Test
    void aTimerSlackOfOneNanosecondIsSetOnTheLoopThread() throws Exception {
        EventLoop loop = loopWithSlack("slack", Duration.ofNanos(1));
        loop.start();
        assertThat(slackOnLoopThread(loop)).isEqualTo(1);
        assertThat(loop.capabilities().limits().timerSlackNanos()).isEqualTo(1);
    }

    /** Zero leaves the thread's own slack (a new thread inherits its creator's: the test thread's here). */
    @Test
    void aTimerSlackOfZeroLeavesTheThreadsOwn() throws Exception {
        EventLoop loop = newLoop(LoopOptions.builder().name("own-slack-" + loopId()).timerSlack(Duration.ZERO)
                .delaySamplingInterval(Duration.ZERO).build());
        assumeTrue(loop.capabilities().supports(Capability.TIMER_SLACK), "no timer slack control here");
        long own = dev.loop.internal.nativeio.TimerSlack.fromProc();
        loop.start();
        assertThat(slackOnLoopThread(loop)).isEqualTo(own);
        assertThat(loop.capabilities().limits().timerSlackNanos()).isEqualTo(own);
    }

    /** runForever borrows the caller's thread: the thread runs with the loop's slack, and has its own back after. */
    @Test
    void aBorrowedThreadGetsItsOwnTimerSlackBack() {
        EventLoop loop = loopWithSlack("borrowed", Duration.ofNanos(7));
        long own = dev.loop.internal.nativeio.TimerSlack.fromProc();
        assumeTrue(own != 7);
        long[] during = new long[1];
        loop.callSoon(() -> {
            during[0] = dev.loop.internal.nativeio.TimerSlack.fromProc();
            loop.stop();
        });
        run(loop);
        assertThat(during[0]).isEqualTo(7);
        assertThat(dev.loop.internal.nativeio.TimerSlack.fromProc()).isEqualTo(own);
    }

    @Test
    void aTimerSlackOutOfRangeIsRefused() {
        assertThatThrownBy(() -> LoopOptions.builder().timerSlack(Duration.ofSeconds(2)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 ns to 1 s");
        assertThatThrownBy(() -> LoopOptions.builder().timerSlack(Duration.ofNanos(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 ns to 1 s");
    }

    @Test
    void subMillisecondTimersAreNotRoundedToAMillisecond() {
        EventLoop loop = newLoop();
        assumeTrue(loop.capabilities().supports(Capability.SUB_MILLISECOND_TIMERS));
        long[] lateness = new long[41];
        AtomicInteger i = new AtomicInteger();
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            long due = loop.time() + Duration.ofNanos(200_000).toNanos();
            loop.callAt(due, () -> {
                lateness[i.get()] = loop.time() - due;
                if (i.incrementAndGet() == lateness.length) {
                    loop.stop();
                } else {
                    next[0].run();
                }
            });
        };
        next[0].run();
        run(loop);
        long[] sorted = lateness.clone();
        Arrays.sort(sorted);
        assertThat(sorted[0]).isGreaterThanOrEqualTo(0);
        // Rounded up to whole milliseconds, a 200 us timer would be ~800 us late every time.
        assertThat(sorted[sorted.length / 2]).as("median lateness, ns").isLessThan(500_000);
        assertThat(loop.stats().timerLateness().count()).isGreaterThanOrEqualTo(lateness.length);
    }

    @Test
    void tinyTimeoutsDoNotSpin() {
        EventLoop loop = newLoop();
        long before = loop.stats().iterations();
        long[] delays = {10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 1};
        AtomicInteger k = new AtomicInteger();
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            int idx = k.getAndIncrement();
            if (idx == delays.length) {
                loop.stop();
                return;
            }
            loop.callLater(Duration.ofNanos(delays[idx]), next[0]);
        };
        loop.callSoon(next[0]);
        run(loop);
        // asyncio's test_timeout_rounding: a few steps per sleep, never a busy loop.
        assertThat(loop.stats().iterations() - before).isLessThanOrEqualTo(3L * delays.length + 3);
    }

    // =============================================================== readiness: pipes and sockets

    @Test
    void aReaderFiresWhenAPipeHasData() {
        EventLoop loop = newLoop();
        int[] p = fds.pipe();
        List<byte[]> got = new ArrayList<>();
        loop.addReader(p[0], () -> {
            got.add(TestFds.read(p[0], 100));
            assertThat(loop.removeReader(p[0])).isTrue();
            loop.stop();
        });
        loop.callLater(Duration.ofMillis(5), () -> TestFds.write(p[1], bytes("hello")));
        run(loop);
        assertThat(got).hasSize(1);
        assertThat(new String(got.get(0), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("hello");
        assertThat(loop.removeReader(p[0])).isFalse();
    }

    @Test
    void readersAreLevelTriggered() {
        EventLoop loop = newLoop();
        int[] p = fds.pipe();
        TestFds.write(p[1], bytes("x"));
        AtomicInteger calls = new AtomicInteger();
        loop.addReader(p[0], () -> {
            if (calls.incrementAndGet() == 3) {
                TestFds.read(p[0], 10); // drained: no more calls
                loop.callLater(Duration.ofMillis(30), loop::stop);
            }
        });
        run(loop);
        assertThat(calls).hasValue(3);
    }

    @Test
    void aWriterFiresOnAnEmptyPipeAndRemoveWriterReportsWhetherOneWasRegistered() {
        EventLoop loop = newLoop();
        int[] p = fds.pipe();
        AtomicInteger calls = new AtomicInteger();
        loop.addWriter(p[1], () -> {
            calls.incrementAndGet();
            assertThat(loop.removeWriter(p[1])).isTrue();
            assertThat(loop.removeWriter(p[1])).isFalse();
            loop.stop();
        });
        run(loop);
        assertThat(calls).hasValue(1);
    }

    @Test
    void aReaderOnASocketPairReceivesEveryByteFromAnotherThread() throws Exception {
        EventLoop loop = newLoop();
        int[] s = fds.socketPair();
        int total = 1 << 20;
        long[] received = {0};
        long[] sum = {0};
        loop.addReader(s[0], () -> {
            byte[] b;
            while ((b = TestFds.read(s[0], 65536)) != null && b.length > 0) {
                received[0] += b.length;
                for (byte x : b) {
                    sum[0] += x & 0xff;
                }
            }
            if (received[0] == total) {
                loop.removeReader(s[0]);
                loop.stop();
            }
        });
        Thread writer = new Thread(() -> {
            int sent = 0;
            byte[] chunk = new byte[8192];
            for (int i = 0; i < chunk.length; i++) {
                chunk[i] = (byte) i;
            }
            try (NativeMemory m = new NativeMemory(chunk.length)) {
                m.buffer().put(0, chunk);
                while (sent < total) {
                    long n = LibC.write(s[1], m.address(), Math.min(chunk.length, total - sent));
                    if (n > 0) {
                        sent += (int) n;
                    } else {
                        Thread.onSpinWait();
                    }
                }
            }
        });
        writer.start();
        run(loop);
        writer.join();
        long expected = 0;
        for (int i = 0; i < total; i++) {
            expected += (byte) (i % 8192) & 0xff;
        }
        assertThat(received[0]).isEqualTo(total);
        assertThat(sum[0]).isEqualTo(expected);
    }

    @Test
    void addingAReaderAgainReplacesTheCallback() {
        EventLoop loop = newLoop();
        int[] p = fds.pipe();
        List<String> calls = new ArrayList<>();
        loop.addReader(p[0], () -> calls.add("old"));
        loop.addReader(p[0], () -> {
            calls.add("new");
            TestFds.read(p[0], 10);
            loop.removeReader(p[0]);
            loop.stop();
        });
        assertThat(loop.stats().handles().readers()).isEqualTo(1);
        TestFds.write(p[1], bytes("x"));
        run(loop);
        assertThat(calls).containsExactly("new");
    }

    @Test
    void removingAReaderWhoseCallbackIsAlreadyQueuedPreventsItFromRunning() {
        EventLoop loop = newLoop();
        int[] a = fds.pipe();
        int[] b = fds.pipe();
        TestFds.write(a[1], bytes("a"));
        TestFds.write(b[1], bytes("b"));
        List<String> calls = new ArrayList<>();
        // Whichever runs first removes the other, which is ready in the same step.
        loop.addReader(a[0], () -> {
            calls.add("a");
            loop.removeReader(a[0]);
            loop.removeReader(b[0]);
        });
        loop.addReader(b[0], () -> {
            calls.add("b");
            loop.removeReader(a[0]);
            loop.removeReader(b[0]);
        });
        loop.callLater(Duration.ofMillis(20), loop::stop);
        run(loop);
        assertThat(calls).hasSize(1);
    }

    @Test
    void aReaderFiresWhenThePeerClosesThePipe() {
        EventLoop loop = newLoop();
        int[] p = fds.pipe();
        List<Integer> reads = new ArrayList<>();
        loop.addReader(p[0], () -> {
            byte[] b = TestFds.read(p[0], 10);
            reads.add(b == null ? -1 : b.length);
            loop.removeReader(p[0]);
            loop.stop();
        });
        loop.callLater(Duration.ofMillis(5), () -> fds.closeNow(p[1]));
        run(loop);
        assertThat(reads).containsExactly(0); // EOF
    }

    @Test
    void aWriterFiresWhenTheReadEndIsClosed() {
        EventLoop loop = newLoop();
        int[] p = fds.pipe();
        while (TestFds.writeSome(p[1], 65536) > 0) {
            // fill the pipe: not writable any more
        }
        List<Long> results = new ArrayList<>();
        loop.addWriter(p[1], () -> {
            results.add(TestFds.writeSome(p[1], 1));
            loop.removeWriter(p[1]);
            loop.stop();
        });
        loop.callLater(Duration.ofMillis(10), () -> fds.closeNow(p[0]));
        run(loop);
        assertThat(results).containsExactly((long) -32); // EPIPE
    }

    @Test
    void readerAndWriterOnOneDescriptorAreIndependent() {
        EventLoop loop = newLoop();
        int[] s = fds.socketPair();
        AtomicInteger writes = new AtomicInteger();
        AtomicInteger reads = new AtomicInteger();
        loop.addReader(s[0], () -> {
            reads.incrementAndGet();
            loop.stop(); // the step after the writer's removal: a writer still there would have run again
        });
        loop.addWriter(s[0], () -> {
            if (writes.incrementAndGet() == 2) {
                assertThat(loop.removeWriter(s[0])).isTrue();
                TestFds.write(s[1], bytes("ping"));
            }
        });
        run(loop);
        assertThat(writes).hasValue(2);
        assertThat(reads.get()).isGreaterThan(0);
        assertThat(loop.stats().handles().readers()).isEqualTo(1);
        assertThat(loop.stats().handles().writers()).isZero();
    }

    @Test
    void anIoCallbackSeenWhenStoppingDoesNotRunTwice() {
        EventLoop loop = newLoop();
        int[] p = fds.pipe();
        AtomicInteger calls = new AtomicInteger();
        TestFds.write(p[1], bytes("x"));
        loop.addReader(p[0], () -> {
            calls.incrementAndGet();
            loop.stop();
        });
        loop.runForever();
        assertThat(calls).hasValue(1);
        loop.runForever(); // still readable: runs exactly once more
        assertThat(calls).hasValue(2);
    }

    @Test
    void eventfdAndInotifyAreWatchedLikeAnyDescriptor(@TempDir Path dir) throws Exception {
        EventLoop loop = newLoop();
        int efd = fds.eventFd();
        int ino = fds.track(LibC.inotify_init1(Linux.IN_CLOEXEC | Linux.IN_NONBLOCK));
        assertThat(ino).isGreaterThanOrEqualTo(0);
        assertThat(LibC.inotify_add_watch(ino, dir.toString(), Linux.IN_CREATE)).isGreaterThanOrEqualTo(0);
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        loop.addReader(efd, () -> {
            seen.add("eventfd");
            TestFds.read(efd, 8);
            loop.removeReader(efd);
        });
        loop.addReader(ino, () -> {
            byte[] ev = TestFds.read(ino, 4096);
            seen.add("inotify:" + new String(ev, 16, ev.length - 16, java.nio.charset.StandardCharsets.UTF_8).trim());
            loop.removeReader(ino);
        });
        loop.callLater(Duration.ofMillis(5), () -> {
            TestFds.write(efd, new byte[] {1, 0, 0, 0, 0, 0, 0, 0});
            try {
                Files.writeString(dir.resolve("created.txt"), "x");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        await(loop, waitFor(loop, () -> seen.size() >= 2));
        assertThat(seen).hasSize(2).contains("eventfd").anyMatch(s -> s.startsWith("inotify:created.txt"));
    }

    @Test
    void aPseudoTerminalIsWatched() {
        int[] pty = fds.openPty();
        assumeTrue(pty != null, "no pseudo-terminals here");
        EventLoop loop = newLoop();
        int master = pty[0];
        StringBuilder got = new StringBuilder();
        loop.addReader(master, () -> {
            byte[] b = TestFds.read(master, 100);
            if (b != null) {
                got.append(new String(b, java.nio.charset.StandardCharsets.US_ASCII));
            }
            if (got.toString().contains("tty")) {
                loop.removeReader(master);
                loop.stop();
            }
        });
        loop.callLater(Duration.ofMillis(5), () -> TestFds.write(pty[1], bytes("tty\n")));
        run(loop);
        assertThat(got.toString()).contains("tty");
    }

    // =============================================================== bad descriptors and capabilities

    @Test
    void negativeAndClosedDescriptorsAreBadArguments() {
        EventLoop loop = newLoop();
        assertThatThrownBy(() -> loop.addReader(-1, () -> { })).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
        int[] pipe = fds.pipe();
        int[] p = {fds.moveHigh(pipe[0]), fds.moveHigh(pipe[1])}; // numbers nobody takes once closed
        fds.closeNow(p[0]);
        fds.closeNow(p[1]);
        assertThatThrownBy(() -> loop.addReader(p[0], () -> { })).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(p[0]));
        assertThatThrownBy(() -> loop.addWriter(p[1], () -> { })).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(p[1]));
        assertThat(loop.stats().handles().readers()).isZero();
    }

    @Test
    void regularFilesAndDirectoriesAreRefusedAsFileIoMonitoring(@TempDir Path dir) throws Exception {
        EventLoop loop = newLoop();
        Path file = Files.writeString(dir.resolve("plain.txt"), "data");
        int fileFd = fds.open(file, Linux.O_RDONLY);
        int dirFd = fds.open(dir, Linux.O_RDONLY | Linux.O_DIRECTORY);
        for (int fd : new int[] {fileFd, dirFd}) {
            assertThatThrownBy(() -> loop.addReader(fd, () -> { }))
                    .isInstanceOfSatisfying(CapabilityNotSupportedException.class, e -> {
                        assertThat(e.capability()).isEqualTo(Capability.FILE_IO_MONITORING);
                        assertThat(e.poller()).isEqualTo(loop.poller());
                        assertThat(e.alternative()).isNotBlank();
                        assertThat(e.getMessage()).contains("fd " + fd).contains("Linux");
                    });
            assertThatThrownBy(() -> loop.addWriter(fd, () -> { })).isInstanceOf(CapabilityNotSupportedException.class);
        }
        assertThat(loop.stats().handles().readers()).isZero();
    }

    @Test
    void aDescriptorClosedWhileRegisteredNeitherSpinsNorFailsForever() {
        EventLoop loop = newLoop();
        List<ExceptionContext> reported = recordExceptions(loop);
        int[] pipe = fds.pipe();
        // A number nobody takes once closed: reused by a regular file (the JVM opens some at any moment),
        // poll and select would rightly report it readable on every step.
        int[] p = {fds.moveHigh(pipe[0]), pipe[1]};
        int[] other = fds.pipe();
        AtomicInteger otherCalls = new AtomicInteger();
        loop.addReader(p[0], () -> { });
        loop.addReader(other[0], () -> {
            otherCalls.incrementAndGet();
            TestFds.read(other[0], 100);
        });
        fds.closeNow(p[0]); // without removeReader
        LoopStatsSnapshot before = loop.stats();
        loop.callLater(Duration.ofMillis(20), () -> TestFds.write(other[1], bytes("still works")));
        loop.callLater(Duration.ofMillis(100), loop::stop);
        run(loop);
        LoopStatsSnapshot after = loop.stats();
        assertThat(after.iterations() - before.iterations())
                .as(() -> "steps in 100 ms; callbacks " + (after.callbacks() - before.callbacks()) + ", reported "
                        + reported.stream().map(ExceptionContext::message).toList() + ", fd " + p[0] + " is now "
                        + TestFds.openFdTargets().get(p[0]))
                .isLessThan(20);
        assertThat(otherCalls).hasValue(1);
        if (reportsClosedDescriptors()) {
            assertThat(reported).hasSize(1);
            assertThat(reported.get(0).fd()).isEqualTo(p[0]);
            assertThat(reported.get(0).message()).contains("closed while registered");
            assertThat(loop.stats().handles().readers()).isEqualTo(1);
        }
    }

    @Test
    void aReaderWhoseDescriptorWasClosedAndItsNumberReusedIsReportedAndTheNewFileIsWatched() {
        checkReusedNumber(false);
    }

    @Test
    void aWriterWhoseDescriptorWasClosedAndItsNumberReusedIsReportedAndTheNewFileIsWatched() {
        checkReusedNumber(true);
    }

    /**
     * Registers a reader (or writer), lets the backend watch it, closes the descriptor without removing
     * it, puts a new pipe end (socket end) at the same number and registers that: the old registration is
     * reported once, on every backend, and the new one fires.
     */
    private void checkReusedNumber(boolean writer) {
        EventLoop loop = newLoop();
        List<ExceptionContext> reported = recordExceptions(loop);
        int[] first = writer ? fds.socketPair() : fds.pipe();
        int fd = fds.moveHigh(first[0]); // a number no other thread takes once it is closed
        AtomicInteger oldCalls = new AtomicInteger();
        if (writer) {
            loop.addWriter(fd, oldCalls::incrementAndGet);
        } else {
            loop.addReader(fd, oldCalls::incrementAndGet);
        }
        await(loop, sleep(loop, 5)); // the backend watches it
        int[] second = writer ? fds.socketPair() : fds.pipe(); // made first, so that it does not take the number
        fds.closeNow(fd); // without removing it
        await(loop, sleep(loop, 5));
        int reused = fds.moveHigh(second[0], fd); // the lowest free number >= fd: fd itself
        assertThat(reused).isEqualTo(fd);
        int calledBefore = oldCalls.get();
        CompletableFuture<Void> fired = new CompletableFuture<>();
        if (writer) {
            loop.addWriter(reused, () -> {
                loop.removeWriter(reused);
                fired.complete(null);
            });
        } else {
            loop.addReader(reused, () -> {
                TestFds.read(reused, 16);
                loop.removeReader(reused);
                fired.complete(null);
            });
            TestFds.write(second[1], bytes("new"));
        }
        await(loop, fired);
        assertThat(oldCalls.get()).as("the old callback after the new registration").isEqualTo(calledBefore);
        assertThat(reported).as("reported").hasSize(1);
        assertThat(reported.get(0).fd()).isEqualTo(fd);
        assertThat(reported.get(0).message()).contains("closed while registered");
        assertThat(loop.stats().handles().readers() + loop.stats().handles().writers()).isZero();
    }

    @Test
    void fiveThousandPipesAreWatchedAtOnce() {
        EventLoop loop = newLoop();
        assumeTrue(loop.capabilities().supports(Capability.DESCRIPTORS_ABOVE_FD_SETSIZE),
                "declared: this poller cannot watch descriptors above FD_SETSIZE");
        int pipes = 5000;
        long soft = dev.loop.internal.nativeio.Descriptors.openFileLimit()[0];
        assumeTrue(soft > 2L * pipes + 200, "RLIMIT_NOFILE " + soft + " is too low for " + pipes + " pipes");
        int[][] all = new int[pipes][];
        AtomicInteger fired = new AtomicInteger();
        int[] firedPerPipe = new int[pipes];
        int firstWave = (pipes + 6) / 7;
        for (int i = 0; i < pipes; i++) {
            all[i] = fds.pipe();
            int idx = i;
            int rfd = all[i][0];
            loop.addReader(rfd, () -> {
                TestFds.read(rfd, 10);
                firedPerPipe[idx]++;
                loop.removeReader(rfd);
                int n = fired.incrementAndGet();
                if (n == firstWave || n == pipes) {
                    loop.stop();
                }
            });
        }
        assertThat(loop.stats().handles().readers()).isEqualTo(pipes);
        assertThat(all[pipes - 1][0]).isGreaterThan(dev.loop.capability.PlatformSupport.FD_SETSIZE);
        // Every 7th pipe first: only those may fire.
        for (int i = 0; i < pipes; i += 7) {
            TestFds.write(all[i][1], bytes("x"));
        }
        // epoll hands out a bounded batch per wait; the rest come in the next steps (level-triggered).
        run(loop); // until the first wave has fired
        for (int i = 0; i < pipes; i++) {
            assertThat(firedPerPipe[i]).as("pipe %d after the first writes", i).isEqualTo(i % 7 == 0 ? 1 : 0);
        }
        for (int i = 0; i < pipes; i++) {
            if (i % 7 != 0) {
                TestFds.write(all[i][1], bytes("x"));
            }
        }
        run(loop);
        assertThat(fired).hasValue(pipes);
        assertThat(firedPerPipe).containsOnly(1);
        assertThat(loop.stats().handles().readers()).isZero();
    }

    @Test
    void descriptorsAtOrAboveFdSetSizeAreRefusedBeforeAnyNativeCall() {
        EventLoop loop = newLoop();
        assumeTrue(!loop.capabilities().supports(Capability.DESCRIPTORS_ABOVE_FD_SETSIZE),
                "this poller watches descriptors above FD_SETSIZE");
        int[] p = fds.pipe();
        int high = fds.track(LibC.fcntl(p[0], Linux.F_DUPFD_CLOEXEC, 1500));
        assertThat(high).isGreaterThanOrEqualTo(1500);
        assertThatThrownBy(() -> loop.addReader(high, () -> { }))
                .isInstanceOfSatisfying(CapabilityNotSupportedException.class, e -> {
                    assertThat(e.capability()).isEqualTo(Capability.DESCRIPTORS_ABOVE_FD_SETSIZE);
                    assertThat(e.getMessage()).contains("1024").contains(String.valueOf(high));
                    assertThat(e.alternative()).contains("poll");
                });
        // Refused on the range alone: even a descriptor number that is not open gets the capability error.
        assertThatThrownBy(() -> loop.addWriter(4000, () -> { })).isInstanceOf(CapabilityNotSupportedException.class);
        assertThat(loop.capabilities().limits().maxDescriptors()).isEqualTo(1024);
        // The highest descriptor inside the set works.
        int top = LibC.fcntl(p[0], Linux.F_DUPFD_CLOEXEC, 1023);
        fds.track(top);
        assumeTrue(top == 1023, "descriptor 1023 is taken");
        AtomicInteger calls = new AtomicInteger();
        loop.addReader(top, () -> {
            calls.incrementAndGet();
            loop.removeReader(1023);
            loop.stop();
        });
        TestFds.write(p[1], bytes("x"));
        run(loop);
        assertThat(calls).hasValue(1);
    }

    @Test
    void handleCountsFollowRegistrationsTimersAndReadyCallbacks() {
        EventLoop loop = newLoop();
        int[] p = fds.pipe();
        loop.addReader(p[0], () -> { });
        loop.addWriter(p[1], () -> { });
        loop.callLater(Duration.ofHours(1), () -> { });
        loop.callLater(Duration.ofHours(1), () -> { }).cancel();
        loop.callSoon(() -> { });
        LoopStatsSnapshot.HandleCounts h = loop.stats().handles();
        assertThat(h.readers()).isEqualTo(1);
        assertThat(h.writers()).isEqualTo(1);
        assertThat(h.timers()).isEqualTo(1);
        assertThat(h.cancelledTimers()).isEqualTo(1);
        assertThat(h.ready()).isEqualTo(1);
        loop.removeReader(p[0]);
        loop.removeWriter(p[1]);
        assertThat(loop.stats().handles().readers()).isZero();
        assertThat(loop.stats().handles().writers()).isZero();
    }

    /**
     * start right after pauseGracefully's future completed: the future completes on the ending loop thread, and
     * the start must wait for that thread rather than call the loop still running (a context.stop()/start() failed
     * so, once, in a clean-clone run).
     */
    @Test
    void aLoopStartsAgainRightAfterAPause() throws Exception {
        EventLoop loop = newLoop();
        for (int i = 0; i < 200; i++) {
            loop.start();
            loop.pauseGracefully(Duration.ofSeconds(5)).get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(loop.isRunning()).isFalse();
        }
        loop.start();
        assertThat(loop.submit(() -> 42).get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(42);
    }

    /**
     * A paused loop (a Spring context stopped) runs on no thread, yet other threads go on using its thread-safe
     * API: here eight threads start sockRecv on sockets of their own at once. The work they hand over must not
     * run on several threads at the same time (the loop's tables are the loop thread's): every receive gets its
     * byte once the loop runs again, and the reader count is right.
     */
    @Test
    void threadsUsingAPausedLoopAtOnceAreServedOneAtATime() throws Exception {
        EventLoop loop = newLoop();
        loop.start();
        loop.pauseGracefully(Duration.ofSeconds(5)).get(10, java.util.concurrent.TimeUnit.SECONDS);
        int threads = 8;
        int each = 50; // 800 descriptors: within select's FD_SETSIZE
        java.util.List<int[]> pairs = new java.util.ArrayList<>();
        for (int i = 0; i < threads * each; i++) {
            pairs.add(fds.socketPair());
        }
        java.util.List<java.util.concurrent.CompletableFuture<java.nio.ByteBuffer>> recvs =
                java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.concurrent.CyclicBarrier go = new java.util.concurrent.CyclicBarrier(threads);
        java.util.List<Thread> workers = new java.util.ArrayList<>();
        java.util.List<Throwable> failures = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        for (int t = 0; t < threads; t++) {
            int first = t * each;
            Thread w = new Thread(() -> {
                try {
                    go.await();
                    for (int i = first; i < first + each; i++) {
                        recvs.add(loop.sockRecv(pairs.get(i)[0], 1));
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        assertThat(failures).isEmpty();
        loop.start();
        for (int[] p : pairs) {
            TestFds.write(p[1], new byte[] {7});
        }
        for (java.util.concurrent.CompletableFuture<java.nio.ByteBuffer> r : recvs) {
            assertThat(r.get(10, java.util.concurrent.TimeUnit.SECONDS).get(0)).isEqualTo((byte) 7);
        }
        assertThat(loop.submit(() -> loop.stats().handles().loopReaders() + loop.stats().handles().readers())
                .get(10, java.util.concurrent.TimeUnit.SECONDS)).isZero();
    }

    /**
     * What waits in the loop while it is paused waits on: a pause ends the thread {@code start} made, and the next
     * start runs the loop on a new one. An application reader, a sockRecv and a connection's transport, all
     * waiting across the pause, still fire after it (io_uring gives an operation whose submitting thread has ended
     * {@code -ECANCELED}; the proactor must submit it again, not drop the reader as failed).
     */
    @Test
    void readersReceivesAndConnectionsWaitingAcrossAPauseFireAfterIt() throws Exception {
        EventLoop loop = newLoop();
        List<ExceptionContext> errors = recordExceptions(loop);
        loop.start();
        int[] pipe = fds.pipe();
        int[] pair = fds.socketPair();
        java.util.concurrent.CountDownLatch fired = new java.util.concurrent.CountDownLatch(1);
        loop.submit(() -> {
            loop.addReader(pipe[0], () -> {
                fired.countDown();
                loop.removeReader(pipe[0]);
            });
            return null;
        }).get(10, java.util.concurrent.TimeUnit.SECONDS);
        CompletableFuture<java.nio.ByteBuffer> recv = loop.sockRecv(pair[0], 1);
        dev.loop.transport.Server server = loop.createServer(dev.loop.testsupport.RecordingProtocol.Echo::new,
                "127.0.0.1", 0).get(10, java.util.concurrent.TimeUnit.SECONDS);
        int port = ((java.net.InetSocketAddress) server.addresses().get(0)).getPort();
        try (java.net.Socket client = new java.net.Socket("127.0.0.1", port)) {
            client.setSoTimeout(10_000);
            client.getOutputStream().write(1);
            assertThat(client.getInputStream().read()).isEqualTo(1); // the echo runs: its read is in flight now
            for (int round = 0; round < 3; round++) {
                loop.pauseGracefully(Duration.ofSeconds(5)).get(10, java.util.concurrent.TimeUnit.SECONDS);
                loop.start();
                client.getOutputStream().write(2 + round);
                assertThat(client.getInputStream().read()).as("echo after pause %d", round).isEqualTo(2 + round);
            }
        }
        TestFds.write(pipe[1], new byte[] {1});
        TestFds.write(pair[1], new byte[] {9});
        assertThat(fired.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("reader fired").isTrue();
        assertThat(recv.get(10, java.util.concurrent.TimeUnit.SECONDS).get(0)).isEqualTo((byte) 9);
        assertThat(errors).isEmpty();
    }

    /** A reader added from a thread that ended before the loop ran (the proactor's poll was submitted there) fires. */
    @Test
    void aReaderAddedByAThreadThatEndedBeforeTheLoopRanFires() throws Exception {
        EventLoop loop = newLoop();
        List<ExceptionContext> errors = recordExceptions(loop);
        int[] pipe = fds.pipe();
        java.util.concurrent.CountDownLatch fired = new java.util.concurrent.CountDownLatch(1);
        Thread setup = new Thread(() -> loop.addReader(pipe[0], () -> {
            fired.countDown();
            loop.removeReader(pipe[0]);
        }));
        setup.start();
        setup.join();
        loop.start();
        TestFds.write(pipe[1], new byte[] {1});
        assertThat(fired.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("reader fired").isTrue();
        assertThat(errors).isEmpty();
    }

    @Test
    void statsCountStepsCallbacksAndTime() {
        EventLoop loop = newLoop();
        for (int i = 0; i < 10; i++) {
            loop.callSoon(() -> { });
        }
        // Armed in the first step, so it runs in a later one however long the start took (a timer armed before
        // running, due in 20 ms, was already due in the first step when class loading took longer: 1 in 6 runs).
        loop.callSoon(() -> loop.callLater(Duration.ofMillis(20), loop::stop));
        run(loop);
        LoopStatsSnapshot s = loop.stats();
        assertThat(s.callbacks()).isEqualTo(12);
        assertThat(s.iterations()).isGreaterThanOrEqualTo(2);
        assertThat(s.pollNanos()).isPositive().isLessThan(Duration.ofSeconds(10).toNanos());
        assertThat(s.utilization()).isBetween(0.0, 1.0);
        assertThat(s.timerLateness().count()).isEqualTo(1);
    }

    @Test
    void closeReleasesEveryDescriptorTheLoopOwns() throws Exception {
        newLoop().close(); // warm-up: classes (and the jars they come from) loaded before counting
        java.util.Map<Integer, String> before = TestFds.openFdTargets();
        EventLoop loop = newLoop(LoopOptions.builder().name("fds").delaySamplingInterval(Duration.ofMillis(5)).build());
        int[] p = fds.pipe();
        loop.addReader(p[0], () -> { });
        loop.callLater(Duration.ofHours(1), () -> { });
        loop.start();
        loop.execute(() -> loop.callLater(Duration.ofMillis(1), () -> { }));
        Thread.sleep(30);
        assertThat(TestFds.newFdsSince(before)).hasSizeGreaterThanOrEqualTo(3); // the pipe and the poller's own
        loop.close();
        fds.close();
        assertThat(TestFds.newFdsSince(before)).as("descriptors left open").isEmpty();
    }

    @Test
    void theLoopOwnsOnlyItsPollerDescriptors() {
        assumeTrue(kind() != null, "a selector loop's poller; the proactor has its own test");
        newPoller().close();
        java.util.Map<Integer, String> before = TestFds.openFdTargets();
        Poller poller = newPoller();
        assertThat(TestFds.newFdsSince(before)).hasSize(poller.ownDescriptors() + backend().emulationDescriptors())
                .allSatisfy((fd, target) -> {
                    assertThat(target).startsWith("anon_inode:");
                    assertThat(TestFds.isCloseOnExec(fd)).as("O_CLOEXEC on %s", target).isTrue();
                });
        EventLoop loop = backend().newLoop(LoopOptions.defaults(), poller);
        loop.close();
        assertThat(TestFds.newFdsSince(before)).isEmpty();
    }

    /** Keeps the running loop inside one callback until the returned latch is counted down. */
    private static CountDownLatch holdBusy(EventLoop loop) throws InterruptedException {
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            busy.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        busy.await();
        return release;
    }

    protected static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

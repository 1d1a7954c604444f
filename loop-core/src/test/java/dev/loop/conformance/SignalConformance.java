package dev.loop.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.loop.EventLoop;
import dev.loop.LoopOptions;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.nativeio.NativeMemory;
import dev.loop.testsupport.TestQueues;

/**
 * Signals sent to this JVM's own pid with kill(2): handlers run on the loop thread; the signals the
 * JVM reserves are refused with a reason; INT/TERM/HUP chain to the JVM's handler unless asked not to.
 */
public abstract class SignalConformance extends LoopTestBase {

    private static final int SIGUSR1 = 10;
    private static final int SIGWINCH = 28;

    private static void raise(int signal) {
        assertThat(LibC.kill(LibC.getpid(), signal)).isZero();
    }

    private CompletableFuture<Thread> handled(EventLoop loop, String signal) {
        CompletableFuture<Thread> ranOn = new CompletableFuture<>();
        loop.addSignalHandler(signal, () -> ranOn.complete(Thread.currentThread()));
        return ranOn;
    }

    @Test
    void usr1AndWinchSentToThisProcessRunTheirHandlersOnTheLoopThread() {
        EventLoop loop = newLoop();
        CompletableFuture<Thread> usr1 = handled(loop, "SIGUSR1");
        CompletableFuture<Thread> winch = handled(loop, "WINCH");
        loop.callSoon(() -> raise(SIGUSR1));
        assertThat(await(loop, usr1)).isSameAs(Thread.currentThread()); // the loop runs on this thread
        loop.callSoon(() -> raise(SIGWINCH));
        assertThat(await(loop, winch)).isSameAs(Thread.currentThread());
        assertThat(loop.removeSignalHandler("USR1")).isTrue();
        assertThat(loop.removeSignalHandler("USR1")).isFalse();
        assertThat(loop.removeSignalHandler("WINCH")).isTrue();
    }

    @Test
    void signalsTheJvmReservesAreRefusedWithTheReason() {
        EventLoop loop = newLoop();
        assertThatThrownBy(() -> loop.addSignalHandler("USR2", () -> { })).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SIGUSR2").hasMessageContaining("suspend");
        assertThatThrownBy(() -> loop.addSignalHandler("QUIT", () -> { })).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("thread dumps");
        assertThatThrownBy(() -> loop.addSignalHandler("SIGCHLD", () -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("subprocessExec");
        assertThatThrownBy(() -> loop.addSignalHandler("KILL", () -> { })).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be caught");
        assertThatThrownBy(() -> loop.addSignalHandler("NOSUCH", () -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown signal");
        assertThat(loop.removeSignalHandler("KILL")).isFalse();
    }

    @Test
    void twoLoopsEachRunTheirHandlerOfOneSignalOnTheirOwnThread() throws Exception {
        EventLoop first = newLoop(LoopOptions.builder().name("first-" + loopId()).threadName("first-loop")
                .delaySamplingInterval(Duration.ZERO).build());
        EventLoop second = newLoop(LoopOptions.builder().name("second-" + loopId()).threadName("second-loop")
                .delaySamplingInterval(Duration.ZERO).build());
        first.start();
        second.start();
        BlockingQueue<String> ran = new LinkedBlockingQueue<>();
        onLoop(first, () -> first.addSignalHandler("USR1", () -> ran.add("first on " + Thread.currentThread().getName())));
        onLoop(second, () -> second.addSignalHandler("USR1", () -> ran.add("second on " + Thread.currentThread().getName())));

        raise(SIGUSR1);
        assertThat(List.of(TestQueues.take(ran, 10), TestQueues.take(ran, 10)))
                .containsExactlyInAnyOrder("first on first-loop", "second on second-loop");

        assertThat(onLoop(first, () -> first.removeSignalHandler("USR1"))).isTrue();
        raise(SIGUSR1);
        assertThat(TestQueues.take(ran, 10)).isEqualTo("second on second-loop");
        // The first loop's handler is gone: a marker posted after the signal arrives before anything else.
        first.callSoonThreadsafe(() -> ran.add("marker"));
        assertThat(TestQueues.take(ran, 10)).isEqualTo("marker");
        assertThat(ran).isEmpty();

        first.close(); // closing one loop leaves the other's handler
        raise(SIGUSR1);
        assertThat(TestQueues.take(ran, 10)).isEqualTo("second on second-loop");
        assertThat(onLoop(second, () -> second.removeSignalHandler("USR1"))).isTrue();
    }

    @Test
    void theJvmHandlerIsChainedOncePerSignalHoweverManyLoopsHandleIt() throws Exception {
        ShutdownSignal sig = shutdownSignalNotIgnored();
        EventLoop first = newLoop();
        EventLoop second = newLoop();
        AtomicInteger previousRan = new AtomicInteger();
        Object jvmHandler = handleWith(sig.name(), previousRan::incrementAndGet);
        try {
            AtomicInteger firstRan = new AtomicInteger();
            AtomicInteger secondRan = new AtomicInteger();
            first.addSignalHandler(sig.name(), firstRan::incrementAndGet);
            second.addSignalHandler(sig.name(), secondRan::incrementAndGet);
            second.start();
            raise(sig.number());
            await(first, waitFor(first, () -> firstRan.get() == 1 && secondRan.get() == 1 && previousRan.get() == 1));
            await(first, sleep(first, 50));
            assertThat(previousRan.get()).as("the previous handler, once for two loops").isEqualTo(1);

            // One loop taking the signal over is enough to keep the JVM's handler out.
            onLoop(second, () -> second.addSignalHandler(sig.name(), secondRan::incrementAndGet, false));
            raise(sig.number());
            await(first, waitFor(first, () -> firstRan.get() == 2 && secondRan.get() == 2));
            await(first, sleep(first, 50));
            assertThat(previousRan.get()).isEqualTo(1);

            assertThat(first.removeSignalHandler(sig.name())).isTrue();
            assertThat(onLoop(second, () -> second.removeSignalHandler(sig.name()))).isTrue();
            raise(sig.number()); // the last loop let go: the previous handler is back
            await(first, waitFor(first, () -> previousRan.get() == 2));
            assertThat(firstRan.get() + secondRan.get()).isEqualTo(4);
        } finally {
            restore(sig.name(), jvmHandler);
        }
    }

    @Test
    void namesThatAreNotSignalsAreRefusedByAddAndRemove() {
        EventLoop loop = newLoop();
        for (String name : List.of("boom", "0", "65", "SIG")) {
            assertThatThrownBy(() -> loop.removeSignalHandler(name)).as(name)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown signal");
            assertThatThrownBy(() -> loop.addSignalHandler(name, () -> { })).as(name)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown signal");
        }
        assertThat(loop.removeSignalHandler("USR1")).isFalse(); // a signal, with no handler
    }

    @Test
    void aShutdownSignalChainsToThePreviousHandlerUnlessAskedToTakeOver() throws Exception {
        ShutdownSignal sig = shutdownSignalNotIgnored();
        EventLoop loop = newLoop();
        AtomicInteger previousRan = new AtomicInteger();
        Object jvmHandler = handleWith(sig.name(), previousRan::incrementAndGet); // stands in for the JVM's shutdown
        try {
            AtomicInteger loopRan = new AtomicInteger();
            loop.addSignalHandler(sig.name(), loopRan::incrementAndGet);
            loop.callSoon(() -> raise(sig.number()));
            await(loop, waitFor(loop, () -> loopRan.get() == 1 && previousRan.get() == 1));

            loop.addSignalHandler(sig.name(), loopRan::incrementAndGet, false);
            loop.callSoon(() -> raise(sig.number()));
            await(loop, waitFor(loop, () -> loopRan.get() == 2));
            await(loop, sleep(loop, 50));
            assertThat(previousRan.get()).as("previous handler after takeover").isEqualTo(1);

            assertThat(loop.removeSignalHandler(sig.name())).isTrue();
            raise(sig.number());
            await(loop, waitFor(loop, () -> previousRan.get() == 2));
            assertThat(loopRan.get()).isEqualTo(2);
        } finally {
            restore(sig.name(), jvmHandler);
        }
    }

    /** A signal whose JVM handler starts the shutdown: chained to by default. */
    private record ShutdownSignal(String name, int number) {
    }

    /**
     * HUP, TERM or INT, whichever this JVM did not inherit as ignored: a Java handler standing in for the
     * JVM's own (the tests' "previous handler") is only installed where the JVM installs one, and under
     * {@code nohup} (HUP) or as a script's background job (INT) the JVM installs none. Inherited
     * dispositions have their own test, {@code InheritedIgnoredSignalsTest}.
     */
    private static ShutdownSignal shutdownSignalNotIgnored() {
        try (NativeMemory action = new NativeMemory(Linux.SIGACTION_SIZE)) {
            for (ShutdownSignal s : List.of(new ShutdownSignal("HUP", 1), new ShutdownSignal("TERM", 15),
                    new ShutdownSignal("INT", 2))) {
                assertThat(LibC.sigaction(s.number(), 0, action.address())).isZero();
                if (action.buffer().getLong(0) != Linux.SIG_IGN) {
                    return s;
                }
            }
        }
        assumeTrue(false, "HUP, TERM and INT were all inherited as ignored");
        throw new AssertionError("unreachable");
    }

    /**
     * Installs a Java handler for {@code name} that counts into {@code onSignal} (standing in for the JVM's
     * own); returns the handler it replaced, for {@link #restore}.
     */
    private static Object handleWith(String name, Runnable onSignal) throws Exception {
        Class<?> signalClass = Class.forName("sun.misc.Signal");
        Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
        Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
        Object signal = signalClass.getConstructor(String.class).newInstance(name);
        Object handler = Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass},
                (proxy, method, args) -> {
                    if (method.getName().equals("handle")) {
                        onSignal.run();
                    }
                    return null;
                });
        return handle.invoke(null, signal, handler);
    }

    private static void restore(String name, Object handler) throws Exception {
        Class<?> signalClass = Class.forName("sun.misc.Signal");
        Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
        signalClass.getMethod("handle", signalClass, handlerClass).invoke(null,
                signalClass.getConstructor(String.class).newInstance(name), handler);
    }

    /** Runs {@code action} on the running loop's thread and returns its result. */
    private static <T> T onLoop(EventLoop loop, java.util.concurrent.Callable<T> action) throws Exception {
        return loop.submit(action).get(10, TimeUnit.SECONDS);
    }

    private static void onLoop(EventLoop loop, Runnable action) throws Exception {
        onLoop(loop, () -> {
            action.run();
            return null;
        });
    }
}

package dev.loop.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.loop.EventLoop;
import dev.loop.nativeio.LibC;

/**
 * Signals sent to this JVM's own pid with kill(2): handlers run on the loop thread; the signals the
 * JVM reserves are refused with a reason; INT/TERM/HUP chain to the JVM's handler unless asked not to.
 */
public abstract class SignalConformance extends LoopTestBase {

    private static final int SIGHUP = 1;
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
    void aSignalBelongsToOneLoopAtATime() {
        EventLoop first = newLoop();
        EventLoop second = newLoop();
        first.addSignalHandler("USR1", () -> { });
        assertThatThrownBy(() -> second.addSignalHandler("USR1", () -> { })).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(first.name());
        first.close(); // releases it
        second.addSignalHandler("USR1", () -> { });
        assertThat(second.removeSignalHandler("USR1")).isTrue();
    }

    @Test
    void hupChainsToThePreviousHandlerUnlessAskedToTakeOver() throws Exception {
        EventLoop loop = newLoop();
        Class<?> signalClass = Class.forName("sun.misc.Signal");
        Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
        Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
        Object hup = signalClass.getConstructor(String.class).newInstance("HUP");
        AtomicInteger previousRan = new AtomicInteger();
        Object previous = Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass},
                (proxy, method, args) -> {
                    if (method.getName().equals("handle")) {
                        previousRan.incrementAndGet();
                    }
                    return null;
                });
        Object jvmHandler = handle.invoke(null, hup, previous); // stands in for the JVM's shutdown handler
        try {
            AtomicInteger loopRan = new AtomicInteger();
            loop.addSignalHandler("HUP", loopRan::incrementAndGet);
            loop.callSoon(() -> raise(SIGHUP));
            await(loop, waitFor(loop, () -> loopRan.get() == 1 && previousRan.get() == 1));

            loop.addSignalHandler("HUP", loopRan::incrementAndGet, false);
            loop.callSoon(() -> raise(SIGHUP));
            await(loop, waitFor(loop, () -> loopRan.get() == 2));
            await(loop, sleep(loop, 50));
            assertThat(previousRan.get()).as("previous handler after takeover").isEqualTo(1);

            assertThat(loop.removeSignalHandler("HUP")).isTrue();
            raise(SIGHUP);
            await(loop, waitFor(loop, () -> previousRan.get() == 2));
            assertThat(loopRan.get()).isEqualTo(2);
        } finally {
            handle.invoke(null, hup, jvmHandler);
        }
    }
}

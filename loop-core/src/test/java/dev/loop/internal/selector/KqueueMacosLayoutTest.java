package dev.loop.internal.selector;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.loop.Backend;
import dev.loop.EventLoop;
import dev.loop.LoopOptions;
import dev.loop.internal.nativeio.Kevent;
import dev.loop.internal.nativeio.Kqueue;
import dev.loop.internal.nativeio.LibC;
import dev.loop.process.ProcessOptions;
import dev.loop.process.SubprocessProtocol;
import dev.loop.testsupport.KqShim;
import dev.loop.testsupport.NativeHelpers;
import dev.loop.testsupport.TestFds;

/**
 * The kqueue poller with macOS's 32-byte {@code struct kevent}, against the shim built with
 * {@code -DKQSHIM_MACOS}. The poller's native methods bind one library per JVM (the conformance suite
 * binds the FreeBSD-layout shim), so this runs in a JVM of its own: readiness, a timer, a wake-up from
 * another thread and a child's exit, all through the macOS layout.
 */
class KqueueMacosLayoutTest {

    @Test
    void thePollerWorksWithTheMacosLayout() throws Exception {
        Path shim = KqShim.library(Kevent.MACOS);
        List<String> cmd = NativeHelpers.java(
                "-D" + Kqueue.LIBRARY_PROPERTY + "=" + shim, "-D" + Kevent.LAYOUT_PROPERTY + "=macos",
                "-cp", System.getProperty("java.class.path"), Main.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).as(out).contains("layout=MACOS", "backend=kqueue", "read=ok", "timer=ok", "wakeup=ok",
                "exit=5");
        assertThat(p.exitValue()).as(out).isZero();
    }

    /** Runs in the child JVM. */
    public static final class Main {
        public static void main(String[] args) throws Exception {
            System.out.println("layout=" + KqueuePoller.layout());
            // The emulated macOS's row, passed in: on Linux nothing else would give a kqueue one.
            try (EventLoop loop = SelectorBackend.newLoop(LoopOptions.defaults(), new KqueuePoller(),
                    dev.loop.capability.PlatformSupport.of(dev.loop.platform.Os.MACOS, "14.0", Backend.KQUEUE, null)
                            .orElseThrow());
                    TestFds fds = new TestFds()) {
                System.out.println("backend=" + loop.backend().id());
                int[] pair = fds.socketPair();
                CompletableFuture<String> read = new CompletableFuture<>();
                loop.callSoon(() -> loop.addReader(pair[0], () -> {
                    read.complete(new String(TestFds.read(pair[0], 16), StandardCharsets.US_ASCII));
                    loop.removeReader(pair[0]);
                }));
                TestFds.write(pair[1], "ping".getBytes(StandardCharsets.US_ASCII));
                System.out.println("read=" + ("ping".equals(loop.runUntilComplete(read)) ? "ok" : "wrong"));
                CompletableFuture<Void> timer = new CompletableFuture<>();
                long start = loop.time();
                loop.callLater(java.time.Duration.ofMillis(2), () -> timer.complete(null));
                loop.runUntilComplete(timer);
                System.out.println("timer=" + (loop.time() - start >= 2_000_000L ? "ok" : "early"));
                CompletableFuture<Void> woken = new CompletableFuture<>();
                Thread other = new Thread(() -> {
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                    loop.callSoonThreadsafe(() -> woken.complete(null));
                });
                other.start();
                loop.runUntilComplete(woken);
                other.join();
                System.out.println("wakeup=ok");
                ProcessOptions quiet = ProcessOptions.DEFAULTS.withStdin(ProcessOptions.Redirect.DEVNULL)
                        .withStdout(ProcessOptions.Redirect.DEVNULL).withStderr(ProcessOptions.Redirect.DEVNULL);
                var child = loop.runUntilComplete(loop.subprocessShell(() -> new SubprocessProtocol() { }, "exit 5",
                        quiet));
                System.out.println("exit=" + loop.runUntilComplete(child.transport().exitStatus()));
            }
            System.out.println("pid=" + LibC.getpid());
        }
    }
}

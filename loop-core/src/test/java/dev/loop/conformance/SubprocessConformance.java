package dev.loop.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.loop.EventLoop;
import dev.loop.NativeIOException;
import dev.loop.internal.nativeio.LibC;
import dev.loop.process.ProcessExitedException;
import dev.loop.process.ProcessOptions;
import dev.loop.process.ProcessOptions.Redirect;
import dev.loop.process.SubprocessProtocol;
import dev.loop.process.SubprocessTransport;
import dev.loop.testsupport.TestFds;
import dev.loop.transport.Connection;

/**
 * Real child processes: stdin/stdout round trips, exit codes, deaths by signal, redirections,
 * environment and working directory, what descriptors the child sees, 200 at once, and no zombie
 * left behind in any case (checked in /proc).
 */
public abstract class SubprocessConformance extends LoopTestBase {

    /** Records output per descriptor and checks asyncio's order: made, data and pipe losses, exited, lost. */
    static class Recorder implements SubprocessProtocol {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final List<String> events = new ArrayList<>();
        final CompletableFuture<Void> lost = new CompletableFuture<>();
        SubprocessTransport transport;

        @Override
        public void connectionMade(SubprocessTransport t) {
            transport = t;
            events.add("made");
        }

        @Override
        public void pipeDataReceived(int fd, ByteBuffer data) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            (fd == 1 ? out : err).writeBytes(b);
        }

        @Override
        public void pipeConnectionLost(int fd, Throwable cause) {
            events.add("pipe" + fd + "Lost");
        }

        @Override
        public void processExited() {
            events.add("exited");
        }

        @Override
        public void connectionLost(Throwable cause) {
            events.add("lost");
            lost.complete(null);
        }

        String stdout() {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    private Connection<SubprocessTransport, Recorder> exec(EventLoop loop, ProcessOptions options, String... argv) {
        return await(loop, loop.subprocessExec(Recorder::new, List.of(argv), options));
    }

    /** Children of this JVM that are zombies (exited, not reaped), from /proc/[pid]/stat. */
    public static List<Integer> zombieChildren() throws IOException {
        int self = LibC.getpid();
        List<Integer> zombies = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                String stat;
                try {
                    stat = Files.readString(p.resolve("stat"));
                } catch (IOException e) {
                    continue; // gone meanwhile
                }
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                if (f[0].equals("Z") && Integer.parseInt(f[1]) == self) {
                    zombies.add(Integer.parseInt(name));
                }
            }
        }
        return zombies;
    }

    /** A Recorder that completes {@link #outputReached} once stdout holds {@link #awaited}. */
    static final class OutputAwaiter extends Recorder {
        volatile String awaited;
        volatile CompletableFuture<Void> outputReached = new CompletableFuture<>();

        CompletableFuture<Void> await(String text) {
            awaited = text;
            outputReached = new CompletableFuture<>();
            return outputReached;
        }

        @Override
        public void pipeDataReceived(int fd, ByteBuffer data) {
            super.pipeDataReceived(fd, data);
            if (awaited != null && stdout().contains(awaited)) {
                outputReached.complete(null);
            }
        }
    }

    /**
     * A child open across pauses of a started loop (a Spring context stopped and started: each start runs the loop on
     * a new thread) still answers through its pipes after each, and an exit that happens while the loop is paused is
     * reported after the next start, in asyncio's order, with the child reaped.
     */
    @Test
    void aChildOpenAcrossPausesAnswersAfterEachAndItsExitDuringAPauseIsReported() throws Exception {
        EventLoop loop = newLoop();
        List<dev.loop.ExceptionContext> failures = recordExceptions(loop);
        loop.start();
        Connection<SubprocessTransport, OutputAwaiter> child = loop.subprocessExec(OutputAwaiter::new,
                List.of("cat"), ProcessOptions.DEFAULTS).get(10, TimeUnit.SECONDS);
        OutputAwaiter recorder = child.protocol();
        for (int round = 0; round < 3; round++) {
            if (round > 0) {
                loop.pauseGracefully(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
                loop.start();
            }
            String line = "round " + round + "\n";
            CompletableFuture<Void> echoed = recorder.await(line);
            loop.submit(() -> {
                child.transport().pipeTransport(0).write(line.getBytes(StandardCharsets.UTF_8));
                return null;
            }).get(10, TimeUnit.SECONDS);
            echoed.get(10, TimeUnit.SECONDS);
        }
        loop.pauseGracefully(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
        ProcessHandle process = ProcessHandle.of(child.transport().pid()).orElseThrow();
        process.destroy(); // SIGTERM while nobody runs the loop
        loop.start();
        assertThat(child.transport().exitStatus().get(10, TimeUnit.SECONDS)).isEqualTo(-15);
        recorder.lost.get(10, TimeUnit.SECONDS);
        assertThat(loop.submit(() -> List.copyOf(recorder.events)).get(10, TimeUnit.SECONDS))
                .startsWith("made").endsWith("lost").contains("exited", "pipe1Lost", "pipe2Lost");
        assertThat(zombieChildren()).doesNotContain(child.transport().pid());
        assertThat(failures).isEmpty();
    }

    /**
     * ProcessOptions.processGroup: the SIGTERM of a graceful shutdown reaches the child's own child too. Without
     * it (asyncio's behaviour) the grandchild outlives the shutdown, orphaned.
     */
    @Test
    void aProcessGroupTakesTheChildsOwnChildrenDownAtShutdown() throws Exception {
        for (boolean group : new boolean[] {true, false}) {
            EventLoop loop = newLoop();
            var c = exec(loop, ProcessOptions.DEFAULTS.withStdin(ProcessOptions.Redirect.DEVNULL).withProcessGroup(group),
                    "sh", "-c", "sleep 600 & echo $!; wait");
            await(loop, waitFor(loop, () -> c.protocol().stdout().endsWith("\n")));
            int grandchild = Integer.parseInt(c.protocol().stdout().trim());
            try {
                loop.start();
                loop.shutdownGracefully(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
                loop.close();
                assertThat(c.transport().returnCode()).as("the child got SIGTERM").isEqualTo(-15);
                if (group) {
                    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                            .until(() -> !running(grandchild));
                } else {
                    assertThat(running(grandchild)).as("outside a group, the grandchild is orphaned").isTrue();
                }
            } finally {
                LibC.kill(grandchild, 9);
            }
        }
    }

    /** Whether {@code pid} exists and is not a zombie (an orphan's zombie waits for init, which may not reap). */
    private static boolean running(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Given up on before the transport was delivered (its pipes still being connected), the child is not left
     * running unowned: the transport closes and kills it, as asyncio's does.
     */
    @Test
    void aCancelledSubprocessExecKillsTheChild() {
        EventLoop loop = newLoop();
        Recorder recorder = new Recorder();
        var c = loop.subprocessExec(() -> recorder, List.of("sleep", "30"), ProcessOptions.DEFAULTS);
        assertThat(c.cancel(false)).as("given up while its pipes are being connected").isTrue();
        // connectionMade still runs (the protocol had the transport), then the transport closes: the child is killed.
        await(loop, waitFor(loop, () -> recorder.lost.isDone()));
        assertThat(recorder.transport.returnCode()).as("killed").isEqualTo(-9);
        assertThat(loop.stats().handles().subprocesses()).isZero();
    }

    @Test
    void catEchoesStdinToStdoutAndExitsZeroAfterEveryPipeClosed() throws IOException {
        EventLoop loop = newLoop();
        var c = exec(loop, ProcessOptions.DEFAULTS, "cat");
        SubprocessTransport t = c.transport();
        assertThat(t.pid()).isPositive();
        assertThat(t.returnCode()).isNull();
        t.pipeTransport(0).write("ping\n".getBytes(StandardCharsets.US_ASCII));
        t.pipeTransport(0).close();
        assertThat(await(loop, t.exitStatus())).isZero();
        assertThat(c.protocol().stdout()).isEqualTo("ping\n");
        assertThat(c.protocol().events).startsWith("made").endsWith("lost").contains("exited", "pipe0Lost", "pipe1Lost",
                "pipe2Lost");
        assertThat(t.pipeTransport(1)).isNull();
        assertThat(zombieChildren()).doesNotContain(t.pid());
    }

    @Test
    void exitCodesAndDeathsBySignalAreReportedAsAsyncioDoes() {
        EventLoop loop = newLoop();
        ProcessOptions quiet = ProcessOptions.DEFAULTS.withStdin(Redirect.DEVNULL);
        assertThat(await(loop, exec(loop, quiet, "sh", "-c", "exit 7").transport().exitStatus())).isEqualTo(7);
        var sleeper = exec(loop, quiet, "sleep", "30");
        sleeper.transport().kill();
        assertThat(await(loop, sleeper.transport().exitStatus())).isEqualTo(-9);
        assertThatThrownBy(() -> sleeper.transport().kill()).isInstanceOf(ProcessExitedException.class);
        var terminated = exec(loop, quiet, "sleep", "30");
        terminated.transport().terminate();
        assertThat(await(loop, terminated.transport().exitStatus())).isEqualTo(-15);
        var hungUp = exec(loop, quiet, "sleep", "30");
        hungUp.transport().sendSignal(1);
        assertThat(await(loop, hungUp.transport().exitStatus())).isEqualTo(-1);
    }

    @Test
    void stderrToStdoutLeavesNoSeparatePipe() {
        EventLoop loop = newLoop();
        var c = exec(loop, ProcessOptions.DEFAULTS.withStdin(Redirect.DEVNULL).withStderr(Redirect.STDOUT), "sh", "-c",
                "echo out; echo err >&2");
        assertThat(c.transport().pipeTransport(2)).isNull();
        await(loop, c.transport().exitStatus());
        assertThat(c.protocol().stdout()).isEqualTo("out\nerr\n");
        assertThat(c.protocol().err.size()).isZero();
    }

    @Test
    void environmentAndWorkingDirectoryAreTheOnesGiven(@TempDir Path dir) throws IOException {
        EventLoop loop = newLoop();
        var c = await(loop, loop.subprocessShell(Recorder::new, "echo \"$GREETING\"; pwd",
                ProcessOptions.DEFAULTS.withEnvironment(Map.of("GREETING", "hello child", "PATH", "/usr/bin:/bin"))
                        .withDirectory(dir)));
        assertThat(await(loop, c.transport().exitStatus())).isZero();
        assertThat(c.protocol().stdout()).isEqualTo("hello child\n" + dir.toRealPath() + "\n");
    }

    @Test
    void theChildSeesOnlyItsThreeStandardDescriptors() {
        EventLoop loop = newLoop();
        // /proc/self/fd of the child: 0, 1, 2, and 3 for the directory the listing opens itself.
        var c = exec(loop, ProcessOptions.DEFAULTS.withStdin(Redirect.DEVNULL), "ls", "/proc/self/fd");
        await(loop, c.transport().exitStatus());
        assertThat(c.protocol().stdout().trim().split("\\s+")).containsExactly("0", "1", "2", "3");
    }

    @Test
    void aProgramThatDoesNotExistFailsWithEnoentAndLeaksNothing() {
        EventLoop loop = newLoop();
        var before = TestFds.openFdTargets();
        var attempt = loop.subprocessExec(Recorder::new, List.of("/no/such/program"), ProcessOptions.DEFAULTS);
        assertThatThrownBy(() -> await(loop, attempt)).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(NativeIOException.class)
                .satisfies(e -> assertThat(((NativeIOException) e).errnoName()).isEqualTo("ENOENT"));
        assertThat(TestFds.newFdsSince(before)).isEmpty();
    }

    @Test
    void twoHundredConcurrentChildrenAreAllReapedWithTheirOwnExitCodes() throws IOException {
        EventLoop loop = newLoop();
        ProcessOptions quiet = new ProcessOptions(Redirect.DEVNULL, Redirect.PIPE, Redirect.DEVNULL, null, null, false, false);
        List<CompletableFuture<Connection<SubprocessTransport, Recorder>>> started = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            started.add(loop.subprocessExec(Recorder::new, List.of("sh", "-c", "echo " + i + "; exit " + (i % 50)),
                    quiet));
        }
        List<CompletableFuture<Integer>> exits = new ArrayList<>();
        for (var s : started) {
            exits.add(s.thenCompose(c -> c.transport().exitStatus()));
        }
        await(loop, CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new)), 60);
        for (int i = 0; i < 200; i++) {
            assertThat(exits.get(i).join()).isEqualTo(i % 50);
            assertThat(started.get(i).join().protocol().stdout()).isEqualTo(i + "\n");
        }
        assertThat(zombieChildren()).isEmpty();
    }

    @Test
    void closingATransportKillsARunningChildAndReapsIt() throws IOException {
        EventLoop loop = newLoop();
        var c = exec(loop, ProcessOptions.DEFAULTS, "sleep", "30");
        c.transport().close();
        assertThat(await(loop, c.transport().exitStatus())).isEqualTo(-9);
        await(loop, c.protocol().lost);
        assertThat(zombieChildren()).doesNotContain(c.transport().pid());
    }

    /**
     * asyncio's get_extra_info('subprocess'): the child's ProcessHandle, which knows when the child is gone
     * (it carries the start time), so neither it nor the transport's close signals a process that reused the pid.
     */
    @Test
    void theTransportGivesTheChildsProcessHandleWhichKnowsWhenItIsGone() {
        EventLoop loop = newLoop();
        var c = exec(loop, ProcessOptions.DEFAULTS.withStdin(Redirect.DEVNULL), "sleep", "30");
        ProcessHandle handle = c.transport().processHandle().orElseThrow();
        assertThat(handle.pid()).isEqualTo(c.transport().pid());
        assertThat(handle.isAlive()).isTrue();
        assertThat(handle.parent().map(ProcessHandle::pid)).contains(ProcessHandle.current().pid());
        c.transport().kill();
        assertThat(await(loop, c.transport().exitStatus())).isEqualTo(-9);
        assertThat(handle.isAlive()).isFalse();
        assertThat(handle.destroyForcibly()).isFalse();
        c.transport().close(); // finished: nothing is signalled, nothing thrown
        await(loop, c.protocol().lost);
    }

    @Test
    void closingTheLoopKillsAndReapsChildrenAndClosesTheirPipes() throws IOException {
        EventLoop loop = newLoop();
        var before = TestFds.openFdTargets();
        var c = exec(loop, ProcessOptions.DEFAULTS, "sleep", "30");
        int pid = c.transport().pid();
        loop.close();
        assertThat(c.transport().exitStatus()).isCompletedWithValue(-9);
        assertThat(zombieChildren()).doesNotContain(pid);
        assertThat(Files.exists(Path.of("/proc/" + pid))).isFalse();
        assertThat(TestFds.newFdsSince(before)).isEmpty();
    }
}

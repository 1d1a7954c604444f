package dev.loop.internal.signal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import dev.loop.EventLoop;
import dev.loop.EventLoops;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.nativeio.NativeMemory;
import dev.loop.testsupport.NativeHelpers;
import dev.loop.testsupport.TestQueues;

/**
 * A JVM that inherited a signal as ignored (a {@code nohup} start ignores HUP; a background job of a
 * script ignores INT and QUIT) runs its loops' handlers for that signal all the same, and survives it.
 * Each case is a child JVM started the way a user would start it; it reports what it inherited, so the
 * test cannot pass with the signals not ignored.
 */
class InheritedIgnoredSignalsTest {

    private static final Map<String, Integer> NUMBERS = Map.of("HUP", 1, "INT", 2, "TERM", 15);

    @Test
    void hupIntAndTermIgnoredAtStartReachTheLoopAndTheProcessSurvivesThem() throws Exception {
        List<String> signals = List.of("HUP", "INT", "TERM");
        // What a script does before starting a job it wants immune to all three; exec keeps the dispositions.
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "trap '' HUP INT TERM; exec \"$@\"", "sh"));
        cmd.addAll(childJvm(signals));
        checkHandledAndSurvived(cmd, signals);
    }

    @Test
    void aJvmStartedUnderNohupRunsItsHupHandlerAndSurvivesHup() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("nohup"));
        cmd.addAll(childJvm(List.of("HUP")));
        checkHandledAndSurvived(cmd, List.of("HUP"));
    }

    private static List<String> childJvm(List<String> signals) {
        List<String> cmd = NativeHelpers.java("-cp", System.getProperty("java.class.path"), Child.class.getName());
        cmd.addAll(signals);
        return cmd;
    }

    private static void checkHandledAndSurvived(List<String> cmd, List<String> signals) throws Exception {
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            BlockingQueue<String> lines = lines(child);
            String ignored = signals.stream().map(s -> s + "=ignored").collect(Collectors.joining(" "));
            assertThat(TestQueues.take(lines, 30)).isEqualTo("inherited " + ignored);
            assertThat(TestQueues.take(lines, 30)).isEqualTo("ready");
            for (String signal : signals) {
                assertThat(LibC.kill((int) child.pid(), NUMBERS.get(signal))).isZero();
                assertThat(TestQueues.take(lines, 30)).isEqualTo("handled " + signal + " on the loop thread");
                assertThat(child.isAlive()).as("alive after SIG" + signal).isTrue();
            }
            // Handlers removed: the inherited disposition is back, and the signals are ignored again.
            OutputStream stdin = child.getOutputStream();
            stdin.write("remove\n".getBytes(StandardCharsets.US_ASCII));
            stdin.flush();
            assertThat(TestQueues.take(lines, 30)).isEqualTo("removed, " + ignored);
            for (String signal : signals) {
                assertThat(LibC.kill((int) child.pid(), NUMBERS.get(signal))).isZero();
            }
            stdin.close(); // the child's cue to close its loop and exit 0
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as("exit status, after " + String.join(", ", lines)).isZero();
        } finally {
            child.destroyForcibly();
        }
    }

    private static BlockingQueue<String> lines(Process child) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (!line.startsWith("WARNING") && !line.isBlank()) {
                        lines.add(line);
                    }
                }
            } catch (IOException e) {
                lines.add("read failed: " + e);
            }
        }, "child-output");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    /** The child JVM: handles the signals named in its arguments on a loop, reports on stdout. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            System.out.println("inherited " + dispositions(args));
            EventLoop loop = EventLoops.create();
            loop.start();
            CountDownLatch added = new CountDownLatch(1);
            loop.callSoonThreadsafe(() -> {
                for (String signal : args) {
                    loop.addSignalHandler(signal, () -> System.out.println("handled " + signal
                            + (loop.inLoopThread() ? " on the loop thread" : " elsewhere")));
                }
                added.countDown();
            });
            added.await();
            System.out.println("ready");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("remove")) {
                    CountDownLatch removed = new CountDownLatch(1);
                    loop.callSoonThreadsafe(() -> {
                        for (String signal : args) {
                            loop.removeSignalHandler(signal);
                        }
                        removed.countDown();
                    });
                    removed.await();
                    System.out.println("removed, " + dispositions(args));
                }
            }
            loop.close();
        }

        private static String dispositions(String[] signals) {
            List<String> out = new ArrayList<>();
            try (NativeMemory action = new NativeMemory(Linux.SIGACTION_SIZE)) {
                for (String s : signals) {
                    LibC.sigaction(NUMBERS.get(s), 0, action.address());
                    long handler = action.buffer().getLong(0);
                    out.add(s + "=" + (handler == Linux.SIG_IGN ? "ignored" : handler == Linux.SIG_DFL ? "default"
                            : "handled"));
                }
            }
            return String.join(" ", out);
        }
    }
}

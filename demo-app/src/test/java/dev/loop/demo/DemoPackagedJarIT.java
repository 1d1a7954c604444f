package dev.loop.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged demo as it runs in production ({@code java -jar}), stopped with SIGTERM while its worker child
 * ignores SIGTERM and has a child of its own that ignores it too. The shutdown says at INFO what it waits for
 * and at WARN, at {@code loop.shutdown-timeout}, what it kills; the JVM exits soon after that timeout, and
 * neither the worker nor its child is left running (the worker's process group gets the SIGKILL).
 * Run by failsafe after the jar is packaged.
 */
class DemoPackagedJarIT {

    private static final Pattern CHILD = Pattern.compile("worker: child (\\d+)");

    @Test
    void sigtermWithAStubbornWorkerLogsWhatTheShutdownDoesAndExitsAfterTheTimeout(@TempDir Path dir) throws Exception {
        Path jar = Path.of("target", "demo-app.jar");
        assertThat(jar).exists();
        Path log = dir.resolve("demo.log");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process demo = new ProcessBuilder(java, "-jar", jar.toString(), "--server.port=0", "--demo.echo.port=0",
                "--demo.motd.port=0", "--demo.echo.unix-path=" + dir.resolve("echo.sock"),
                "--demo.watch.dir=" + dir.resolve("watched"), "--loop.shutdown-timeout=2s",
                "--demo.worker.command=sh,-c,trap '' TERM; sleep 600 & echo child $!; while :; do sleep 1; done")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int grandchild = -1;
        try {
            Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> CHILD.matcher(read(log)).find());
            Matcher m = CHILD.matcher(read(log));
            assertThat(m.find()).isTrue();
            grandchild = Integer.parseInt(m.group(1));
            long start = System.nanoTime();
            demo.destroy(); // SIGTERM
            assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("the demo exits").isTrue();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            String out = read(log);
            assertThat(took).as("the shutdown waits for the timeout, and not much longer: " + out)
                    .isBetween(Duration.ofSeconds(2), Duration.ofSeconds(20));
            assertThat(out).contains("graceful shutdown, up to 2000 ms").contains("children get SIGTERM")
                    .contains("graceful shutdown timed out after 2000 ms")
                    .contains("children still running after SIGTERM").contains("kills the children with SIGKILL");
            int orphan = grandchild;
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !running(orphan));
        } finally {
            demo.destroyForcibly();
            if (grandchild > 0 && running(grandchild)) {
                new ProcessBuilder("kill", "-9", Integer.toString(grandchild)).start().waitFor();
            }
        }
    }

    private static String read(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** Whether {@code pid} exists and is not a zombie (a killed orphan waits for init, which may not reap). */
    private static boolean running(int pid) {
        try {
            List<String> stat = List.of(Files.readString(Path.of("/proc/" + pid + "/stat")).split("\\) ", 2));
            return !stat.get(1).startsWith("Z");
        } catch (IOException e) {
            return false;
        }
    }
}

package dev.loop.demo;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged demo as it runs in production ({@code java -jar}). Stopped with SIGTERM while its worker child
 * ignores SIGTERM and has a child of its own that ignores it too: the shutdown says at INFO what it waits for
 * and at WARN, at {@code loop.shutdown-timeout}, what it kills; the JVM exits soon after that timeout, and
 * neither the worker nor its child is left running (the worker's process group gets the SIGKILL). And run
 * with Spring AOT ({@code -Dspring.aot.enabled=true}, the bean definitions the build generated): both loops,
 * the echo server, the directory watch and the endpoint work. The jar's manifest enables native access, so that
 * Java 24 and later load JNA's library without a warning (checked in the output when the tests run on such a JVM).
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
                "--demo.motd.port=0", "--demo.udp.port=0", "--demo.echo.unix-path=" + dir.resolve("echo.sock"),
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

    private static final Pattern HTTP_PORT = Pattern.compile("Tomcat started on port (\\d+)");
    private static final Pattern ECHO_PORT = Pattern.compile("echo servers on \\[/127\\.0\\.0\\.1:(\\d+)");

    @Test
    void theAotProcessedApplicationRunsBothLoops(@TempDir Path dir) throws Exception {
        Path jar = Path.of("target", "demo-app.jar");
        Path log = dir.resolve("demo.log");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process demo = new ProcessBuilder(java, "-Dspring.aot.enabled=true", "-jar", jar.toString(), "--server.port=0",
                "--demo.echo.port=0", "--demo.motd.port=0", "--demo.udp.port=0", "--demo.echo.unix-path=" + dir.resolve("echo.sock"),
                "--demo.watch.dir=" + dir.resolve("watched"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> ECHO_PORT.matcher(read(log)).find()
                    && HTTP_PORT.matcher(read(log)).find() || !demo.isAlive());
            String out = read(log);
            assertThat(demo.isAlive()).as(out).isTrue();
            assertThat(out).contains("Starting AOT-processed DemoApplication")
                    .as("Java 24+ warns of JNA's System.load unless the manifest enables native access")
                    .doesNotContain("A restricted method");
            Matcher http = HTTP_PORT.matcher(out);
            Matcher echo = ECHO_PORT.matcher(out);
            assertThat(http.find() && echo.find()).isTrue();
            String base = "http://127.0.0.1:" + http.group(1);
            try (Socket s = new Socket("127.0.0.1", Integer.parseInt(echo.group(1)))) {
                s.setSoTimeout(5000);
                s.getOutputStream().write("aot".getBytes(US_ASCII));
                assertThat(new String(s.getInputStream().readNBytes(3), US_ASCII))
                        .isEqualTo("aot");
            }
            String loops = get(base + "/actuator/eventloop");
            assertThat(loops).contains("\"eventLoop\":{").contains("\"files\":{")
                    .contains("requested: loop.loops.files.backend=selector, loop.loops.files.poller=poll");
            Files.writeString(dir.resolve("watched").resolve("aot.txt"), "x");
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> get(base + "/api/files").contains("aot.txt"));
            demo.destroy();
            assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("the demo exits on SIGTERM").isTrue();
        } finally {
            demo.destroyForcibly();
        }
    }

    @Test
    void theJarEnablesNativeAccessForJna() throws IOException {
        try (JarFile jar = new JarFile(Path.of("target", "demo-app.jar").toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Enable-Native-Access")).isEqualTo("ALL-UNNAMED");
        }
    }

    private static String get(String url) throws IOException, InterruptedException {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
        return r.body();
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

package dev.loop.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.jayway.jsonpath.JsonPath;
import com.sun.jna.Library;
import com.sun.jna.Native;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.client.RestTestClient;

/**
 * The demo started for real on random ports: its echo servers echo, {@code /api/system} runs its
 * subprocess, a SIGHUP sent to this JVM is counted, the watched directory's changes are listed, the
 * heartbeat ticks, and the actuator reports all of it.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {"demo.echo.port=0", "demo.motd.port=0", "demo.udp.port=0",
        "demo.heartbeat=50ms"})
@AutoConfigureRestTestClient
@DirtiesContext // closed after the class: one loop per signal, and the proactor variant takes SIGHUP next
class DemoApplicationTests {

    static final Path DIR = tempDir();

    static Path tempDir() {
        try {
            return Files.createTempDirectory("loop-demo-test");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void paths(DynamicPropertyRegistry registry) {
        registry.add("demo.echo.unix-path", () -> DIR.resolve("echo.sock").toString());
        registry.add("demo.watch.dir", () -> DIR.resolve("watched").toString());
    }

    interface C extends Library {
        C LIBC = Native.load("c", C.class);

        int kill(int pid, int sig);
    }

    @Autowired
    RestTestClient client;

    @Autowired
    LoopServices services;

    private String get(String path) {
        return client.get().uri(path).exchange().expectStatus().isOk().expectBody(String.class).returnResult()
                .getResponseBody();
    }

    @Test
    void theTcpAndUnixEchoServersEcho() throws Exception {
        List<String> servers = JsonPath.read(get("/api/status"), "$.echoServers");
        String tcp = servers.stream().filter(s -> s.contains("127.0.0.1:")).findFirst().orElseThrow();
        int port = Integer.parseInt(tcp.substring(tcp.lastIndexOf(':') + 1));
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write("hello over tcp".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(in.readNBytes(14), StandardCharsets.US_ASCII)).isEqualTo("hello over tcp");
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(DIR.resolve("echo.sock")));
            ch.write(ByteBuffer.wrap("hello over unix".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer back = ByteBuffer.allocate(15);
            while (back.hasRemaining() && ch.read(back) >= 0) {
                // until the whole echo is back
            }
            assertThat(new String(back.array(), StandardCharsets.US_ASCII)).isEqualTo("hello over unix");
        }
    }

    @Test
    void theUdpEchoSendsEveryDatagramBack() throws Exception {
        String address = JsonPath.read(get("/api/status"), "$.udpEcho");
        int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        try (java.net.DatagramSocket s = new java.net.DatagramSocket()) {
            s.setSoTimeout(5000);
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port));
            for (String text : List.of("one datagram", "and another")) {
                byte[] out = text.getBytes(StandardCharsets.US_ASCII);
                s.send(new java.net.DatagramPacket(out, out.length));
                java.net.DatagramPacket in = new java.net.DatagramPacket(new byte[64], 64);
                s.receive(in);
                assertThat(new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII)).isEqualTo(text);
            }
        }
    }

    /** The motd server sends the file with sendfile: what arrives is the file, byte for byte, then EOF. */
    @Test
    void theMotdServerSendsTheFileWithSendfile() throws Exception {
        byte[] motd = ("message of the day\n" + "x".repeat(200_000)).getBytes(StandardCharsets.US_ASCII);
        Files.write(DIR.resolve("watched").resolve("motd"), motd);
        String address = JsonPath.read(get("/api/status"), "$.motdServer");
        int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        try (Socket s = new Socket("127.0.0.1", port)) {
            assertThat(s.getInputStream().readAllBytes()).isEqualTo(motd);
        }
    }

    @Test
    void apiSystemRunsUnameThroughTheLoop() {
        String json = get("/api/system");
        assertThat((Integer) JsonPath.read(json, "$.exitCode")).isZero();
        assertThat((String) JsonPath.read(json, "$.output")).startsWith("Linux");
        assertThat((List<String>) JsonPath.read(json, "$.command")).containsExactly("uname", "-a");
    }

    @Test
    void aSighupSentToTheJvmIsCountedAndReloadsTheMotd() throws Exception {
        Files.writeString(DIR.resolve("watched").resolve("motd"), "fresh message\n");
        long before = services.reloads();
        assertThat(C.LIBC.kill((int) ProcessHandle.current().pid(), 1)).isZero();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> services.reloads() == before + 1);
        String status = get("/api/status");
        assertThat(((Number) JsonPath.read(status, "$.reloads")).longValue()).isEqualTo(before + 1);
        assertThat((String) JsonPath.read(status, "$.motd")).isEqualTo("fresh message");
    }

    @Test
    void changesInTheWatchedDirectoryAreListed() throws Exception {
        Files.writeString(DIR.resolve("watched").resolve("note.txt"), "x");
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            List<String> names = JsonPath.read(get("/api/files"), "$.changes[*].name");
            assertThat(names).contains("note.txt");
        });
    }

    @Test
    void theHeartbeatTicksAndTheActuatorShowsTheLoopAtWork() {
        long beats = services.heartbeats();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> services.heartbeats() >= beats + 3);
        String loop = get("/actuator/eventloop/eventLoop");
        assertThat((Integer) JsonPath.read(loop, "$.handles.servers")).isEqualTo(3); // echo tcp and unix, motd
        assertThat((Integer) JsonPath.read(loop, "$.handles.signals")).isEqualTo(1);
        assertThat((Integer) JsonPath.read(loop, "$.handles.timers")).isGreaterThanOrEqualTo(1); // the heartbeat
        // The directory watch runs on the second loop, loop.loops.files: its inotify descriptor is a reader there.
        String files = get("/actuator/eventloop/files");
        assertThat((Integer) JsonPath.read(files, "$.handles.readers")).isEqualTo(1);
        assertThat((Integer) JsonPath.read(loop, "$.handles.readers")).isZero();
        assertThat((String) JsonPath.read(files, "$.poller")).isEqualTo("poll");
        assertThat((String) JsonPath.read(files, "$.requested.reason"))
                .isEqualTo("requested: loop.loops.files.backend=selector, loop.loops.files.poller=poll");
        assertThat((String) JsonPath.read(files, "$.thread")).startsWith("eventloop").contains("-files");
        assertThat((String) JsonPath.read(get("/actuator/health"), "$.components.eventloop.status")).isEqualTo("UP");
        assertThat(get("/actuator/prometheus")).contains("eventloop_handles{").contains("eventloop_delay_seconds");
    }
}

package dev.loop.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.jayway.jsonpath.JsonPath;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import dev.loop.EventLoop;
import dev.loop.TimerHandle;
import dev.loop.process.ProcessOptions;
import dev.loop.process.SubprocessProtocol;
import dev.loop.transport.Protocol;
import dev.loop.transport.Server;

/**
 * A real application context with a web server and Actuator, read over real HTTP: the endpoint's JSON,
 * its handle counts moving as the test opens servers, connections, timers and a child, the meters in
 * {@code /actuator/metrics} and {@code /actuator/prometheus}, and health UP then DOWN.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "management.endpoints.web.exposure.include=health,metrics,prometheus,eventloop",
        "management.endpoint.health.show-details=always", "loop.name=http"}) // other cached contexts hold "eventloop"
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EventLoopHttpTests extends ActuatorHttpTest {

    @SpringBootApplication
    static class App {
    }

    @Autowired
    EventLoop loop;

    @Test
    @Order(1)
    void theEndpointDescribesTheLoopAndWhatRunsHere() {
        String json = get("/actuator/eventloop");
        assertThat((String) JsonPath.read(json, "$.loops.eventLoop.backend")).isEqualTo("selector");
        assertThat((String) JsonPath.read(json, "$.loops.eventLoop.poller")).isEqualTo("epoll");
        assertThat((String) JsonPath.read(json, "$.loops.eventLoop.state")).isEqualTo("running");
        assertThat((String) JsonPath.read(json, "$.loops.eventLoop.thread")).isEqualTo("http");
        assertThat((String) JsonPath.read(json, "$.loops.eventLoop.requested.backend")).isEqualTo("auto");
        assertThat((String) JsonPath.read(json, "$.loops.eventLoop.requested.reason")).startsWith("auto: ");
        assertThat((String) JsonPath.read(json, "$.loops.eventLoop.platform.os")).isEqualTo("Linux");
        assertThat((String) JsonPath.read(json, "$.loops.eventLoop.platform.kernel")).isNotBlank();
        assertThat((Boolean) JsonPath.read(json, "$.loops.eventLoop.capabilities.unixSockets.supported")).isTrue();
        assertThat((Boolean) JsonPath.read(json, "$.loops.eventLoop.capabilities.fileIoMonitoring.supported")).isFalse();
        assertThat((String) JsonPath.read(json, "$.loops.eventLoop.capabilities.fileIoMonitoring.reason")).isNotBlank();
        assertThat((String) JsonPath.read(json, "$.loops.eventLoop.capabilities.fileIoMonitoring.alternative"))
                .isNotBlank();
        assertThat(((Number) JsonPath.read(json, "$.loops.eventLoop.limits.clockResolutionNanos")).longValue())
                .isPositive();
        assertThat(((Number) JsonPath.read(json, "$.loops.eventLoop.limits.pollGranularityNanos")).longValue())
                .isPositive();
        for (String field : List.of("readers", "writers", "timers", "cancelledTimers", "ready", "signals",
                "subprocesses", "transports", "servers")) {
            assertThat((Object) JsonPath.read(json, "$.loops.eventLoop.handles." + field)).as(field).isNotNull();
        }
        for (String field : List.of("clock", "pollGranularityNanos", "timerSlack", "lateness.p50Nanos",
                "lateness.p999Nanos", "lateness.summary", "latenessLastMinute.maxNanos", "subMillisecondTimers")) {
            assertThat((Object) JsonPath.read(json, "$.loops.eventLoop.timers." + field)).as(field).isNotNull();
        }
        assertThat(((Number) JsonPath.read(json, "$.loops.eventLoop.timers.timerSlackNanos")).longValue())
                .as("the loop's default, read back from its thread").isEqualTo(1_000);
        assertThat(((Number) JsonPath.read(json, "$.loops.eventLoop.limits.timerSlackNanos")).longValue())
                .isEqualTo(1_000);
        assertThat((String) JsonPath.read(json, "$.loops.eventLoop.stats.delay.summary"))
                .matches("(no sample yet|p50 .+, p90 .+, p99 .+, max .+); now \\d+(\\.\\d)? (ns|us|ms|s)");
        for (String field : List.of("iterations", "callbacks", "slowCallbacks", "utilization", "delay.p50Nanos",
                "delay.p99Nanos", "delay.recentNanos")) {
            assertThat((Object) JsonPath.read(json, "$.loops.eventLoop.stats." + field)).as(field).isNotNull();
        }
        // For people: the poller says why it is absent, numbers are numbers, rows with nothing missing are one line.
        Map<String, Object> described = JsonPath.read(json, "$.loops.eventLoop");
        assertThat(described).doesNotContainKey("pollerNote"); // a poller is there: nothing to explain
        double utilization = ((Number) JsonPath.read(json, "$.loops.eventLoop.stats.utilization")).doubleValue();
        assertThat(Math.round(utilization * 1e4) / 1e4).isEqualTo(utilization);
        assertThat((String) JsonPath.read(json, "$.loops.eventLoop.portability.summary"))
                .startsWith("What this application uses is supported by ");
        List<List<Object>> lackingRows = JsonPath.read(json, "$.loops.eventLoop.portability.lacking[*].missing");
        assertThat(lackingRows).allSatisfy(missing -> assertThat(missing).isNotEmpty());
        List<Object> features = JsonPath.read(json, "$.available[?(@.backend == 'proactor')].details.features[*]");
        List<Object> opcodes = JsonPath.read(json, "$.available[?(@.backend == 'proactor')].details.opcodes");
        List<Object> epollGranularity = JsonPath.read(json,
                "$.available[?(@.poller == 'epoll')].details.pollGranularityNanos");
        assertThat(epollGranularity).singleElement().isInstanceOf(Number.class);
        if (!opcodes.isEmpty()) { // io_uring usable here
            assertThat(features).contains("SINGLE_MMAP", "NODROP", "EXT_ARG");
            assertThat(opcodes).singleElement().isInstanceOf(Number.class);
        }
        List<Map<String, Object>> available = JsonPath.read(json, "$.available");
        assertThat(available).anySatisfy(a -> assertThat(a).containsEntry("backend", "selector")
                .containsEntry("poller", "epoll").containsEntry("usable", true));
        assertThat(available).anySatisfy(a -> {
            assertThat(a).containsEntry("backend", "kqueue").containsEntry("usable", false);
            assertThat((String) a.get("cause")).isNotBlank();
        });
        // One loop by name; an unknown name is a 404.
        assertThat((String) JsonPath.read(get("/actuator/eventloop/eventLoop"), "$.name")).isEqualTo("eventLoop"); // the bean name
        client.get().uri("/actuator/eventloop/nope").exchange().expectStatus().isNotFound();
    }

    @Test
    @Order(2)
    void handleCountsMoveWithServersConnectionsTimersAndChildren(@TempDir Path dir) throws Exception {
        String before = get("/actuator/eventloop/eventLoop");
        int timersBefore = JsonPath.read(before, "$.handles.timers");
        Server server = loop.createServer(() -> new Protocol() { }, "127.0.0.1", 0).get(5, TimeUnit.SECONDS);
        Server unix = loop.createUnixServer(() -> new Protocol() { }, dir.resolve("s.sock")).get(5, TimeUnit.SECONDS);
        int port = ((InetSocketAddress) server.addresses().get(0)).getPort();
        var connection = loop.createConnection(() -> new Protocol() { }, "127.0.0.1", port).get(5, TimeUnit.SECONDS);
        var child = loop.subprocessExec(() -> new SubprocessProtocol() { }, List.of("sleep", "30"),
                ProcessOptions.DEFAULTS).get(5, TimeUnit.SECONDS);
        CompletableFuture<List<TimerHandle>> timers = new CompletableFuture<>();
        loop.execute(() -> timers.complete(List.of(loop.callLater(Duration.ofMinutes(5), () -> { }),
                loop.callLater(Duration.ofMinutes(5), () -> { }), loop.callLater(Duration.ofMinutes(5), () -> { }))));
        List<TimerHandle> handles = timers.get(5, TimeUnit.SECONDS);
        try {
            String json = get("/actuator/eventloop/eventLoop");
            assertThat((Integer) JsonPath.read(json, "$.handles.servers")).isEqualTo(2);
            assertThat((Integer) JsonPath.read(json, "$.handles.transports")).isGreaterThanOrEqualTo(2 + 3);
            assertThat((Integer) JsonPath.read(json, "$.handles.subprocesses")).isEqualTo(1);
            // No reader of the application's own: the servers' and transports' registrations count apart.
            assertThat((Integer) JsonPath.read(json, "$.handles.readers")).isZero();
            assertThat((Integer) JsonPath.read(json, "$.handles.loopReaders")).isGreaterThanOrEqualTo(2 + 2);
            assertThat((Integer) JsonPath.read(json, "$.handles.timers")).isEqualTo(timersBefore + 3);
            // Portability: the unix server used here would be missing on Windows.
            List<String> messages = JsonPath.read(json,
                    "$.portability.lacking[?(@.platform == 'Windows' && @.backend == 'proactor')].missing[*].message");
            assertThat(messages).contains("unix sockets, used by 1 server: not supported by Windows' proactor");
            List<String> onWindowsSelector = JsonPath.read(json,
                    "$.portability.lacking[?(@.platform == 'Windows' && @.backend == 'selector (select)')].missing[*].message");
            assertThat(onWindowsSelector).contains("subprocesses, used by 1 subprocess: not supported by Windows' "
                    + "selector (select)");
            String prometheus = get("/actuator/prometheus");
            assertThat(prometheus).contains("eventloop_handles{backend=\"selector\",loop=\"http\",poller=\"epoll\","
                    + "type=\"servers\"} 2.0");
            assertThat(prometheus).contains("eventloop_delay_seconds").contains("eventloop_timer_lateness_seconds")
                    .contains("eventloop_iterations_total").contains("eventloop_utilization");
            String metric = get("/actuator/metrics/eventloop.handles?tag=type:subprocesses");
            assertThat(((Number) JsonPath.read(metric, "$.measurements[0].value")).doubleValue()).isEqualTo(1.0);
        } finally {
            loop.execute(() -> handles.forEach(TimerHandle::cancel));
            loop.execute(() -> child.transport().kill());
            child.transport().exitStatus().get(5, TimeUnit.SECONDS);
            loop.execute(() -> connection.transport().close());
            server.close();
            unix.close();
        }
    }

    @Test
    @Order(3)
    void healthIsUpWhileTheLoopRunsAndDownOnceItStopped() {
        String up = get("/actuator/health");
        assertThat((String) JsonPath.read(up, "$.components.eventloop.status")).isEqualTo("UP");
        assertThat((String) JsonPath.read(up, "$.components.eventloop.details.eventLoop.state")).isEqualTo("running");
        loop.stop();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !loop.isRunning());
        String down = client.get().uri("/actuator/health").exchange().expectStatus().isEqualTo(503)
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat((String) JsonPath.read(down, "$.components.eventloop.status")).isEqualTo("DOWN");
        assertThat((String) JsonPath.read(down, "$.components.eventloop.details.eventLoop.reason")).contains("not running");
    }
}

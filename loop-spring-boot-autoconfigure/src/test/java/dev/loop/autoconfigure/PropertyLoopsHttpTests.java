package dev.loop.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import dev.loop.EventLoop;

/**
 * Several loops from properties in a real application, read over real HTTP: each in the endpoint with its
 * thread and how its backend was chosen, each in health, each with its own meters in the Prometheus scrape;
 * injection by type gets the {@code eventLoop} bean, by qualifier the others.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "management.endpoints.web.exposure.include=health,prometheus,eventloop",
        "management.endpoint.health.show-details=always", "spring.application.name=several",
        "loop.loops.io.poller=poll", "loop.loops.ticks.poller=select", "loop.loops.ticks.debug=true"})
class PropertyLoopsHttpTests extends ActuatorHttpTest {

    @SpringBootApplication
    static class App {
    }

    @Autowired
    EventLoop primary;

    @Autowired
    @Qualifier("ticks")
    EventLoop ticks;

    @Test
    void everyLoopIsInTheEndpointHealthAndMeters() {
        assertThat(primary.name()).isEqualTo("several-eventloop");
        assertThat(ticks.name()).isEqualTo("several-eventloop-ticks");
        assertThat(ticks.isDebug()).isTrue();

        String json = get("/actuator/eventloop");
        Map<String, Object> loops = JsonPath.read(json, "$.loops");
        assertThat(loops).containsOnlyKeys("eventLoop", "io", "ticks");
        assertThat((String) JsonPath.read(json, "$.loops.io.thread")).isEqualTo("several-eventloop-io");
        assertThat((String) JsonPath.read(json, "$.loops.io.poller")).isEqualTo("poll");
        assertThat((String) JsonPath.read(json, "$.loops.ticks.poller")).isEqualTo("select");
        assertThat((String) JsonPath.read(json, "$.loops.ticks.requested.reason"))
                .isEqualTo("requested: loop.loops.ticks.backend=auto, loop.loops.ticks.poller=select");
        assertThat((String) JsonPath.read(json, "$.loops.eventLoop.requested.reason")).startsWith("auto: ");
        assertThat((String) JsonPath.read(get("/actuator/eventloop/io"), "$.state")).isEqualTo("running");

        String health = get("/actuator/health/eventloop");
        assertThat((String) JsonPath.read(health, "$.status")).isEqualTo("UP");
        assertThat((List<String>) JsonPath.read(health, "$.details.*.state")).containsExactly("running", "running",
                "running");

        String prometheus = get("/actuator/prometheus");
        for (String name : List.of("several-eventloop", "several-eventloop-io", "several-eventloop-ticks")) {
            assertThat(prometheus).contains("eventloop_iterations_total{backend=\"selector\",loop=\"" + name + "\"");
        }
    }
}

package dev.loop.autoconfigure;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.test.web.servlet.client.RestTestClient;

/**
 * What the tests that read the actuator over real HTTP share: a client to the running server (a subclass is a
 * {@code @SpringBootTest} with a random port), meters exported as in production, and a GET that must answer 200.
 */
@AutoConfigureRestTestClient
@AutoConfigureMetrics
abstract class ActuatorHttpTest {

    @Autowired
    RestTestClient client;

    /** The body of a GET of {@code path}, which must answer 200 OK. */
    String get(String path) {
        return client.get().uri(path).exchange().expectStatus().isOk().expectBody(String.class).returnResult()
                .getResponseBody();
    }
}

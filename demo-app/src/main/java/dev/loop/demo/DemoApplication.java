package dev.loop.demo;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * A Spring Boot application doing real work on the event loop: TCP and unix-socket echo servers, a
 * SIGHUP reload, a heartbeat timer, a subprocess behind {@code GET /api/system}, and a directory
 * watched through inotify behind {@code GET /api/files}. Everything shows in {@code /actuator/eventloop}.
 */
@SpringBootApplication
@EnableConfigurationProperties(DemoProperties.class)
public class DemoApplication {

    public static void main(String[] args) {
        SpringApplication.run(DemoApplication.class, args);
    }
}

package dev.loop.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;

import dev.loop.EventLoop;
import dev.loop.transport.Server;

/**
 * Spring's test context cache with its default pause mode: the first class's context is paused when the second
 * class loads another one, and restarted when the third class reuses it. The reused context's loop runs
 * again, and the server the first class created on it accepts and echoes.
 */
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class ContextCachePauseTests {

    @SpringBootApplication
    static class App {
    }

    /** What every class here is given: its context's loop. */
    abstract static class WithLoop {
        @Autowired
        EventLoop loop;
    }

    /** Created by the first class, used by the third: it lives as long as the cached context. */
    static Server echoServer;
    static EventLoop firstLoop;

    @Nested
    @Order(1)
    @SpringBootTest(classes = App.class, properties = "loop.thread-name=cached")
    class First extends WithLoop {

        @Test
        void startsAServer() throws Exception {
            echoServer = loop.createServer(LoopAutoConfigurationTests.Echo::new, "127.0.0.1", 0).get(5, TimeUnit.SECONDS);
            firstLoop = loop;
            assertThat(LoopAutoConfigurationTests.echo(port(), "first")).isEqualTo("first");
        }
    }

    @Nested
    @Order(2)
    @SpringBootTest(classes = App.class, properties = "loop.thread-name=other")
    class Second extends WithLoop {

        @Test
        void runsItsOwnLoopWhileTheFirstContextIsPaused() throws Exception {
            assertThat(loop).isNotSameAs(firstLoop);
            assertThat(loop.isRunning()).isTrue();
            assertThat(firstLoop.isRunning()).as("the cached context was paused").isFalse();
            assertThat(firstLoop.isClosed()).isFalse();
            assertThat(echoServer.isServing()).isFalse();
        }
    }

    @Nested
    @Order(3)
    @SpringBootTest(classes = App.class, properties = "loop.thread-name=cached")
    class FirstAgain extends WithLoop {

        @Test
        void reusesTheCachedContextWhoseLoopRunsAgain() throws Exception {
            assertThat(LoopAutoConfigurationTests.echo(port(), "again")).isEqualTo("again");
            assertThat(loop.submit(() -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS)).isEqualTo("cached");
            assertThat(loop).as("the same, cached context").isSameAs(firstLoop);
        }
    }

    static int port() {
        return ((InetSocketAddress) echoServer.addresses().get(0)).getPort();
    }
}

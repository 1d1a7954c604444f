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
import org.springframework.boot.test.context.SpringBootTest;

import dev.loop.EventLoop;
import dev.loop.transport.Server;

/**
 * {@link ContextCachePauseTests} with {@code spring.test.context.cache.pause=never} (a JVM-wide switch, so this
 * class runs in a surefire execution of its own, see the pom): the first class's context stays running while
 * the second class uses another one, and its server keeps answering.
 */
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class ContextCacheNeverPausedCheck {

    static Server echoServer;
    static EventLoop firstLoop;

    abstract static class WithLoop {
        @Autowired
        EventLoop loop;
    }

    @Nested
    @Order(1)
    @SpringBootTest(classes = ContextCachePauseTests.App.class, properties = "loop.name=kept")
    class First extends WithLoop {

        @Test
        void startsAServer() throws Exception {
            assertThat(System.getProperty("spring.test.context.cache.pause")).isEqualTo("never");
            echoServer = loop.createServer(LoopAutoConfigurationTests.Echo::new, "127.0.0.1", 0).get(5, TimeUnit.SECONDS);
            firstLoop = loop;
        }
    }

    @Nested
    @Order(2)
    @SpringBootTest(classes = ContextCachePauseTests.App.class, properties = "loop.name=meanwhile")
    class Second extends WithLoop {

        @Test
        void theFirstContextKeepsRunningItsLoop() throws Exception {
            assertThat(loop).isNotSameAs(firstLoop);
            assertThat(firstLoop.isRunning()).as("never paused").isTrue();
            int port = ((InetSocketAddress) echoServer.addresses().get(0)).getPort();
            assertThat(LoopAutoConfigurationTests.echo(port, "still")).isEqualTo("still");
        }
    }
}

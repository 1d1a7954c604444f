package dev.loop.autoconfigure;

import static dev.loop.autoconfigure.LoopAutoConfigurationTests.echo;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.loop.Backend;
import dev.loop.EventLoop;
import dev.loop.platform.BackendProbe;
import dev.loop.transport.Server;

/**
 * {@code loop.loops.<key>.*}: further loops besides the {@code eventLoop} one, each a bean named by its key,
 * with {@code loop.*}'s settings where it sets none, its own thread, meters, health entry and endpoint entry,
 * run with the context like the others. Real loops, real sockets.
 */
class PropertyLoopsTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(LoopAutoConfiguration.class, LoopEndpointAutoConfiguration.class,
                    LoopHealthContributorAutoConfiguration.class, LoopMetricsAutoConfiguration.class,
                    MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
                    CompositeMeterRegistryAutoConfiguration.class))
            .withPropertyValues("management.endpoints.web.exposure.include=eventloop", "loop.name=multi");

    @Test
    void eachKeyIsALoopBeanBesidesTheDefaultOneWithItsOwnThreadAndTheDefaultsOfLoop() {
        EventLoop[] seen = new EventLoop[3];
        runner.withPropertyValues("loop.debug=true", "loop.slow-callback-threshold=30ms", "loop.loops.io.poller=poll",
                "loop.loops.io.slow-callback-threshold=5ms", "loop.loops.timers.debug=false",
                "loop.loops.timers.name=ticks", "loop.loops.timers.thread-name=tick-thread").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            Map<String, EventLoop> loops = ctx.getBeansOfType(EventLoop.class);
            assertThat(loops).containsOnlyKeys("eventLoop", "io", "timers");
            assertThat(ctx.getBean(EventLoop.class)).as("eventLoop is primary").isSameAs(loops.get("eventLoop"));
            EventLoop main = loops.get("eventLoop");
            EventLoop io = loops.get("io");
            EventLoop timers = loops.get("timers");
            seen[0] = main;
            seen[1] = io;
            seen[2] = timers;
            assertThat(io.poller().id()).isEqualTo("poll");
            assertThat(io.name()).isEqualTo("multi-io");
            assertThat(io.thread().getName()).isEqualTo("multi-io");
            assertThat(io.slowCallbackThreshold()).isEqualTo(Duration.ofMillis(5));
            assertThat(io.isDebug()).as("from loop.debug").isTrue();
            assertThat(timers.name()).isEqualTo("ticks");
            assertThat(timers.thread().getName()).isEqualTo("tick-thread");
            assertThat(timers.slowCallbackThreshold()).as("from loop.*").isEqualTo(Duration.ofMillis(30));
            assertThat(timers.isDebug()).isFalse();
            assertThat(main.thread().getName()).isEqualTo("multi");
            for (EventLoop loop : loops.values()) {
                assertThat(loop.isRunning()).as(loop.name()).isTrue();
                Server server = loop.createServer(LoopAutoConfigurationTests.Echo::new, "127.0.0.1", 0)
                        .get(5, TimeUnit.SECONDS);
                int port = ((InetSocketAddress) server.addresses().get(0)).getPort();
                assertThat(echo(port, loop.name())).isEqualTo(loop.name());
                CompletableFuture<String> thread = new CompletableFuture<>();
                loop.execute(() -> thread.complete(Thread.currentThread().getName()));
                assertThat(thread.get(5, TimeUnit.SECONDS)).isEqualTo(loop.thread().getName());
            }
            assertThat(ctx.getBean(EventLoopLifecycle.class).loops()).containsExactlyInAnyOrder(main, io, timers);

            ctx.stop();
            assertThat(loops.values()).noneMatch(EventLoop::isRunning);
            ctx.start();
            assertThat(loops.values()).allMatch(EventLoop::isRunning);
        });
        assertThat(seen).as("closed with the context").allMatch(EventLoop::isClosed);
    }

    @Test
    void everyLoopHasItsMetersHealthAndEndpointEntry() {
        runner.withPropertyValues("loop.loops.io.poller=poll").run(ctx -> {
            MeterRegistry registry = ctx.getBean(MeterRegistry.class);
            assertThat(registry.find("eventloop.iterations").tag("loop", "multi").functionCounter()).isNotNull();
            assertThat(registry.find("eventloop.iterations").tag("loop", "multi-io").tag("poller", "poll")
                    .functionCounter()).isNotNull();
            Health health = ctx.getBean(EventLoopHealthIndicator.class).health(true);
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsOnlyKeys("eventLoop", "io");
            EventLoopEndpoint.LoopDescriptor io = ctx.getBean(EventLoopEndpoint.class).loop("io");
            assertThat(io.name()).isEqualTo("io");
            assertThat(io.thread()).isEqualTo("multi-io");
            assertThat(io.requested().poller()).isEqualTo("poll");
            assertThat(io.requested().reason()).isEqualTo(
                    "requested: loop.loops.io.backend=auto, loop.loops.io.poller=poll");
            assertThat(ctx.getBean(EventLoopEndpoint.class).loops().loops()).containsOnlyKeys("eventLoop", "io");

            ctx.getBean("io", EventLoop.class).close();
            Health down = ctx.getBean(EventLoopHealthIndicator.class).health(true);
            assertThat(down.getStatus()).isEqualTo(Status.DOWN);
            assertThat(((Map<?, ?>) down.getDetails().get("io")).get("reason")).isEqualTo("the loop is closed");
        });
    }

    @Test
    void aLoopsBackendComesFromItsOwnKeyAndFailsNamingIt() {
        runner.withPropertyValues("loop.loops.bsd.backend=kqueue").run(ctx -> {
            assertThat(ctx).hasFailed();
            FailureAnalysis analysis = new BackendUnavailableFailureAnalyzer().analyze(ctx.getStartupFailure());
            assertThat(analysis.getDescription()).contains("loop.loops.bsd.backend=kqueue");
            assertThat(analysis.getAction()).contains("Set loop.loops.bsd.backend")
                    .contains("loop.loops.bsd.on-unavailable=fallback");
        });
        runner.withPropertyValues("loop.loops.bsd.backend=kqueue", "loop.loops.bsd.on-unavailable=fallback").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            EventLoopEndpoint.LoopDescriptor bsd = ctx.getBean(EventLoopEndpoint.class).loop("bsd");
            assertThat(bsd.requested().fallback()).isTrue();
            assertThat(bsd.requested().reason()).contains("(loop.loops.bsd.on-unavailable=fallback)");
            assertThat(ctx.getBean(EventLoopEndpoint.class).loop("eventLoop").requested().fallback()).isFalse();
        });
    }

    @Test
    void aProactorLoopBesideTheSelectorOne() {
        Assumptions.assumeTrue(BackendProbe.probe(Backend.PROACTOR, null).available(), "io_uring not usable here");
        runner.withPropertyValues("loop.loops.ring.backend=proactor").run(ctx -> {
            EventLoop ring = ctx.getBean("ring", EventLoop.class);
            assertThat(ring.backend()).isEqualTo(Backend.PROACTOR);
            assertThat(ctx.getBean(EventLoop.class).backend()).isEqualTo(Backend.SELECTOR);
            Server server = ring.createServer(LoopAutoConfigurationTests.Echo::new, "127.0.0.1", 0)
                    .get(5, TimeUnit.SECONDS);
            assertThat(echo(((InetSocketAddress) server.addresses().get(0)).getPort(), "ring")).isEqualTo("ring");
        });
    }

    /** The application's own loop makes the eventLoop bean back off; the loops of loop.loops are still there. */
    @Test
    void withTheApplicationsOwnLoopThePropertyLoopsStay() {
        runner.withUserConfiguration(LoopAutoConfigurationTests.UserLoop.class)
                .withPropertyValues("loop.loops.io.poller=poll").run(ctx -> {
                    assertThat(ctx.getBeansOfType(EventLoop.class)).containsOnlyKeys("myLoop", "io");
                    assertThat(ctx.getBean("io", EventLoop.class).isRunning()).isTrue();
                    assertThat(ctx.getBean("myLoop", EventLoop.class).isRunning()).isTrue();
                });
    }

    /** manage-application-loops=false leaves the application's loops alone, never those of loop.loops. */
    @Test
    void propertyLoopsAreAlwaysRunWithTheContext() {
        runner.withUserConfiguration(LoopAutoConfigurationTests.UserLoop.class)
                .withPropertyValues("loop.loops.io.poller=poll", "loop.manage-application-loops=false").run(ctx -> {
                    assertThat(ctx.getBean("io", EventLoop.class).isRunning()).isTrue();
                    assertThat(ctx.getBean("myLoop", EventLoop.class).isRunning()).isFalse();
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class BeanNamedIo {
        @Bean
        String io() {
            return "taken";
        }
    }

    @Test
    void aKeyThatIsTakenFailsStartupSayingSo() {
        runner.withPropertyValues("loop.loops.eventLoop.poller=poll").run(ctx -> assertThat(ctx).hasFailed()
                .getFailure().hasStackTraceContaining("loop.loops.eventLoop: 'eventLoop' is the bean name of the loop "
                        + "that loop.* configures"));
        runner.withUserConfiguration(BeanNamedIo.class).withPropertyValues("loop.loops.io.poller=poll")
                .run(ctx -> assertThat(ctx).hasFailed().getFailure()
                        .hasStackTraceContaining("loop.loops.io: the context has a bean named 'io' already"));
    }

    /** Two loops with the same name (one configured, one derived) still get distinct threads and meters. */
    @Test
    void namesStayUniqueAcrossTheLoopsOfOneContext() {
        runner.withPropertyValues("loop.loops.a.name=multi").run(ctx -> {
            assertThat(ctx.getBean("eventLoop", EventLoop.class).name()).isEqualTo("multi");
            assertThat(ctx.getBean("a", EventLoop.class).name()).isEqualTo("multi-2");
        });
    }
}

package dev.loop.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.loop.Backend;
import dev.loop.BackendUnavailableException;
import dev.loop.EventLoop;
import dev.loop.EventLoops;
import dev.loop.LoopOptions;
import dev.loop.PollerKind;
import dev.loop.platform.BackendAvailability;
import dev.loop.platform.BackendProbe;
import dev.loop.transport.Protocol;
import dev.loop.transport.Server;
import dev.loop.transport.Transport;

/**
 * Every property combination on this machine, with a real loop each time: usable choices start,
 * unusable ones fail with the analyzer's explanation, {@code fallback} starts and says why, and the
 * endpoint, health and meters appear only with their libraries and Boot's exposure rules.
 */
class LoopAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(LoopAutoConfiguration.class, LoopEndpointAutoConfiguration.class,
                    LoopHealthContributorAutoConfiguration.class, LoopMetricsAutoConfiguration.class));

    @Test
    void autoStartsTheBestBackendHereAndStopsItWithTheContext() {
        BackendAvailability best = BackendProbe.best().orElseThrow();
        EventLoop[] seen = new EventLoop[1];
        runner.run(ctx -> {
            assertThat(ctx).hasNotFailed().hasSingleBean(EventLoop.class).hasSingleBean(EventLoopLifecycle.class);
            EventLoop loop = ctx.getBean(EventLoop.class);
            seen[0] = loop;
            assertThat(loop.isRunning()).isTrue();
            assertThat(loop.thread().getName()).isEqualTo("eventloop");
            assertThat(loop.backend()).isEqualTo(best.backend());
            assertThat(loop.poller()).isEqualTo(best.poller());
            BackendSelection s = ctx.getBean(BackendSelection.class);
            assertThat(s.reason()).startsWith("auto: ").contains(best.describe());
            assertThat(s.fallback()).isFalse();
        });
        assertThat(seen[0].isClosed()).as("closed with the context").isTrue();
    }

    /**
     * context.stop() pauses the loop (its server stops accepting, nothing closes) and context.start() runs the
     * same loop again: its server accepts and echoes, and work posted to it runs. Spring's test context cache
     * does the same when it pauses a cached context and a later test reuses it.
     */
    @Test
    void aStoppedContextRunsTheSameLoopAgainWhenStarted() {
        runner.run(ctx -> {
            EventLoop loop = ctx.getBean(EventLoop.class);
            Server server = loop.createServer(Echo::new, "127.0.0.1", 0).get(5, TimeUnit.SECONDS);
            int port = ((InetSocketAddress) server.addresses().get(0)).getPort();
            assertThat(echo(port, "before")).isEqualTo("before");
            ctx.stop();
            assertThat(loop.isRunning()).isFalse();
            assertThat(loop.isClosed()).as("stop is not close").isFalse();
            assertThat(server.isServing()).isFalse();
            ctx.start();
            assertThat(loop.isRunning()).isTrue();
            assertThat(echo(port, "after")).isEqualTo("after");
            assertThat(server.isServing()).isTrue();
            assertThat(loop.submit(() -> Thread.currentThread() == loop.thread()).get(5, TimeUnit.SECONDS)).isTrue();
        });
    }

    /**
     * What stays open across a stopped context keeps working after it, on each backend: a connection made before
     * the stop echoes after the start, and a low-level receive started before it completes. (The loop's thread
     * ends with the pause; on the proactor, io_uring then cancels what that thread submitted, and the loop must
     * submit it again.)
     */
    @ParameterizedTest
    @ValueSource(strings = {"selector", "proactor"})
    void aConnectionAndAReceiveOpenAcrossAStoppedContextWorkAfterIt(String backend) {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                BackendProbe.probe(Backend.valueOf(backend.toUpperCase()), null).available(), backend + " here");
        runner.withPropertyValues("loop.backend=" + backend).run(ctx -> {
            EventLoop loop = ctx.getBean(EventLoop.class);
            Server server = loop.createServer(Echo::new, "127.0.0.1", 0).get(5, TimeUnit.SECONDS);
            int port = ((InetSocketAddress) server.addresses().get(0)).getPort();
            int[] pair = dev.loop.internal.nativeio.Descriptors.socketPair(true);
            try (Socket s = new Socket("127.0.0.1", port);
                    dev.loop.internal.nativeio.NativeMemory z = new dev.loop.internal.nativeio.NativeMemory(1)) {
                s.setSoTimeout(5000);
                s.getOutputStream().write('a');
                assertThat(s.getInputStream().read()).isEqualTo('a');
                java.util.concurrent.CompletableFuture<ByteBuffer> recv = loop.sockRecv(pair[0], 1);
                for (int round = 0; round < 2; round++) {
                    ctx.stop();
                    assertThat(loop.isRunning()).isFalse();
                    ctx.start();
                    s.getOutputStream().write('b' + round);
                    assertThat(s.getInputStream().read()).as("echo after stop %d", round).isEqualTo('b' + round);
                }
                z.buffer().put(0, (byte) 'z');
                assertThat(dev.loop.internal.nativeio.LibC.write(pair[1], z.address(), 1)).isEqualTo(1);
                assertThat(recv.get(5, TimeUnit.SECONDS).get(0)).isEqualTo((byte) 'z');
            } finally {
                dev.loop.internal.nativeio.LibC.close(pair[0]);
                dev.loop.internal.nativeio.LibC.close(pair[1]);
            }
        });
    }

    /** One blocking round trip to the echo server on {@code port}. */
    static String echo(int port, String text) throws java.io.IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            byte[] out = text.getBytes(StandardCharsets.US_ASCII);
            s.getOutputStream().write(out);
            return new String(s.getInputStream().readNBytes(out.length), StandardCharsets.US_ASCII);
        }
    }

    /** Writes back what it receives. */
    static final class Echo implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            this.transport = t;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            transport.write(b);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "poll", "select"})
    void everySelectorPollerUsableHereStartsWithIt(String poller) {
        BackendAvailability probe = BackendProbe.probe(Backend.SELECTOR, PollerKind.valueOf(poller.toUpperCase()));
        runner.withPropertyValues("loop.backend=selector", "loop.poller=" + poller).run(ctx -> {
            if (probe.available()) {
                assertThat(ctx).hasNotFailed();
                assertThat(ctx.getBean(EventLoop.class).poller().id()).isEqualTo(poller);
            } else {
                assertThat(ctx).hasFailed();
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"loop.backend=kqueue", "loop.poller=kqueue"})
    void aBackendThatCannotRunHereFailsStartupWithTheAnalyzersExplanation(String property) {
        String requested = property.substring(property.indexOf('=') + 1);
        assertThat(BackendProbe.probeAll().stream().filter(a -> (a.backend().id().equals(requested)
                || (a.poller() != null && a.poller().id().equals(requested))) && a.available())).isEmpty();
        runner.withPropertyValues(property).run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure()).rootCause().isInstanceOf(BackendUnavailableException.class);
            FailureAnalysis analysis = new BackendUnavailableFailureAnalyzer().analyze(ctx.getStartupFailure());
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription()).contains("loop.backend=").contains(requested)
                    .contains("cannot run on this machine").contains("Available here: selector (epoll)");
            assertThat(analysis.getAction()).contains("loop.backend").contains("loop.on-unavailable=fallback");
        });
    }

    @Test
    void theProactorStartsWhereIoUringIsUsableAndFailsWithTheCauseElsewhere() {
        BackendAvailability proactor = BackendProbe.probe(Backend.PROACTOR, null);
        runner.withPropertyValues("loop.backend=proactor").run(ctx -> {
            if (proactor.available()) {
                assertThat(ctx).hasNotFailed();
                assertThat(ctx.getBean(EventLoop.class).backend()).isEqualTo(Backend.PROACTOR);
                assertThat(ctx.getBean(EventLoop.class).isRunning()).isTrue();
            } else {
                assertThat(ctx).hasFailed();
                assertThat(new BackendUnavailableFailureAnalyzer().analyze(ctx.getStartupFailure()).getDescription())
                        .contains(proactor.reason());
            }
        });
    }

    @Test
    void fallbackStartsOnTheBestBackendAndKeepsTheReason() {
        runner.withPropertyValues("loop.backend=kqueue", "loop.on-unavailable=fallback",
                "management.endpoints.web.exposure.include=eventloop").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            EventLoop loop = ctx.getBean(EventLoop.class);
            assertThat(loop.backend()).isEqualTo(Backend.SELECTOR);
            BackendSelection s = ctx.getBean(BackendSelection.class);
            assertThat(s.fallback()).isTrue();
            assertThat(s.requestedBackend()).isEqualTo(LoopProperties.BackendChoice.KQUEUE);
            assertThat(s.reason()).contains("kqueue is not available here").contains("fell back to selector");
            EventLoopEndpoint.LoopDescriptor d = ctx.getBean(EventLoopEndpoint.class).loop("eventLoop");
            assertThat(d.requested().backend()).isEqualTo("kqueue");
            assertThat(d.requested().fallback()).isTrue();
            assertThat(d.backend()).isEqualTo("selector");
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class UserLoop {
        @Bean(destroyMethod = "close")
        EventLoop myLoop() {
            return EventLoops.create(LoopOptions.builder().name("mine").poller(PollerKind.POLL).build());
        }
    }

    /**
     * A loop of the application's own replaces the auto-configured one, and is run with the context: started
     * (its server echoes), paused by a stop, shut down and closed with the context.
     */
    @Test
    void aUserDefinedLoopMakesTheAutoConfiguredOneBackOffAndRunsWithTheContext() {
        EventLoop[] seen = new EventLoop[1];
        runner.withUserConfiguration(UserLoop.class)
                .withPropertyValues("management.endpoints.web.exposure.include=eventloop").run(ctx -> {
            assertThat(ctx).hasSingleBean(EventLoop.class).doesNotHaveBean(BackendSelection.class);
            EventLoop loop = ctx.getBean(EventLoop.class);
            seen[0] = loop;
            assertThat(loop.name()).isEqualTo("mine");
            assertThat(ctx.getBean(EventLoopEndpoint.class).loop("myLoop").requested().reason())
                    .contains("defined by the application");
            assertThat(loop.isRunning()).as("started with the context").isTrue();
            Server server = loop.createServer(Echo::new, "127.0.0.1", 0).get(5, TimeUnit.SECONDS);
            assertThat(echo(((InetSocketAddress) server.addresses().get(0)).getPort(), "mine")).isEqualTo("mine");
            ctx.stop();
            assertThat(loop.isRunning()).isFalse();
            ctx.start();
            assertThat(loop.isRunning()).isTrue();
        });
        assertThat(seen[0].isClosed()).as("closed with the context").isTrue();
    }

    @Configuration(proxyBeanMethods = false)
    static class Customizers {
        static final java.util.List<String> ORDER = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

        @Bean
        @org.springframework.core.annotation.Order(2)
        EventLoopCustomizer second() {
            return new Recording("second", Duration.ofMillis(7), false);
        }

        @Bean
        @org.springframework.core.annotation.Order(1)
        EventLoopCustomizer first() {
            return new Recording("first", Duration.ofMillis(3), true);
        }

        /** Says when it ran; sets the slow-callback threshold, and debug mode on the loop when asked. */
        record Recording(String name, Duration threshold, boolean debug) implements EventLoopCustomizer {
            @Override
            public void customize(LoopOptions.Builder options) {
                ORDER.add(name + " options");
                options.slowCallbackThreshold(threshold);
            }

            @Override
            public void customize(EventLoop loop) {
                if (debug) {
                    ORDER.add(name + " loop, running: " + loop.isRunning());
                    loop.setDebug(true);
                }
            }
        }
    }

    /** EventLoopCustomizer beans adjust the options in order (the last word wins), then the loop before it starts. */
    @Test
    void customizersAdjustTheOptionsThenTheLoopInOrder() {
        Customizers.ORDER.clear();
        runner.withUserConfiguration(Customizers.class).withPropertyValues("loop.slow-callback-threshold=50ms")
                .run(ctx -> {
                    EventLoop loop = ctx.getBean(EventLoop.class);
                    assertThat(loop.slowCallbackThreshold()).isEqualTo(Duration.ofMillis(7));
                    assertThat(loop.isDebug()).isTrue();
                    assertThat(Customizers.ORDER).containsExactly("first options", "second options",
                            "first loop, running: false");
                });
    }

    /** On the proactor the endpoint has no poller to show, and says why. */
    @Test
    void theEndpointSaysWhyTheProactorHasNoPoller() {
        org.junit.jupiter.api.Assumptions.assumeTrue(BackendProbe.probe(Backend.PROACTOR, null).available());
        runner.withPropertyValues("loop.backend=proactor", "management.endpoints.web.exposure.include=eventloop")
                .run(ctx -> {
                    EventLoopEndpoint.LoopDescriptor d = ctx.getBean(EventLoopEndpoint.class).loop("eventLoop");
                    assertThat(d.poller()).isNull();
                    assertThat(d.pollerNote()).contains("proactor backend waits on completions (io_uring)");
                });
    }

    /** loop.manage-application-loops=false: the application's loop is left to the application. */
    @Test
    void theApplicationCanRunItsOwnLoopItself() {
        runner.withUserConfiguration(UserLoop.class).withPropertyValues("loop.manage-application-loops=false")
                .run(ctx -> {
                    assertThat(ctx.getBean(EventLoopLifecycle.class).loops()).isEmpty();
                    assertThat(ctx.getBean(EventLoop.class).isRunning()).isFalse();
                });
    }

    /**
     * Two contexts in one JVM: their loops, loop threads, watchdog threads and meter tags differ; the name comes
     * from spring.application.name, or loop.name.
     */
    @Test
    void twoContextsInOneJvmHaveLoopsThatCanBeToldApart() {
        ApplicationContextRunner withMeters = runner.withConfiguration(AutoConfigurations.of(
                MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
                CompositeMeterRegistryAutoConfiguration.class)).withPropertyValues("spring.application.name=shop",
                        "loop.blocked-threshold=1s");
        withMeters.run(first -> withMeters.run(second -> {
            EventLoop a = first.getBean(EventLoop.class);
            EventLoop b = second.getBean(EventLoop.class);
            assertThat(a.name()).isEqualTo("shop-eventloop");
            assertThat(b.name()).isEqualTo("shop-eventloop-2");
            assertThat(a.thread().getName()).isEqualTo("shop-eventloop");
            assertThat(b.thread().getName()).isEqualTo("shop-eventloop-2");
            assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName))
                    .contains("shop-eventloop-monitor", "shop-eventloop-2-monitor");
            assertThat(second.getBean(MeterRegistry.class).find("eventloop.callbacks").tag("loop", "shop-eventloop-2")
                    .functionCounter()).isNotNull();
        }));
        runner.withPropertyValues("loop.name=orders").run(ctx -> {
            assertThat(ctx.getBean(EventLoop.class).name()).isEqualTo("orders");
            assertThat(ctx.getBean(EventLoop.class).thread().getName()).isEqualTo("orders");
        });
    }

    @Test
    void loopEnabledFalseConfiguresNothing() {
        runner.withPropertyValues("loop.enabled=false").run(ctx -> assertThat(ctx).doesNotHaveBean(EventLoop.class)
                .doesNotHaveBean(EventLoopEndpoint.class).doesNotHaveBean(EventLoopHealthIndicator.class));
    }

    @Test
    void propertiesReachTheLoop() {
        runner.withPropertyValues("loop.thread-name=io", "loop.slow-callback-threshold=5ms", "loop.debug=true")
                .run(ctx -> {
                    EventLoop loop = ctx.getBean(EventLoop.class);
                    assertThat(loop.thread().getName()).isEqualTo("io");
                    assertThat(loop.slowCallbackThreshold()).isEqualTo(Duration.ofMillis(5));
                    assertThat(loop.isDebug()).isTrue();
                });
    }

    @Test
    void theEndpointFollowsBootsAccessRulesAndNeedsActuator() {
        runner.run(ctx -> assertThat(ctx).doesNotHaveBean(EventLoopEndpoint.class)); // not exposed
        runner.withPropertyValues("management.endpoints.web.exposure.include=eventloop")
                .run(ctx -> assertThat(ctx).hasSingleBean(EventLoopEndpoint.class));
        runner.withPropertyValues("management.endpoints.web.exposure.include=eventloop",
                "management.endpoint.eventloop.access=NONE")
                .run(ctx -> assertThat(ctx).doesNotHaveBean(EventLoopEndpoint.class));
        runner.withPropertyValues("management.endpoints.web.exposure.include=eventloop")
                .withClassLoader(new FilteredClassLoader(ConditionalOnAvailableEndpoint.class))
                .run(ctx -> assertThat(ctx).hasNotFailed().hasSingleBean(EventLoop.class)
                        .doesNotHaveBean(EventLoopEndpoint.class));
    }

    @Test
    void healthIsThereUnlessDisabledOrWithoutSpringBootHealth() {
        runner.run(ctx -> assertThat(ctx).hasSingleBean(EventLoopHealthIndicator.class));
        runner.withPropertyValues("management.health.eventloop.enabled=false")
                .run(ctx -> assertThat(ctx).doesNotHaveBean(EventLoopHealthIndicator.class));
        runner.withClassLoader(new FilteredClassLoader(ConditionalOnEnabledHealthIndicator.class))
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(EventLoopHealthIndicator.class));
    }

    @Test
    void healthIsDownWithTheCauseWhenTheLoopFails() throws Exception {
        java.util.Set<String> before = descriptors();
        runner.run(ctx -> {
            EventLoop loop = ctx.getBean(EventLoop.class);
            EventLoopHealthIndicator health = ctx.getBean(EventLoopHealthIndicator.class);
            assertThat(health.health(true).getStatus().getCode()).isEqualTo("UP");
            // Break the loop for real: its epoll descriptor now names /dev/null, so its next wait fails.
            String epoll = descriptors().stream().filter(d -> !before.contains(d) && d.endsWith("anon_inode:[eventpoll]"))
                    .findFirst().orElseThrow();
            int fd = Integer.parseInt(epoll.substring(0, epoll.indexOf(' ')));
            int devNull = dev.loop.internal.nativeio.LibC.open("/dev/null", dev.loop.internal.nativeio.Linux.O_RDONLY, 0);
            assertThat(dev.loop.internal.nativeio.LibC.dup3(devNull, fd, dev.loop.internal.nativeio.Linux.O_CLOEXEC)).isEqualTo(fd);
            dev.loop.internal.nativeio.LibC.close(devNull);
            try {
                loop.execute(() -> { }); // wakes the loop into its failing wait
            } catch (java.util.concurrent.RejectedExecutionException alreadyFailed) {
                // the delay sampler woke it first: it failed and closed already
            }
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> loop.failure() != null
                    && !loop.isRunning());
            var down = health.health(true);
            assertThat(down.getStatus().getCode()).isEqualTo("DOWN");
            @SuppressWarnings("unchecked")
            java.util.Map<String, Object> detail = (java.util.Map<String, Object>) down.getDetails().get("eventLoop");
            assertThat(detail).containsEntry("state", "failed");
            assertThat((String) detail.get("reason")).contains("failed and is closed").contains("epoll_wait");
        });
    }

    /** This process's descriptors, as "N target". */
    private static java.util.Set<String> descriptors() throws java.io.IOException {
        java.util.Set<String> out = new java.util.HashSet<>();
        try (var s = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            for (java.nio.file.Path p : (Iterable<java.nio.file.Path>) s::iterator) {
                try {
                    out.add(p.getFileName() + " " + java.nio.file.Files.readSymbolicLink(p));
                } catch (java.io.IOException e) {
                    // closed meanwhile
                }
            }
        }
        return out;
    }

    @Test
    void metersNeedMicrometerAndARegistry() {
        runner.run(ctx -> assertThat(ctx).doesNotHaveBean(EventLoopMetrics.class)); // no registry
        runner.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
                SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class)).run(ctx -> {
                    MeterRegistry registry = ctx.getBean(MeterRegistry.class);
                    assertThat(registry.find("eventloop.handles").tag("type", "timers").tag("loop", "eventloop")
                            .tag("backend", "selector").gauge()).isNotNull();
                    assertThat(registry.find("eventloop.iterations").functionCounter()).isNotNull();
                    assertThat(registry.find("eventloop.delay").timer()).isNotNull();
                    assertThat(registry.find("eventloop.utilization").gauge()).isNotNull();
                });
        runner.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(EventLoopMetrics.class));
    }
}

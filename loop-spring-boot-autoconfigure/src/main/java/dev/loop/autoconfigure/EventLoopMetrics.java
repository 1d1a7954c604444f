package dev.loop.autoconfigure;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

import dev.loop.EventLoop;
import dev.loop.LoopMetricsListener;
import dev.loop.LoopStatsSnapshot.HandleCounts;

/**
 * Micrometer meters of every loop, tagged {@code loop}, {@code backend} and {@code poller} (tags that
 * never change over a loop's life): handle counts by type, callbacks, iterations and slow callbacks,
 * loop delay and timer lateness as timers with percentiles, clock resolution, poll granularity and
 * utilization.
 */
public class EventLoopMetrics implements MeterBinder {

    /**
     * The range the delay and lateness histograms cover when percentile histograms are on: an idle loop's
     * samples are tens of microseconds, so the buckets start far below Micrometer's default of 1 ms.
     */
    static final Duration MIN_EXPECTED = Duration.ofNanos(10_000);
    static final Duration MAX_EXPECTED = Duration.ofSeconds(10);

    private final Map<String, EventLoop> loops;

    public EventLoopMetrics(Map<String, EventLoop> loops) {
        this.loops = loops;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        loops.values().forEach(loop -> bind(registry, loop.name(), loop)); // the loop's name: unique in the JVM
    }

    private static void bind(MeterRegistry registry, String name, EventLoop loop) {
        Tags tags = Tags.of("loop", name, "backend", loop.backend().id(), "poller",
                loop.poller() == null ? "none" : loop.poller().id());
        handle(registry, tags, loop, "readers", HandleCounts::readers);
        handle(registry, tags, loop, "writers", HandleCounts::writers);
        handle(registry, tags, loop, "timers", HandleCounts::timers);
        handle(registry, tags, loop, "cancelledTimers", HandleCounts::cancelledTimers);
        handle(registry, tags, loop, "ready", HandleCounts::ready);
        handle(registry, tags, loop, "servers", HandleCounts::servers);
        handle(registry, tags, loop, "transports", HandleCounts::transports);
        handle(registry, tags, loop, "subprocesses", HandleCounts::subprocesses);
        handle(registry, tags, loop, "signals", HandleCounts::signals);
        handle(registry, tags, loop, "loopReaders", HandleCounts::loopReaders);
        handle(registry, tags, loop, "loopWriters", HandleCounts::loopWriters);
        FunctionCounter.builder("eventloop.callbacks", loop, l -> l.stats().callbacks()).tags(tags)
                .description("Callbacks run (user callbacks, I/O callbacks and timers)").register(registry);
        FunctionCounter.builder("eventloop.iterations", loop, l -> l.stats().iterations()).tags(tags)
                .description("Loop steps run").register(registry);
        FunctionCounter.builder("eventloop.callbacks.slow", loop, l -> l.stats().slowCallbacks()).tags(tags)
                .description("Callbacks that ran at least the slow-callback threshold").register(registry);
        Timer delay = Timer.builder("eventloop.delay").tags(tags).publishPercentiles(0.5, 0.9, 0.99)
                .minimumExpectedValue(MIN_EXPECTED).maximumExpectedValue(MAX_EXPECTED)
                .description("Loop delay: from a sample's request to the loop's next step").register(registry);
        Timer lateness = Timer.builder("eventloop.timer.lateness").tags(tags).publishPercentiles(0.5, 0.9, 0.99)
                .minimumExpectedValue(MIN_EXPECTED).maximumExpectedValue(MAX_EXPECTED)
                .description("How late timers started after their due time").register(registry);
        loop.setMetricsListener(new LoopMetricsListener() {
            @Override
            public void delay(long nanos) {
                delay.record(nanos, TimeUnit.NANOSECONDS);
            }

            @Override
            public void timerLateness(long nanos) {
                lateness.record(nanos, TimeUnit.NANOSECONDS);
            }
        });
        Gauge.builder("eventloop.timer.resolution", loop, l -> l.capabilities().limits().clockResolutionNanos() / 1e9)
                .tags(tags).baseUnit("seconds").description("Resolution of the loop's clock").register(registry);
        Gauge.builder("eventloop.poll.granularity", loop, l -> l.capabilities().limits().pollGranularityNanos() / 1e9)
                .tags(tags).baseUnit("seconds").description("Smallest poll timeout step of the backend")
                .register(registry);
        Gauge.builder("eventloop.utilization", loop, l -> l.stats().utilization()).tags(tags)
                .description("Share of time running rather than waiting, 0 to 1").register(registry);
    }

    private static void handle(MeterRegistry registry, Tags tags, EventLoop loop, String type,
            ToDoubleFunction<HandleCounts> count) {
        Gauge.builder("eventloop.handles", loop, l -> count.applyAsDouble(l.stats().handles())).tags(tags)
                .tag("type", type).description("Handles of the loop by type").register(registry);
    }
}

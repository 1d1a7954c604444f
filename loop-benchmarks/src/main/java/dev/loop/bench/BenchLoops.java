package dev.loop.bench;

import java.time.Duration;

import dev.loop.EventLoop;
import dev.loop.EventLoops;
import dev.loop.LoopOptions;
import dev.loop.PollerKind;

/** The loop every benchmark measures: no watchdog, no delay sampling (no monitor thread competing). */
final class BenchLoops {

    /**
     * For every fork: JNA's {@code System.load} is a restricted method, which Java 24+ warns about (and a later
     * release will refuse) without this; Java 17 accepts it.
     */
    static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";

    private BenchLoops() {
    }

    /** A loop on {@code poller}, or on the best poller here when {@code null}. */
    static EventLoop create(PollerKind poller) {
        return EventLoops.create(LoopOptions.builder().name("bench").poller(poller)
                .delaySamplingInterval(Duration.ZERO).blockedThreshold(Duration.ZERO).build());
    }
}

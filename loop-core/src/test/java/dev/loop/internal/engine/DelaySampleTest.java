package dev.loop.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.loop.EventLoops;
import dev.loop.LoopOptions;

/**
 * A loop-delay sample asked for while the loop thread is between waits (not parked, so nobody wakes it) must
 * be answered by the next wait itself. Otherwise an idle loop sleeps on with the request pending, and its
 * "delay" grows for as long as nothing else wakes it: found as a health indicator DOWN with a 3.9 s delay on
 * a busy machine, where the loop thread reached its first wait after the watchdog's first request.
 */
class DelaySampleTest {

    @Test
    void aSampleAskedForBeforeTheLoopWaitsIsAnsweredByThatWait() {
        // No sampler and no watchdog: the request below is the only one, and nothing else wakes the loop.
        Loop loop = (Loop) EventLoops.create(LoopOptions.builder().name("delay-race")
                .delaySamplingInterval(Duration.ZERO).blockedThreshold(Duration.ZERO).build());
        try {
            // As the watchdog's request that arrives while the loop thread is starting (or between two steps).
            assertThat(loop.metrics().requestDelaySample(System.nanoTime())).isTrue();
            loop.start();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> loop.stats().delay().count() == 1);
        } finally {
            loop.close();
        }
    }
}

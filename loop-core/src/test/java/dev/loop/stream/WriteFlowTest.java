package dev.loop.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The drains a paused writer keeps: only those still waiting, whatever a caller that gives up does. */
class WriteFlowTest {

    @Test
    void drainsGivenUpWhilePausedAreNotKeptUntilTheResume() {
        WriteFlow flow = new WriteFlow();
        flow.pause();
        for (int i = 0; i < 10_000; i++) {
            CompletableFuture<Void> d = new CompletableFuture<>();
            flow.drain(d);
            if (i % 2 == 0) {
                d.cancel(false);
            } else {
                d.orTimeout(0, TimeUnit.NANOSECONDS).exceptionally(e -> null).join();
            }
        }
        assertThat(flow.waitingDrains()).isLessThanOrEqualTo(1);
        CompletableFuture<Void> last = new CompletableFuture<>();
        flow.drain(last);
        flow.resume();
        assertThat(last).isCompleted();
        assertThat(flow.waitingDrains()).isZero();
    }
}

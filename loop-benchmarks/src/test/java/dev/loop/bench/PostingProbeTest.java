package dev.loop.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The probe's figures come from real posts and the loop's own counters; no timing is judged here. */
class PostingProbeTest {

    @Test
    void everyBatchTakesAtLeastOneStepAndTheFiguresAreCounted() {
        List<PostingProbe.Second> seconds = new ArrayList<>();
        PostingProbe.run(2, 50_000_000L, false, seconds::add);

        assertThat(seconds).hasSize(2).allSatisfy(s -> {
            // the poster waits for each batch before the next, so no step can run two batches
            assertThat(s.stepsPerBatch()).isGreaterThanOrEqualTo(1.0);
            assertThat(s.nanosPerPost()).isPositive();
            assertThat(s.postsPerSecond()).isPositive();
            // a slow poster (still interpreted, unpinned) can find the loop parked before any of its posts
            assertThat(s.wakeupsPerBatch()).isBetween(0.0, (double) PostingProbe.BATCH);
            assertThat(s.toString()).contains("ns per post", "steps and");
        });
        assertThat(PostingProbe.postsAlone(3)).isPositive();
    }
}

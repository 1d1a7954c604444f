package dev.loop.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.jayway.jsonpath.JsonPath;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import dev.loop.EventLoop;
import dev.loop.internal.nativeio.TimerSlack;

/**
 * The timer story over real HTTP, with {@code loop.timer-slack=1ns}: the slack read back from the loop
 * thread, the endpoint's {@code timers} section (clock, wait granularity, slack, lateness since start and over
 * the last minute, sub-millisecond timers, what other platforms would give), and Prometheus buckets that
 * resolve lateness below a millisecond when percentile histograms are on.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "management.endpoints.web.exposure.include=prometheus,eventloop", "loop.name=timers-http",
        "loop.timer-slack=1ns", "management.metrics.distribution.percentiles-histogram.eventloop=true"})
class TimersHttpTests extends ActuatorHttpTest {

    @SpringBootApplication
    static class App {
    }

    @Autowired
    EventLoop loop;

    /** Runs {@code n} timers of 200 us one after the other on the loop, and waits for the last. */
    private void chainOfTimers(int n) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable[] next = new Runnable[1];
        int[] left = {n};
        next[0] = () -> {
            if (left[0]-- == 0) {
                done.complete(null);
            } else {
                loop.callLater(Duration.ofNanos(200_000), next[0]);
            }
        };
        loop.execute(next[0]);
        done.get(10, TimeUnit.SECONDS);
    }

    @Test
    void theSlackIsReadBackFromTheLoopThread() throws Exception {
        assertThat(loop.submit(TimerSlack::fromProc).get(5, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(loop.capabilities().limits().timerSlackNanos()).isEqualTo(1);
    }

    @Test
    void theEndpointTellsTheTimerStory() throws Exception {
        long subMsBefore = loop.stats().subMillisecondTimers();
        chainOfTimers(50);
        String json = get("/actuator/eventloop/eventLoop");
        assertThat((String) JsonPath.read(json, "$.timers.clock")).startsWith("System.nanoTime() (CLOCK_MONOTONIC), "
                + "resolution ");
        assertThat((String) JsonPath.read(json, "$.timers.pollGranularity")).isEqualTo(
                "1 ns: the loop waits in epoll_pwait2 (a timespec), or epoll_wait with a timerfd");
        assertThat(((Number) JsonPath.read(json, "$.timers.timerSlackNanos")).longValue()).isEqualTo(1);
        assertThat((String) JsonPath.read(json, "$.timers.timerSlack")).isEqualTo("1 ns (the kernel's default is "
                + "50 us): the kernel may end the loop's timed waits up to 1 ns late to batch wake-ups");
        assertThat(((Number) JsonPath.read(json, "$.timers.subMillisecondTimers")).longValue())
                .isGreaterThanOrEqualTo(subMsBefore + 50);
        assertThat(((Number) JsonPath.read(json, "$.timers.lateness.count")).longValue()).isGreaterThanOrEqualTo(50);
        assertThat(((Number) JsonPath.read(json, "$.timers.latenessLastMinute.count")).longValue())
                .isGreaterThanOrEqualTo(50);
        long p50 = ((Number) JsonPath.read(json, "$.timers.lateness.p50Nanos")).longValue();
        long p999 = ((Number) JsonPath.read(json, "$.timers.lateness.p999Nanos")).longValue();
        long max = ((Number) JsonPath.read(json, "$.timers.lateness.maxNanos")).longValue();
        assertThat(p50).isLessThanOrEqualTo(p999).isLessThanOrEqualTo(max);
        assertThat((String) JsonPath.read(json, "$.timers.lateness.summary")).startsWith("p50 ").contains(", p99 ")
                .contains(", p99.9 ").contains(", max ").contains(" timers)");
        List<String> elsewhere = JsonPath.read(json, "$.timers.elsewhere");
        assertThat(elsewhere).contains(
                "Windows proactor: 15.6 ms clock: a 200 us timer waits at least one tick (15.6 ms)",
                "macOS selector (poll): waits in steps of 1 ms: a 200 us timer waits at least 1 ms",
                "Linux proactor: 1 ns waits, timer slack settable (kernel default 50 us): a 200 us timer keeps its "
                        + "precision",
                "FreeBSD kqueue: 1 ns waits, no per-thread timer slack: a 200 us timer keeps its precision")
                .noneMatch(row -> row.startsWith("Linux selector (epoll):"));
    }

    private static final Pattern BUCKET = Pattern.compile(
            "eventloop_timer_lateness_seconds_bucket\\{[^}]*loop=\"timers-http\"[^}]*le=\"([^\"]+)\"[^}]*} (\\S+)");

    /** le -> cumulative count, of the lateness histogram in a real Prometheus scrape. */
    private List<double[]> latenessBuckets() {
        List<double[]> buckets = new ArrayList<>();
        Matcher m = BUCKET.matcher(get("/actuator/prometheus"));
        while (m.find()) {
            double le = m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
            buckets.add(new double[] {le, Double.parseDouble(m.group(2))});
        }
        return buckets;
    }

    @Test
    void prometheusBucketsResolveSubMillisecondLateness() throws Exception {
        List<double[]> buckets = latenessBuckets();
        assertThat(buckets).as("percentile histogram buckets").isNotEmpty();
        double lowest = buckets.stream().mapToDouble(b -> b[0]).min().orElseThrow();
        assertThat(lowest).as("lowest bucket, seconds").isLessThanOrEqualTo(10e-6 * 1.5);
        assertThat(buckets.stream().filter(b -> b[0] < 1e-3).count()).as("buckets below 1 ms").isGreaterThan(3);
        assertThat(buckets.stream().mapToDouble(b -> b[0]).filter(Double::isFinite).max().orElseThrow())
                .isGreaterThanOrEqualTo(10.0);
        // Timers a few hundred microseconds late land below 1 ms: run chains until one does.
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            chainOfTimers(20);
            return latenessBuckets().stream().anyMatch(b -> b[0] <= 1e-3 && b[1] > 0);
        });
    }
}

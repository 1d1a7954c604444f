package dev.loop.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.support.CronTrigger;

import dev.loop.EventLoop;
import dev.loop.EventLoops;
import dev.loop.LoopOptions;

/**
 * The loop as Spring's TaskScheduler, on a real running loop: one-off, fixed-rate, fixed-delay and trigger tasks
 * run on the loop thread; cancelling stops them; a failing repeating task keeps its schedule. And as the
 * application's {@code taskScheduler} bean, {@code @Scheduled} methods run on the loop.
 */
class LoopTaskSchedulerTests {

    private final EventLoop loop = EventLoops.create(LoopOptions.builder().name("scheduler-test")
            .delaySamplingInterval(Duration.ZERO).build());
    private final LoopTaskScheduler scheduler = new LoopTaskScheduler(loop);

    @AfterEach
    void close() {
        loop.close();
    }

    @Test
    void tasksRunOnTheLoopThreadAtTheirTimes() throws Exception {
        loop.start();
        CompletableFuture<Thread> oneOff = new CompletableFuture<>();
        ScheduledFuture<?> once = scheduler.schedule(() -> oneOff.complete(Thread.currentThread()),
                Instant.now().plusMillis(20));
        assertThat(oneOff.get(5, TimeUnit.SECONDS)).isSameAs(loop.thread());
        once.get(5, TimeUnit.SECONDS);
        assertThat(once.isDone()).isTrue();

        AtomicInteger rate = new AtomicInteger();
        AtomicInteger delay = new AtomicInteger();
        ScheduledFuture<?> fixedRate = scheduler.scheduleAtFixedRate(rate::incrementAndGet, Duration.ofMillis(5));
        ScheduledFuture<?> fixedDelay = scheduler.scheduleWithFixedDelay(delay::incrementAndGet, Duration.ofMillis(5));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> rate.get() >= 5 && delay.get() >= 5);
        assertThat(fixedRate.cancel(false)).isTrue();
        assertThat(fixedDelay.cancel(false)).isTrue();
        int stoppedAt = loop.submit(rate::get).get(5, TimeUnit.SECONDS);
        Thread.sleep(30); // several periods: a cancelled task must not run again
        assertThat(loop.submit(rate::get).get(5, TimeUnit.SECONDS)).isEqualTo(stoppedAt);
        assertThat(fixedRate.isCancelled()).isTrue();
    }

    @Test
    void aTriggerDecidesEachRunAndAFailingRepeatingTaskKeepsItsSchedule() throws Exception {
        loop.start();
        List<String> reported = new CopyOnWriteArrayList<>();
        loop.setExceptionHandler((l, context) -> reported.add(context.message()));
        AtomicInteger runs = new AtomicInteger();
        ScheduledFuture<?> everySecond = scheduler.schedule(() -> {
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("first run fails");
            }
        }, new CronTrigger("* * * * * *"));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() >= 2);
        everySecond.cancel(false);
        assertThat(reported).anyMatch(m -> m.startsWith("Scheduled task"));

        ScheduledFuture<?> failing = scheduler.schedule(() -> {
            throw new IllegalStateException("one-off fails");
        }, Instant.now());
        assertThatThrownBy(() -> failing.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasRootCauseMessage("one-off fails");
    }

    /** A bean whose method runs on the loop through {@code @Async("eventLoop")}. */
    public static class AsyncWork {
        @Async("eventLoop")
        public CompletableFuture<Thread> where() {
            return CompletableFuture.completedFuture(Thread.currentThread());
        }
    }

    @SpringBootApplication
    @EnableScheduling
    @EnableAsync
    static class App {
        @Bean
        AsyncWork asyncWork() {
            return new AsyncWork();
        }

        static final CompletableFuture<Thread> RAN_ON = new CompletableFuture<>();

        @Bean
        TaskScheduler taskScheduler(EventLoop eventLoop) {
            return new LoopTaskScheduler(eventLoop);
        }

        @Scheduled(fixedDelay = 10)
        void tick() {
            RAN_ON.complete(Thread.currentThread());
        }
    }

    @Nested
    @SpringBootTest(classes = App.class, properties = "loop.name=scheduled")
    class AsTheApplicationsTaskScheduler {
        @Autowired
        EventLoop eventLoop;

        @Autowired
        AsyncWork work;

        @Test
        void scheduledAndAsyncMethodsRunOnTheLoopThread() throws Exception {
            assertThat(App.RAN_ON.get(10, TimeUnit.SECONDS)).isSameAs(eventLoop.thread());
            assertThat(work.where().get(10, TimeUnit.SECONDS)).isSameAs(eventLoop.thread());
        }
    }
}

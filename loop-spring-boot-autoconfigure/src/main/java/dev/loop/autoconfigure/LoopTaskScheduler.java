package dev.loop.autoconfigure;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.Trigger;
import org.springframework.scheduling.support.SimpleTriggerContext;

import dev.loop.EventLoop;
import dev.loop.ExceptionContext;
import dev.loop.TimerHandle;

/**
 * Spring's {@link TaskScheduler} on a loop: every task runs on the loop thread, timed by the loop's timers (and
 * so with their precision, well under a millisecond where the platform allows). Declare it as the application's
 * {@code taskScheduler} bean to run {@code @Scheduled} methods on the loop; the starter does not, because
 * Boot's own scheduler is what {@code @Scheduled} code usually expects: a thread it may block.
 *
 * <p>A task must not block: it holds up the loop like any callback. A repeating task that throws is reported to
 * the loop's exception handler and keeps its schedule (as Spring's schedulers do); a one-off task's exception
 * completes its future. Once the loop closes nothing runs any more, and scheduling refuses with
 * {@link java.util.concurrent.RejectedExecutionException}.
 */
public final class LoopTaskScheduler implements TaskScheduler {

    private final EventLoop loop;
    private final Clock clock;

    public LoopTaskScheduler(EventLoop loop) {
        this(loop, Clock.systemDefaultZone());
    }

    public LoopTaskScheduler(EventLoop loop, Clock clock) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Clock getClock() {
        return clock;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, Trigger trigger) {
        SimpleTriggerContext context = new SimpleTriggerContext(clock);
        return start(task, trigger.nextExecution(context), true, s -> {
            context.update(s.lastScheduled, s.lastActual, s.lastCompletion);
            return trigger.nextExecution(context);
        });
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, Instant startTime) {
        return start(task, startTime, false, s -> null);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Instant startTime, Duration period) {
        return every(task, startTime, period, "period", s -> s.lastScheduled);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Instant startTime, Duration delay) {
        return every(task, startTime, delay, "delay", s -> s.lastCompletion);
    }

    /** From now on. */
    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Duration period) {
        return scheduleAtFixedRate(task, clock.instant(), period);
    }

    /** From now on. */
    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Duration delay) {
        return scheduleWithFixedDelay(task, clock.instant(), delay);
    }

    /** Runs {@code task} from {@code start} on, each run {@code step} after what {@code from} picks of the last. */
    private ScheduledFuture<?> every(Runnable task, Instant start, Duration step, String what,
            Function<Scheduled, Instant> from) {
        if (step.isNegative() || step.isZero()) {
            throw new IllegalArgumentException(what + " must be above 0: " + step);
        }
        return start(task, start, true, s -> from.apply(s).plus(step));
    }

    private ScheduledFuture<?> start(Runnable task, Instant first, boolean repeating, Function<Scheduled, Instant> next) {
        Objects.requireNonNull(task, "task");
        Scheduled s = new Scheduled(task, repeating, next);
        if (first == null) {
            s.complete(null); // a trigger with no execution at all
            return s;
        }
        s.scheduledAt = first;
        loop.execute(() -> s.arm(first));
        return s;
    }

    /** One scheduled task: its next run, and what it ran last (for triggers). Loop thread, except the future. */
    private final class Scheduled extends CompletableFuture<Object> implements ScheduledFuture<Object> {
        private final Runnable task;
        private final boolean repeating;
        private final Function<Scheduled, Instant> next;
        private volatile Instant scheduledAt;
        private TimerHandle timer;
        private Instant lastScheduled;
        private Instant lastActual;
        private Instant lastCompletion;

        Scheduled(Runnable task, boolean repeating, Function<Scheduled, Instant> next) {
            this.task = task;
            this.repeating = repeating;
            this.next = next;
            whenComplete((v, e) -> {
                if (isCancelled()) {
                    try {
                        loop.execute(this::disarm);
                    } catch (java.util.concurrent.RejectedExecutionException closed) {
                        // the loop closed: nothing runs any more
                    }
                }
            });
        }

        void arm(Instant at) {
            if (isDone()) {
                return;
            }
            if (at == null) {
                complete(null);
                return;
            }
            scheduledAt = at;
            long nanos = Math.max(0, Duration.between(clock.instant(), at).toNanos());
            timer = loop.callLater(Duration.ofNanos(nanos), this::run);
        }

        private void disarm() {
            if (timer != null) {
                timer.cancel();
                timer = null;
            }
        }

        private void run() {
            timer = null;
            if (isDone()) {
                return;
            }
            lastScheduled = scheduledAt;
            lastActual = clock.instant();
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                if (!repeating) {
                    completeExceptionally(e);
                    return;
                }
                loop.callExceptionHandler(ExceptionContext.of("Scheduled task " + task + " failed", e));
            }
            lastCompletion = clock.instant();
            if (!repeating) {
                complete(null);
                return;
            }
            arm(next.apply(this));
        }

        @Override
        public long getDelay(TimeUnit unit) {
            Instant at = scheduledAt;
            return at == null ? 0 : unit.convert(Duration.between(clock.instant(), at));
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }
    }
}

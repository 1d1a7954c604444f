package dev.loop;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to build a loop. Every field has a default; {@code backend} and {@code poller} left unset mean
 * "the best available here" (Linux: selector on epoll, then poll, then select).
 *
 * @param name                  the loop's name, used in logs, metrics and thread names ({@code "loop"})
 * @param threadName            the name of the thread {@link EventLoop#start()} creates (defaults to the name)
 * @param daemon                whether that thread is a daemon thread ({@code false}: a running loop keeps the JVM alive)
 * @param debug                 debug mode: creation stacks for handles, slow-callback warnings ({@code false})
 * @param slowCallbackThreshold a callback that runs this long counts as slow, and is logged in debug mode (100 ms)
 * @param blockedThreshold      the watchdog logs the loop thread's stack when one callback has run this long
 *                              (2 s; {@link Duration#ZERO} turns the watchdog off)
 * @param delaySamplingInterval how often the loop delay is sampled (20 ms; {@link Duration#ZERO} turns it off)
 * @param backend               the backend, or {@code null} for automatic choice
 * @param poller                the poller of a selector backend, or {@code null} for automatic choice
 * @param timerSlack            the loop thread's timer slack while it runs the loop: how far the kernel may
 *                              defer the end of the loop's timed waits to batch wake-ups. {@code null}: the
 *                              loop's default ({@link #DEFAULT_TIMER_SLACK} where the platform lets a thread
 *                              set it, see {@link dev.loop.capability.Capability#TIMER_SLACK}; nothing
 *                              elsewhere); {@link Duration#ZERO}: leave the thread's own (Linux: 50 us unless
 *                              inherited otherwise); else 1 ns to 1 s, refused where the platform has no such
 *                              control. A thread borrowed by {@code runForever} gets its own slack back after.
 */
public record LoopOptions(String name, String threadName, boolean daemon, boolean debug,
        Duration slowCallbackThreshold, Duration blockedThreshold, Duration delaySamplingInterval,
        Backend backend, PollerKind poller, Duration timerSlack) {

    public static final Duration DEFAULT_SLOW_CALLBACK_THRESHOLD = Duration.ofMillis(100);
    public static final Duration DEFAULT_BLOCKED_THRESHOLD = Duration.ofSeconds(2);
    public static final Duration DEFAULT_DELAY_SAMPLING_INTERVAL = Duration.ofMillis(20);
    /**
     * The loop thread's timer slack where the platform lets a thread set it (Linux). Measured in
     * loop-benchmarks' timer-lateness harness: it takes about 45 us off every timer's lateness against the
     * kernel's default of 50 us; an idle loop pays nothing for it, one woken every millisecond about 0.5 % of
     * a core.
     */
    public static final Duration DEFAULT_TIMER_SLACK = Duration.ofNanos(1_000);
    /** The largest timer slack a loop sets. */
    public static final Duration MAX_TIMER_SLACK = Duration.ofSeconds(1);

    public LoopOptions {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        threadName = threadName == null || threadName.isBlank() ? name : threadName;
        slowCallbackThreshold = requireNonNegative(slowCallbackThreshold, "slowCallbackThreshold");
        blockedThreshold = requireNonNegative(blockedThreshold, "blockedThreshold");
        delaySamplingInterval = requireNonNegative(delaySamplingInterval, "delaySamplingInterval");
        if (timerSlack != null && (timerSlack.isNegative() || timerSlack.compareTo(MAX_TIMER_SLACK) > 0)) {
            throw new IllegalArgumentException("timerSlack must be 0 (the thread's own) or 1 ns to 1 s: " + timerSlack);
        }
        if (poller != null && backend != null && backend != Backend.SELECTOR && !(backend == Backend.KQUEUE && poller == PollerKind.KQUEUE)) {
            throw new IllegalArgumentException("poller " + poller.id() + " applies to the selector backend, not to " + backend.id());
        }
    }

    /** The defaults: automatic backend, name {@code loop}. */
    public static LoopOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().name(name).threadName(threadName).daemon(daemon).debug(debug)
                .slowCallbackThreshold(slowCallbackThreshold).blockedThreshold(blockedThreshold)
                .delaySamplingInterval(delaySamplingInterval).backend(backend).poller(poller).timerSlack(timerSlack);
    }

    public Optional<Backend> requestedBackend() {
        return Optional.ofNullable(backend);
    }

    public Optional<PollerKind> requestedPoller() {
        return Optional.ofNullable(poller);
    }

    private static Duration requireNonNegative(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative: " + d);
        }
        return d;
    }

    /** Builder for {@link LoopOptions}. */
    public static final class Builder {
        private String name = "loop";
        private String threadName;
        private boolean daemon;
        private boolean debug;
        private Duration slowCallbackThreshold = DEFAULT_SLOW_CALLBACK_THRESHOLD;
        private Duration blockedThreshold = DEFAULT_BLOCKED_THRESHOLD;
        private Duration delaySamplingInterval = DEFAULT_DELAY_SAMPLING_INTERVAL;
        private Backend backend;
        private PollerKind poller;
        private Duration timerSlack;

        private Builder() {
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder threadName(String threadName) {
            this.threadName = threadName;
            return this;
        }

        public Builder daemon(boolean daemon) {
            this.daemon = daemon;
            return this;
        }

        public Builder debug(boolean debug) {
            this.debug = debug;
            return this;
        }

        public Builder slowCallbackThreshold(Duration threshold) {
            this.slowCallbackThreshold = threshold;
            return this;
        }

        public Builder blockedThreshold(Duration threshold) {
            this.blockedThreshold = threshold;
            return this;
        }

        public Builder delaySamplingInterval(Duration interval) {
            this.delaySamplingInterval = interval;
            return this;
        }

        public Builder backend(Backend backend) {
            this.backend = backend;
            return this;
        }

        public Builder poller(PollerKind poller) {
            this.poller = poller;
            return this;
        }

        /** The loop thread's timer slack; {@code null} for the loop's default, 0 to leave the thread's own. */
        public Builder timerSlack(Duration timerSlack) {
            this.timerSlack = timerSlack;
            return this;
        }

        public LoopOptions build() {
            return new LoopOptions(name, threadName, daemon, debug, slowCallbackThreshold, blockedThreshold,
                    delaySamplingInterval, backend, poller, timerSlack);
        }
    }
}

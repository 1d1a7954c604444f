package dev.loop.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of the auto-configured event loop ({@code loop.*}), and of the further loops of
 * {@code loop.loops.<name>.*}, whose unset settings are taken from {@code loop.*}.
 */
@ConfigurationProperties("loop")
public class LoopProperties {

    /** Which backend to run on. */
    public enum BackendChoice {
        /** The best backend available on this machine (Linux: selector with epoll; BSD and macOS: kqueue). */
        AUTO,
        /** Readiness-based: epoll, poll or select. */
        SELECTOR,
        /** Completion-based: io_uring on Linux. */
        PROACTOR,
        /** kqueue, on macOS and the BSDs. */
        KQUEUE
    }

    /** Which poller the selector backend uses. */
    public enum PollerChoice {
        AUTO, EPOLL, POLL, SELECT, KQUEUE
    }

    /** What to do when the backend or poller asked for cannot run here. */
    public enum OnUnavailable {
        /** Fail startup, with a report of what is available here. */
        FAIL,
        /** Start on the best available backend, log a warning, and show both in the endpoint. */
        FALLBACK
    }

    /** Whether to auto-configure an event loop. */
    private boolean enabled = true;

    /** Backend to run the loop on. */
    private BackendChoice backend = BackendChoice.AUTO;

    /** Poller of the selector backend. */
    private PollerChoice poller = PollerChoice.AUTO;

    /** What to do when the requested backend or poller cannot run on this machine. */
    private OnUnavailable onUnavailable = OnUnavailable.FAIL;

    /**
     * The loop's name: its thread's (unless thread-name is set), its watchdog thread's ({@code <name>-monitor})
     * and its meters' {@code loop} tag. Default: {@code <spring.application.name>-eventloop}, or
     * {@code eventloop} without an application name. When another auto-configured loop of this JVM (another
     * context's) has the name, {@code -2}, {@code -3}, ... is appended, so that two contexts' loops, threads and
     * meters can be told apart.
     */
    private String name;

    /** Name of the loop's thread; default: the loop's name. */
    private String threadName;

    /**
     * Whether EventLoop beans the application defines are started with the context and shut down gracefully
     * when it closes, as the auto-configured one is. False: the application runs and closes its own loops.
     */
    private boolean manageApplicationLoops = true;

    /** Whether to run the loop in debug mode (where each handle was scheduled, slow callbacks logged one by one). */
    private boolean debug = false;

    /** Callbacks running at least this long are counted, and logged in debug mode. */
    private Duration slowCallbackThreshold = Duration.ofMillis(100);

    /** A callback running longer than this is logged with the loop thread's stack by the watchdog; 0 turns it off. */
    private Duration blockedThreshold = Duration.ofSeconds(2);

    /**
     * How long a graceful shutdown may take before what is left is closed at once; also how long a stop of the
     * context waits for transports to flush before the loop pauses.
     */
    private Duration shutdownTimeout = Duration.ofSeconds(10);

    /** How often the loop delay is sampled; 0 turns sampling off. */
    private Duration delaySamplingInterval = Duration.ofMillis(20);

    /**
     * The loop thread's timer slack (Linux): how far the kernel may defer the end of the loop's timed waits to
     * batch wake-ups. Unset: the loop's default, 1us where the platform has the control (the kernel's own is
     * 50us), nothing elsewhere; 0: leave the thread's own; else 1ns to 1s, which fails startup where the
     * platform has no such control.
     */
    private Duration timerSlack;

    /** Health check settings. */
    private final Health health = new Health();

    /**
     * Further loops, each a bean named by its key (its own thread, meters, health entry and endpoint entry),
     * besides the {@code eventLoop} one; an unset setting is taken from {@code loop.*}.
     */
    private final Map<String, Loop> loops = new LinkedHashMap<>();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public BackendChoice getBackend() {
        return backend;
    }

    public void setBackend(BackendChoice backend) {
        this.backend = backend;
    }

    public PollerChoice getPoller() {
        return poller;
    }

    public void setPoller(PollerChoice poller) {
        this.poller = poller;
    }

    public OnUnavailable getOnUnavailable() {
        return onUnavailable;
    }

    public void setOnUnavailable(OnUnavailable onUnavailable) {
        this.onUnavailable = onUnavailable;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public boolean isManageApplicationLoops() {
        return manageApplicationLoops;
    }

    public void setManageApplicationLoops(boolean manageApplicationLoops) {
        this.manageApplicationLoops = manageApplicationLoops;
    }

    public String getThreadName() {
        return threadName;
    }

    public void setThreadName(String threadName) {
        this.threadName = threadName;
    }

    public boolean isDebug() {
        return debug;
    }

    public void setDebug(boolean debug) {
        this.debug = debug;
    }

    public Duration getSlowCallbackThreshold() {
        return slowCallbackThreshold;
    }

    public void setSlowCallbackThreshold(Duration slowCallbackThreshold) {
        this.slowCallbackThreshold = positive(slowCallbackThreshold, SLOW_CALLBACK_THRESHOLDS);
    }

    public Duration getBlockedThreshold() {
        return blockedThreshold;
    }

    public void setBlockedThreshold(Duration blockedThreshold) {
        this.blockedThreshold = notNegative(blockedThreshold, BLOCKED_THRESHOLDS);
    }

    public Duration getShutdownTimeout() {
        return shutdownTimeout;
    }

    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = notNegative(shutdownTimeout, "0 (close at once) or a timeout above 0, e.g. 10s");
    }

    public Duration getDelaySamplingInterval() {
        return delaySamplingInterval;
    }

    public void setDelaySamplingInterval(Duration delaySamplingInterval) {
        this.delaySamplingInterval = notNegative(delaySamplingInterval, DELAY_SAMPLING_INTERVALS);
    }

    public Duration getTimerSlack() {
        return timerSlack;
    }

    public void setTimerSlack(Duration timerSlack) {
        this.timerSlack = timerSlack(timerSlack);
    }

    public Health getHealth() {
        return health;
    }

    public Map<String, Loop> getLoops() {
        return loops;
    }

    /** The settings of the {@code eventLoop} bean. */
    LoopSettings settings() {
        return new LoopSettings(LoopAutoConfiguration.LOOP_BEAN_NAME, "loop.", backend, poller, onUnavailable, name,
                threadName, debug, slowCallbackThreshold, blockedThreshold, delaySamplingInterval, timerSlack,
                health.getMaxDelay());
    }

    /** The settings of the loop {@code loop.loops.<key>}: its own where set, {@code loop.*}'s where not. */
    LoopSettings settings(String key) {
        Loop l = loops.get(key);
        if (l == null) {
            throw new IllegalArgumentException("No loop.loops." + key + " is configured");
        }
        return new LoopSettings(key, "loop.loops." + key + ".", or(l.backend, backend), or(l.poller, poller),
                or(l.onUnavailable, onUnavailable), l.name, l.threadName, or(l.debug, debug),
                or(l.slowCallbackThreshold, slowCallbackThreshold), or(l.blockedThreshold, blockedThreshold),
                or(l.delaySamplingInterval, delaySamplingInterval), or(l.timerSlack, timerSlack), health.getMaxDelay());
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    private static final String SLOW_CALLBACK_THRESHOLDS = "a slow-callback threshold above 0, e.g. 100ms";
    private static final String BLOCKED_THRESHOLDS = "0 (the watchdog off) or a threshold above 0, e.g. 2s";
    private static final String DELAY_SAMPLING_INTERVALS = "0 (no sampling) or an interval above 0, e.g. 20ms";

    /*
     * Checked as Boot binds them: Boot's own failure analysis then names the property, the value given and,
     * in the reason, what is allowed.
     */
    static Duration notNegative(Duration d, String allowed) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException("must not be negative; allowed: " + allowed);
        }
        return d;
    }

    /** Unset, 0, or 1ns to 1s. */
    static Duration timerSlack(Duration d) {
        if (d != null && (d.isNegative() || d.compareTo(dev.loop.LoopOptions.MAX_TIMER_SLACK) > 0)) {
            throw new IllegalArgumentException("must be 0 (the thread's own) or 1ns to 1s; allowed: unset (the "
                    + "loop's default, 1us on Linux), 0, or e.g. 1ns, 10us");
        }
        return d;
    }

    static Duration positive(Duration d, String allowed) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("must be above 0; allowed: " + allowed);
        }
        return d;
    }

    /** Health check settings. */
    public static class Health {

        /** The loop is reported DOWN when its recent delay exceeds this. */
        private Duration maxDelay = Duration.ofSeconds(1);

        public Duration getMaxDelay() {
            return maxDelay;
        }

        public void setMaxDelay(Duration maxDelay) {
            this.maxDelay = positive(maxDelay, "a delay above 0, e.g. 1s");
        }
    }

    /** One loop of {@code loop.loops}: every setting left unset is {@code loop.*}'s. */
    public static class Loop {

        /** Backend to run this loop on; default: loop.backend. */
        private BackendChoice backend;

        /** Poller of the selector backend; default: loop.poller. */
        private PollerChoice poller;

        /** What to do when this loop's backend or poller cannot run here; default: loop.on-unavailable. */
        private OnUnavailable onUnavailable;

        /**
         * The loop's name (thread, watchdog thread, meter tag {@code loop}); default: the name of the
         * {@code eventLoop} bean's loop with {@code -<key>} appended (e.g. {@code eventloop-io}).
         */
        private String name;

        /** Name of the loop's thread; default: the loop's name (not loop.thread-name, which names one thread). */
        private String threadName;

        /** Whether to run this loop in debug mode; default: loop.debug. */
        private Boolean debug;

        /** Callbacks running at least this long are counted as slow; default: loop.slow-callback-threshold. */
        private Duration slowCallbackThreshold;

        /** The watchdog's threshold, 0 for none; default: loop.blocked-threshold. */
        private Duration blockedThreshold;

        /** How often this loop's delay is sampled, 0 for never; default: loop.delay-sampling-interval. */
        private Duration delaySamplingInterval;

        /** This loop thread's timer slack, 0 for the thread's own; default: loop.timer-slack. */
        private Duration timerSlack;

        public BackendChoice getBackend() {
            return backend;
        }

        public void setBackend(BackendChoice backend) {
            this.backend = backend;
        }

        public PollerChoice getPoller() {
            return poller;
        }

        public void setPoller(PollerChoice poller) {
            this.poller = poller;
        }

        public OnUnavailable getOnUnavailable() {
            return onUnavailable;
        }

        public void setOnUnavailable(OnUnavailable onUnavailable) {
            this.onUnavailable = onUnavailable;
        }

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public String getThreadName() {
            return threadName;
        }

        public void setThreadName(String threadName) {
            this.threadName = threadName;
        }

        public Boolean getDebug() {
            return debug;
        }

        public void setDebug(Boolean debug) {
            this.debug = debug;
        }

        public Duration getSlowCallbackThreshold() {
            return slowCallbackThreshold;
        }

        public void setSlowCallbackThreshold(Duration slowCallbackThreshold) {
            this.slowCallbackThreshold = positive(slowCallbackThreshold, SLOW_CALLBACK_THRESHOLDS);
        }

        public Duration getBlockedThreshold() {
            return blockedThreshold;
        }

        public void setBlockedThreshold(Duration blockedThreshold) {
            this.blockedThreshold = notNegative(blockedThreshold, BLOCKED_THRESHOLDS);
        }

        public Duration getDelaySamplingInterval() {
            return delaySamplingInterval;
        }

        public void setDelaySamplingInterval(Duration delaySamplingInterval) {
            this.delaySamplingInterval = notNegative(delaySamplingInterval, DELAY_SAMPLING_INTERVALS);
        }

        public Duration getTimerSlack() {
            return timerSlack;
        }

        public void setTimerSlack(Duration timerSlack) {
            this.timerSlack = LoopProperties.timerSlack(timerSlack);
        }
    }
}

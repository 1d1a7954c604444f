package dev.loop.autoconfigure;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of the auto-configured event loop ({@code loop.*}).
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

    /** Health check settings. */
    private final Health health = new Health();

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
        this.slowCallbackThreshold = positive(slowCallbackThreshold, "a slow-callback threshold above 0, e.g. 100ms");
    }

    public Duration getBlockedThreshold() {
        return blockedThreshold;
    }

    public void setBlockedThreshold(Duration blockedThreshold) {
        this.blockedThreshold = notNegative(blockedThreshold, "0 (the watchdog off) or a threshold above 0, e.g. 2s");
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
        this.delaySamplingInterval = notNegative(delaySamplingInterval,
                "0 (no sampling) or an interval above 0, e.g. 20ms");
    }

    public Health getHealth() {
        return health;
    }

    /** Health check settings. */
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

    static Duration positive(Duration d, String allowed) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("must be above 0; allowed: " + allowed);
        }
        return d;
    }

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
}

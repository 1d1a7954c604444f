package dev.loop.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import dev.loop.EventLoop;

/**
 * UP while every loop runs and its recent delay stays under {@code loop.health.max-delay}; DOWN, with
 * the reason per loop, when one is stopped, closed, failed (its thread ended on an error, {@link
 * EventLoop#failure()}) or too late.
 */
public class EventLoopHealthIndicator extends AbstractHealthIndicator {

    private final Map<String, EventLoop> loops;
    private final Duration maxDelay;

    public EventLoopHealthIndicator(Map<String, EventLoop> loops, Duration maxDelay) {
        super("Event loop health check failed");
        this.loops = loops;
        this.maxDelay = maxDelay;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        boolean up = true;
        for (Map.Entry<String, EventLoop> e : loops.entrySet()) {
            EventLoop loop = e.getValue();
            long delay = loop.recentDelayNanos();
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("backend", loop.backend().id());
            if (loop.poller() != null) {
                detail.put("poller", loop.poller().id());
            }
            Throwable failure = loop.failure();
            detail.put("state", failure != null ? "failed" : loop.isClosed() ? "closed"
                    : loop.isRunning() ? "running" : "stopped");
            detail.put("recentDelayNanos", delay);
            String problem = null;
            if (failure != null) {
                problem = "the loop failed and is closed: " + failure;
            } else if (!loop.isRunning()) {
                problem = loop.isClosed() ? "the loop is closed" : "the loop is not running (stopped, or its thread ended)";
            } else if (delay > maxDelay.toNanos()) {
                problem = "loop delay " + Duration.ofNanos(delay) + " exceeds loop.health.max-delay=" + maxDelay;
            }
            if (problem != null) {
                detail.put("reason", problem);
                up = false;
            }
            builder.withDetail(e.getKey(), detail);
        }
        if (up) {
            builder.up();
        } else {
            builder.down();
        }
    }
}

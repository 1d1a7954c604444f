package dev.loop.autoconfigure;

import java.time.Duration;

import dev.loop.autoconfigure.LoopProperties.BackendChoice;
import dev.loop.autoconfigure.LoopProperties.OnUnavailable;
import dev.loop.autoconfigure.LoopProperties.PollerChoice;

/**
 * The settings of one auto-configured loop, resolved: the {@code eventLoop} bean's from {@code loop.*}, a
 * {@code loop.loops.<key>} loop's from its own keys where set and {@code loop.*} where not.
 *
 * @param beanName the loop's bean name
 * @param prefix   where its settings are, {@code loop.} or {@code loop.loops.<key>.}: what messages name
 * @param name     {@code name} as configured, or null for the default
 * @param timerSlack {@code timer-slack} as configured, or null for the loop's default
 */
record LoopSettings(String beanName, String prefix, BackendChoice backend, PollerChoice poller,
        OnUnavailable onUnavailable, String name, String threadName, boolean debug, Duration slowCallbackThreshold,
        Duration blockedThreshold, Duration delaySamplingInterval, Duration timerSlack, Duration maxDelay) {

    /** The property {@code key} of this loop, as a user writes it: {@code loop.loops.io.backend}. */
    String property(String key) {
        return prefix + key;
    }
}

package dev.loop;

/**
 * Receives each loop-delay sample and each timer's lateness as the loop records them, for a metrics
 * library (the Spring Boot starter feeds Micrometer timers with it). Called on the loop thread;
 * must be quick and must not throw.
 */
public interface LoopMetricsListener {

    /** A loop-delay sample: from the monitor's request to the loop's next step, in nanoseconds. */
    default void delay(long nanos) {
    }

    /** How late a timer started after its due time, in nanoseconds. */
    default void timerLateness(long nanos) {
    }
}

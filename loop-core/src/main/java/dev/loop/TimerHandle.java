package dev.loop;

/** A callback scheduled for a point in loop time. */
public interface TimerHandle extends Handle {

    /** When the callback is due, on the {@link EventLoop#time()} clock, in nanoseconds. */
    long when();
}

package dev.loop.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/** Waiting for what another thread or process delivers, with a bound that fails the test. */
public final class TestQueues {

    private TestQueues() {
    }

    /** The next element of {@code queue}; fails if none arrives within {@code seconds}. */
    public static <T> T take(BlockingQueue<T> queue, int seconds) throws InterruptedException {
        T next = queue.poll(seconds, TimeUnit.SECONDS);
        assertThat(next).as("delivered within %d s", seconds).isNotNull();
        return next;
    }
}

package dev.loop.autoconfigure;

import dev.loop.EventLoop;
import dev.loop.LoopOptions;

/**
 * A bean that adjusts the auto-configured loop, as Boot's executor customizers do: first its options (after
 * the {@code loop.*} properties were applied), then the loop itself once it exists and before it starts (an
 * exception handler, a metrics listener). Customizers run in {@link org.springframework.core.annotation.Order}.
 */
public interface EventLoopCustomizer {

    /** Before the loop is created. The backend and poller chosen from the properties are set already. */
    default void customize(LoopOptions.Builder options) {
    }

    /** After the loop is created, before the context starts it. */
    default void customize(EventLoop loop) {
    }
}

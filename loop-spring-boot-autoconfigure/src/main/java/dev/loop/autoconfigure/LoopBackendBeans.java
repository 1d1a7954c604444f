package dev.loop.autoconfigure;

import org.springframework.context.annotation.Bean;

import dev.loop.BackendUnavailableException;
import dev.loop.EventLoop;
import dev.loop.EventLoops;
import dev.loop.LoopOptions;
import dev.loop.platform.BackendProbe;

/**
 * The beans every backend configuration of {@link LoopAutoConfiguration} defines (a top-level class,
 * so that it is not itself taken for a configuration). The backend comes from the selection.
 */
abstract class LoopBackendBeans {

    private static final System.Logger LOG = System.getLogger(LoopAutoConfiguration.class.getName());

    @Bean
    BackendSelection loopBackendSelection(LoopProperties properties) {
        return BackendSelection.select(properties.getBackend(), properties.getPoller(), properties.getOnUnavailable());
    }

    @Bean(name = LoopAutoConfiguration.LOOP_BEAN_NAME)
    EventLoop eventLoop(LoopProperties properties, BackendSelection selection) {
        if (!selection.usable()) {
            throw new BackendUnavailableException(BackendProbe.probe(selection.backend(), selection.poller()));
        }
        if (selection.fallback()) {
            LOG.log(System.Logger.Level.WARNING, "Event loop: " + selection.reason());
        } else {
            LOG.log(System.Logger.Level.INFO, "Event loop on " + selection.backend().id()
                    + (selection.poller() != null ? " (" + selection.poller().id() + ")" : "") + ": " + selection.reason());
        }
        return EventLoops.create(LoopOptions.builder().name(LoopAutoConfiguration.LOOP_BEAN_NAME).threadName(properties.getThreadName())
                .backend(selection.backend()).poller(selection.poller()).debug(properties.isDebug())
                .slowCallbackThreshold(properties.getSlowCallbackThreshold())
                .blockedThreshold(properties.getBlockedThreshold())
                .delaySamplingInterval(properties.getDelaySamplingInterval()).build());
    }

    @Bean
    EventLoopLifecycle eventLoopLifecycle(EventLoop eventLoop, LoopProperties properties) {
        return new EventLoopLifecycle(eventLoop, properties.getShutdownTimeout());
    }
}

package dev.loop.autoconfigure;

import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

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

    /** Destroyed after the loop (which depends on it): the name is free again once the loop closed. */
    @Bean
    LoopNames loopName(LoopProperties properties, Environment environment) {
        String base = properties.getName();
        if (base == null || base.isBlank()) {
            String app = environment.getProperty("spring.application.name");
            base = app == null || app.isBlank() ? "eventloop" : app + "-eventloop";
        }
        return LoopNames.claim(base);
    }

    @Bean(name = LoopAutoConfiguration.LOOP_BEAN_NAME)
    EventLoop eventLoop(LoopProperties properties, BackendSelection selection, LoopNames name) {
        if (!selection.usable()) {
            throw new BackendUnavailableException(BackendProbe.probe(selection.backend(), selection.poller()));
        }
        if (selection.fallback()) {
            LOG.log(System.Logger.Level.WARNING, "Event loop: " + selection.reason());
        } else {
            LOG.log(System.Logger.Level.INFO, "Event loop on " + selection.backend().id()
                    + (selection.poller() != null ? " (" + selection.poller().id() + ")" : "") + ": " + selection.reason());
        }
        return EventLoops.create(LoopOptions.builder().name(name.name()).threadName(properties.getThreadName())
                .backend(selection.backend()).poller(selection.poller()).debug(properties.isDebug())
                .slowCallbackThreshold(properties.getSlowCallbackThreshold())
                .blockedThreshold(properties.getBlockedThreshold())
                .delaySamplingInterval(properties.getDelaySamplingInterval()).build());
    }
}

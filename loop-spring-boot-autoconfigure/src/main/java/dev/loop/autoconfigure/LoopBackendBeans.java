package dev.loop.autoconfigure;

import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
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

    private static final System.Logger LOG = dev.loop.LoopLogging.getLogger(LoopAutoConfiguration.class.getName());

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
    EventLoop eventLoop(LoopProperties properties, BackendSelection selection, LoopNames name,
            ObjectProvider<EventLoopCustomizer> customizers) {
        if (!selection.usable()) {
            throw new BackendUnavailableException(BackendProbe.probe(selection.backend(), selection.poller()));
        }
        if (selection.fallback()) {
            LOG.log(System.Logger.Level.WARNING, "Event loop: " + selection.reason());
        } else {
            LOG.log(System.Logger.Level.INFO, "Event loop on " + selection.backend().id()
                    + (selection.poller() != null ? " (" + selection.poller().id() + ")" : "") + ": " + selection.reason());
        }
        warnAboutSurprises(properties);
        LoopOptions.Builder options = LoopOptions.builder().name(name.name()).threadName(properties.getThreadName())
                .backend(selection.backend()).poller(selection.poller()).debug(properties.isDebug())
                .slowCallbackThreshold(properties.getSlowCallbackThreshold())
                .blockedThreshold(properties.getBlockedThreshold())
                .delaySamplingInterval(properties.getDelaySamplingInterval());
        List<EventLoopCustomizer> ordered = customizers.orderedStream().toList();
        ordered.forEach(c -> c.customize(options));
        EventLoop loop = EventLoops.create(options.build());
        try {
            ordered.forEach(c -> c.customize(loop));
        } catch (RuntimeException | Error e) {
            loop.close(); // not a bean yet: nothing else would close it
            throw e;
        }
        return loop;
    }

    /** Settings that start a loop, but not the loop a reader of the configuration would expect: said once. */
    static void warnAboutSurprises(LoopProperties p) {
        LoopProperties.BackendChoice backend = p.getBackend();
        LoopProperties.PollerChoice poller = p.getPoller();
        boolean kqueueWithItsOwn = backend == LoopProperties.BackendChoice.KQUEUE
                && poller == LoopProperties.PollerChoice.KQUEUE;
        boolean pollerIgnored = poller != LoopProperties.PollerChoice.AUTO && !kqueueWithItsOwn
                && (backend == LoopProperties.BackendChoice.PROACTOR || backend == LoopProperties.BackendChoice.KQUEUE);
        if (pollerIgnored) {
            warn("loop.poller=" + BackendSelection.id(poller) + " is ignored: it chooses the selector backend's "
                    + "poller, and loop.backend=" + BackendSelection.id(backend));
        }
        if (p.getBlockedThreshold().isZero()) {
            warn("loop.blocked-threshold=0 turns the watchdog off: a callback that blocks the loop thread is not "
                    + "reported");
        }
        if (p.getDelaySamplingInterval().isZero()) {
            warn("loop.delay-sampling-interval=0 turns loop-delay sampling off: the health indicator cannot compare "
                    + "the delay with loop.health.max-delay (" + p.getHealth().getMaxDelay() + ") and stays UP "
                    + "whatever the delay");
        }
    }

    private static void warn(String message) {
        LOG.log(System.Logger.Level.WARNING, "Event loop: " + message);
    }
}

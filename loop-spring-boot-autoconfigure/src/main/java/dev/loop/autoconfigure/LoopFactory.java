package dev.loop.autoconfigure;

import java.util.List;

import org.springframework.core.env.Environment;

import dev.loop.EventLoop;
import dev.loop.EventLoops;
import dev.loop.LoopOptions;
import dev.loop.platform.BackendProbe;

/**
 * Builds an auto-configured loop from its {@link LoopSettings}: the same way for the {@code eventLoop} bean
 * and for each loop of {@code loop.loops}. Says at startup which backend runs and why, and warns about
 * settings that start a loop other than the one a reader of the configuration would expect.
 */
final class LoopFactory {

    private static final System.Logger LOG = dev.loop.LoopLogging.getLogger(LoopAutoConfiguration.class.getName());

    private LoopFactory() {
    }

    /** {@code loop.name}, else {@code <spring.application.name>-eventloop}, else {@code eventloop}. */
    static String baseName(LoopProperties properties, Environment environment) {
        String base = properties.getName();
        if (base == null || base.isBlank()) {
            String app = environment.getProperty("spring.application.name");
            base = app == null || app.isBlank() ? "eventloop" : app + "-eventloop";
        }
        return base;
    }

    /** Creates the loop (not started), customized by {@code customizers} in their order. */
    static EventLoop create(LoopSettings settings, BackendSelection selection, String name,
            List<EventLoopCustomizer> customizers) {
        if (!selection.usable()) {
            throw new UnavailableLoopBackendException(BackendProbe.probe(selection.backend(), selection.poller()),
                    settings.prefix());
        }
        String which = "Event loop '" + name + "'";
        if (selection.fallback()) {
            LOG.log(System.Logger.Level.WARNING, which + ": " + selection.reason());
        } else {
            LOG.log(System.Logger.Level.INFO, which + " on " + selection.backend().id()
                    + (selection.poller() != null ? " (" + selection.poller().id() + ")" : "") + ": " + selection.reason());
        }
        warnAboutSurprises(settings);
        LoopOptions.Builder options = LoopOptions.builder().name(name).threadName(settings.threadName())
                .backend(selection.backend()).poller(selection.poller()).debug(settings.debug())
                .slowCallbackThreshold(settings.slowCallbackThreshold())
                .blockedThreshold(settings.blockedThreshold())
                .delaySamplingInterval(settings.delaySamplingInterval()).timerSlack(settings.timerSlack());
        customizers.forEach(c -> c.customize(options));
        EventLoop loop = EventLoops.create(options.build());
        try {
            customizers.forEach(c -> c.customize(loop));
        } catch (RuntimeException | Error e) {
            loop.close(); // not a bean yet: nothing else would close it
            throw e;
        }
        return loop;
    }

    /** Settings that start a loop, but not the loop a reader of the configuration would expect: said once. */
    static void warnAboutSurprises(LoopSettings s) {
        LoopProperties.BackendChoice backend = s.backend();
        LoopProperties.PollerChoice poller = s.poller();
        boolean kqueueWithItsOwn = backend == LoopProperties.BackendChoice.KQUEUE
                && poller == LoopProperties.PollerChoice.KQUEUE;
        boolean pollerIgnored = poller != LoopProperties.PollerChoice.AUTO && !kqueueWithItsOwn
                && (backend == LoopProperties.BackendChoice.PROACTOR || backend == LoopProperties.BackendChoice.KQUEUE);
        if (pollerIgnored) {
            warn(s.property("poller") + "=" + BackendSelection.id(poller) + " is ignored: it chooses the selector "
                    + "backend's poller, and " + s.property("backend") + "=" + BackendSelection.id(backend));
        }
        if (s.blockedThreshold().isZero()) {
            warn(s.property("blocked-threshold") + "=0 turns the watchdog off: a callback that blocks the loop thread "
                    + "is not reported");
        }
        if (s.delaySamplingInterval().isZero()) {
            warn(s.property("delay-sampling-interval") + "=0 turns loop-delay sampling off: the health indicator "
                    + "cannot compare the delay with loop.health.max-delay (" + s.maxDelay() + ") and stays UP "
                    + "whatever the delay");
        }
    }

    private static void warn(String message) {
        LOG.log(System.Logger.Level.WARNING, "Event loop: " + message);
    }
}

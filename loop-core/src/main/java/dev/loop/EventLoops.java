package dev.loop;

import java.util.Map;

import dev.loop.platform.BackendAvailability;
import dev.loop.platform.BackendProbe;
import dev.loop.internal.selector.Poller;
import dev.loop.internal.selector.Pollers;
import dev.loop.internal.selector.SelectorBackend;

/** Creates event loops from {@link LoopOptions}. */
public final class EventLoops {

    private EventLoops() {
    }

    /** A loop on the best backend available here, with default options. */
    public static EventLoop create() {
        return create(LoopOptions.defaults());
    }

    /**
     * A loop on the backend and poller the options ask for (or the best available here when unset).
     * Never falls back silently: a requested backend that cannot run throws.
     *
     * @throws BackendUnavailableException when the requested backend or poller cannot run here, with the cause
     */
    public static EventLoop create(LoopOptions options) {
        Backend backend = options.backend();
        PollerKind poller = options.poller();
        if (backend == null && poller == PollerKind.KQUEUE) {
            backend = Backend.KQUEUE;
        }
        if (backend == null) {
            backend = Backend.SELECTOR;
        }
        if (backend == Backend.PROACTOR) {
            BackendAvailability proactor = BackendProbe.probe(Backend.PROACTOR, null);
            if (!proactor.available()) {
                throw new BackendUnavailableException(proactor);
            }
            return dev.loop.internal.uring.UringBackend.newLoop(options);
        }
        if (backend == Backend.KQUEUE) {
            BackendAvailability kqueue = BackendProbe.probe(Backend.KQUEUE, null);
            if (!kqueue.available()) {
                throw new BackendUnavailableException(kqueue);
            }
            poller = PollerKind.KQUEUE; // a selector loop on a kqueue poller
        } else if (backend != Backend.SELECTOR) {
            throw new BackendUnavailableException(BackendProbe.probe(backend, poller));
        }
        if (poller == null) {
            BackendAvailability best = BackendProbe.best().orElseThrow(() -> new BackendUnavailableException(
                    BackendProbe.probe(Backend.SELECTOR, null)));
            poller = best.poller();
        }
        Poller p;
        try {
            p = Pollers.open(poller);
        } catch (LinkageError e) {
            throw unavailable(poller, "JNA cannot load the C library: " + e);
        } catch (RuntimeException e) {
            throw unavailable(poller, e.getMessage());
        }
        try {
            return SelectorBackend.newLoop(options, p);
        } catch (RuntimeException | Error e) {
            p.close();
            throw e;
        }
    }

    private static BackendUnavailableException unavailable(PollerKind poller, String reason) {
        return new BackendUnavailableException(new BackendAvailability(Backend.SELECTOR, poller, false, reason, Map.of()));
    }
}

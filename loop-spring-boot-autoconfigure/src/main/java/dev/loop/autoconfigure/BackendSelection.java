package dev.loop.autoconfigure;

import java.util.List;

import dev.loop.Backend;
import dev.loop.BackendUnavailableException;
import dev.loop.PollerKind;
import dev.loop.autoconfigure.LoopProperties.BackendChoice;
import dev.loop.autoconfigure.LoopProperties.OnUnavailable;
import dev.loop.autoconfigure.LoopProperties.PollerChoice;
import dev.loop.platform.BackendAvailability;
import dev.loop.platform.BackendProbe;

/**
 * Which backend and poller the loop runs on, decided from {@code loop.backend}, {@code loop.poller}
 * and {@code loop.on-unavailable} by probing this machine ({@link BackendProbe}: each candidate is
 * created and closed for real).
 *
 * <p>{@code auto} takes the first usable of: selector with epoll, poll, select (Linux); kqueue is the
 * choice on BSD and macOS once that backend exists. An explicit choice that cannot run here is kept
 * with {@code fail} (startup then fails with the reason) and replaced by the best usable one with
 * {@code fallback}.
 *
 * @param requestedBackend what {@code loop.backend} asked for
 * @param requestedPoller  what {@code loop.poller} asked for
 * @param backend          the backend that runs (or that was asked for and cannot run)
 * @param poller           the poller that runs, for the selector backend
 * @param usable           whether {@code backend}/{@code poller} can run here
 * @param reason           why this choice: how auto chose, or why the request could not be honoured
 * @param fallback         whether the request was replaced by another backend
 */
public record BackendSelection(BackendChoice requestedBackend, PollerChoice requestedPoller, Backend backend,
        PollerKind poller, boolean usable, String reason, boolean fallback) {

    /** Decides, probing this machine, for the settings under {@code loop.}. */
    public static BackendSelection select(BackendChoice backendChoice, PollerChoice pollerChoice, OnUnavailable policy) {
        return select(backendChoice, pollerChoice, policy, "loop.");
    }

    /** Decides for one loop's settings: its reason names them with their prefix ({@code loop.loops.io.}). */
    static BackendSelection select(LoopSettings settings) {
        return select(settings.backend(), settings.poller(), settings.onUnavailable(), settings.prefix());
    }

    private static BackendSelection select(BackendChoice backendChoice, PollerChoice pollerChoice, OnUnavailable policy,
            String prefix) {
        Backend backend = switch (backendChoice) {
            case SELECTOR -> Backend.SELECTOR;
            case PROACTOR -> Backend.PROACTOR;
            case KQUEUE -> Backend.KQUEUE;
            case AUTO -> pollerChoice == PollerChoice.KQUEUE ? Backend.KQUEUE : null;
        };
        PollerKind poller = pollerChoice == PollerChoice.AUTO ? null : PollerKind.valueOf(pollerChoice.name());
        if (backend == null && poller == null) {
            BackendAvailability best = BackendProbe.best().orElseThrow(() -> new BackendUnavailableException(
                    BackendProbe.probe(Backend.SELECTOR, null)));
            return new BackendSelection(backendChoice, pollerChoice, best.backend(), best.poller(), true,
                    "auto: " + best.describe() + " is the best backend available here (order: selector with "
                            + String.join(", ", BackendProbe.selectorOrder(dev.loop.platform.Os.current()).stream().map(PollerKind::id).toList()) + ")",
                    false);
        }
        if (backend == null) {
            backend = Backend.SELECTOR;
        }
        BackendAvailability asked = BackendProbe.probe(backend, backend == Backend.SELECTOR ? poller : null);
        if (asked.available()) {
            return new BackendSelection(backendChoice, pollerChoice, backend, asked.poller(), true,
                    "requested: " + prefix + "backend=" + id(backendChoice) + ", " + prefix + "poller="
                            + id(pollerChoice), false);
        }
        if (policy == OnUnavailable.FAIL) {
            return new BackendSelection(backendChoice, pollerChoice, backend, poller, false, asked.reason(), false);
        }
        BackendAvailability best = BackendProbe.best().orElseThrow(() -> new BackendUnavailableException(asked));
        return new BackendSelection(backendChoice, pollerChoice, best.backend(), best.poller(), true,
                asked.describe() + " is not available here (" + asked.reason() + "); fell back to " + best.describe()
                        + " (" + prefix + "on-unavailable=fallback)", true);
    }

    /** What is usable here, as "selector (epoll), selector (poll)". */
    public static String availableHere() {
        List<String> usable = BackendProbe.probeAll().stream().filter(BackendAvailability::available)
                .map(BackendAvailability::describe).toList();
        return usable.isEmpty() ? "nothing" : String.join(", ", usable);
    }

    static String id(Enum<?> e) {
        return e.name().toLowerCase(java.util.Locale.ROOT);
    }
}

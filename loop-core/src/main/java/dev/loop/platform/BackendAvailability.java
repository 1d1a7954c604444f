package dev.loop.platform;

import java.util.Map;

import dev.loop.Backend;
import dev.loop.PollerKind;

/**
 * Whether a backend (and poller) can run on this machine, found by creating and closing the real
 * thing; when not, the cause.
 *
 * @param backend   the backend
 * @param poller    the poller, for selector backends; {@code null} otherwise
 * @param available whether it was created and closed successfully here
 * @param reason    why not (or {@code null} when available)
 * @param details   what the probe learned (timeout mechanism, granularity, limits)
 */
public record BackendAvailability(Backend backend, PollerKind poller, boolean available, String reason,
        Map<String, String> details) {

    public BackendAvailability {
        details = Map.copyOf(details);
    }

    /** {@code "selector (epoll)"}, {@code "proactor"}. */
    public String describe() {
        return poller == null || backend != Backend.SELECTOR ? backend.id() : backend.id() + " (" + poller.id() + ")";
    }
}

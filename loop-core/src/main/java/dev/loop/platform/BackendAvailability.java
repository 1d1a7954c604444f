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
 * @param details   what the probe learned, typed: the timeout mechanism (text), the poll granularity and limits
 *                  (numbers; {@code "none"} for no descriptor limit), io_uring's features (their names) and
 *                  opcode count
 */
public record BackendAvailability(Backend backend, PollerKind poller, boolean available, String reason,
        Map<String, Object> details) {

    public BackendAvailability {
        details = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(details)); // the probe's order
    }

    /** {@code "selector (epoll)"}, {@code "proactor"}. */
    public String describe() {
        return poller == null || backend != Backend.SELECTOR ? backend.id() : backend.id() + " (" + poller.id() + ")";
    }
}

package dev.loop.autoconfigure;

import dev.loop.BackendUnavailableException;
import dev.loop.platform.BackendAvailability;

/** A configured loop's backend cannot run here; {@link #prefix()} says where it is configured. */
class UnavailableLoopBackendException extends BackendUnavailableException {

    private static final long serialVersionUID = 1L;

    private final String prefix;

    UnavailableLoopBackendException(BackendAvailability availability, String prefix) {
        super(availability);
        this.prefix = prefix;
    }

    /** {@code loop.} or {@code loop.loops.<key>.}. */
    String prefix() {
        return prefix;
    }
}

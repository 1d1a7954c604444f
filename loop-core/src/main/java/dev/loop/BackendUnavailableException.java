package dev.loop;

import dev.loop.platform.BackendAvailability;

/** The requested backend or poller cannot run on this machine; {@link #availability()} says why. */
public class BackendUnavailableException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final transient BackendAvailability availability;

    public BackendUnavailableException(BackendAvailability availability) {
        super(availability.describe() + " is not available here: " + availability.reason());
        this.availability = availability;
    }

    public BackendAvailability availability() {
        return availability;
    }
}

package dev.loop.capability;

import dev.loop.Backend;
import dev.loop.PollerKind;
import dev.loop.platform.Os;

/**
 * The operation needs a capability this backend does not have on this platform. Thrown before any
 * native call. Names the capability, backend, poller, OS, the reason and what to use instead.
 */
public class CapabilityNotSupportedException extends UnsupportedOperationException {

    private static final long serialVersionUID = 1L;

    private final Capability capability;
    private final Backend backend;
    private final PollerKind poller;
    private final Os os;
    private final String reason;
    private final String alternative;

    public CapabilityNotSupportedException(Capability capability, Backend backend, PollerKind poller, Os os,
            String reason, String alternative, String detail) {
        super(capability.label() + " is not supported by the " + backend.id()
                + (poller == null ? "" : " (" + poller.id() + ")") + " backend on " + os.displayName()
                + (detail == null ? "" : " [" + detail + "]") + ": " + reason + ". Instead: " + alternative);
        this.capability = capability;
        this.backend = backend;
        this.poller = poller;
        this.os = os;
        this.reason = reason;
        this.alternative = alternative;
    }

    public Capability capability() {
        return capability;
    }

    public Backend backend() {
        return backend;
    }

    public PollerKind poller() {
        return poller;
    }

    public Os os() {
        return os;
    }

    public String reason() {
        return reason;
    }

    public String alternative() {
        return alternative;
    }
}

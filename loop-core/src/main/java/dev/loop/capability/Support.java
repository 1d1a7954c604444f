package dev.loop.capability;

import java.util.Objects;

/**
 * Whether a capability is supported; when not, why and what to use instead. A supported capability
 * may carry a note on a restriction ("sockets only").
 *
 * @param supported   whether it can be used
 * @param reason      why not (or the restriction, when supported); {@code null} when there is nothing to say
 * @param alternative what to use instead; {@code null} when supported
 */
public record Support(boolean supported, String reason, String alternative) {

    private static final Support YES = new Support(true, null, null);

    public Support {
        if (!supported) {
            Objects.requireNonNull(reason, "an unsupported capability needs a reason");
            Objects.requireNonNull(alternative, "an unsupported capability needs an alternative");
        }
    }

    public static Support yes() {
        return YES;
    }

    /** Supported, with a restriction worth knowing. */
    public static Support restricted(String note) {
        return new Support(true, note, null);
    }

    public static Support no(String reason, String alternative) {
        return new Support(false, reason, alternative);
    }
}

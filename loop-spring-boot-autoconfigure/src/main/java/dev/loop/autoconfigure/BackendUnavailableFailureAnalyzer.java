package dev.loop.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

import dev.loop.BackendUnavailableException;
import dev.loop.platform.BackendAvailability;

/**
 * Explains a backend or poller that cannot run on this machine: what was asked, why it cannot run,
 * what is available here, and which property to change.
 */
class BackendUnavailableFailureAnalyzer extends AbstractFailureAnalyzer<BackendUnavailableException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, BackendUnavailableException cause) {
        BackendAvailability asked = cause.availability();
        String prefix = cause instanceof UnavailableLoopBackendException u ? u.prefix() : "loop.";
        String requested = prefix + "backend=" + asked.backend().id()
                + (asked.poller() != null ? ", " + prefix + "poller=" + asked.poller().id() : "");
        String description = "The event loop could not start: " + requested + " (" + asked.describe()
                + ") cannot run on this machine (" + dev.loop.platform.Platform.current().os().displayName() + " "
                + dev.loop.platform.Platform.current().kernel() + ", " + System.getProperty("os.arch") + "): "
                + asked.reason() + ".\nAvailable here: " + BackendSelection.availableHere() + ".";
        String action = "Set " + prefix + "backend (and " + prefix + "poller) to one available here, or to auto; or set "
                + prefix + "on-unavailable=fallback to start on the best available backend with a warning.";
        return new FailureAnalysis(description, action, cause);
    }
}

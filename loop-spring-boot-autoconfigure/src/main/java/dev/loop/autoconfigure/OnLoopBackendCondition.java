package dev.loop.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

import dev.loop.Backend;
import dev.loop.autoconfigure.LoopProperties.BackendChoice;
import dev.loop.autoconfigure.LoopProperties.OnUnavailable;
import dev.loop.autoconfigure.LoopProperties.PollerChoice;

/**
 * The condition behind {@link ConditionalOnLoopBackend}: binds the {@code loop.*} choices (no beans
 * exist yet) and probes this machine.
 */
class OnLoopBackendCondition extends SpringBootCondition {

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        Backend candidate = metadata.getAnnotations().get(ConditionalOnLoopBackend.class).getEnum("value", Backend.class);
        BackendSelection selection = selection(Binder.get(context.getEnvironment()));
        ConditionMessage.Builder message = ConditionMessage.forCondition(ConditionalOnLoopBackend.class, candidate);
        String because = "loop.backend=" + BackendSelection.id(selection.requestedBackend()) + " selects "
                + selection.backend().id() + " (" + selection.reason() + ")";
        return selection.backend() == candidate ? ConditionOutcome.match(message.because(because))
                : ConditionOutcome.noMatch(message.because(because));
    }

    static BackendSelection selection(Binder binder) {
        BackendChoice backend = binder.bind("loop.backend", BackendChoice.class).orElse(BackendChoice.AUTO);
        PollerChoice poller = binder.bind("loop.poller", PollerChoice.class).orElse(PollerChoice.AUTO);
        OnUnavailable policy = binder.bind("loop.on-unavailable", OnUnavailable.class).orElse(OnUnavailable.FAIL);
        return BackendSelection.select(backend, poller, policy);
    }
}

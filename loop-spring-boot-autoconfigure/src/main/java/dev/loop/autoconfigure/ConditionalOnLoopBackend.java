package dev.loop.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.context.annotation.Conditional;

import dev.loop.Backend;

/**
 * Matches when {@code loop.backend}, {@code loop.poller} and {@code loop.on-unavailable} select this
 * backend on this machine (see {@link BackendSelection}).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Conditional(OnLoopBackendCondition.class)
public @interface ConditionalOnLoopBackend {

    Backend value();
}

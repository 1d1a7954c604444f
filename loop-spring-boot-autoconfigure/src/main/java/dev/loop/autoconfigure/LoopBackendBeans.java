package dev.loop.autoconfigure;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;

import dev.loop.EventLoop;

/**
 * The beans every backend configuration of {@link LoopAutoConfiguration} defines (a top-level class,
 * so that it is not itself taken for a configuration). The backend comes from the selection.
 */
abstract class LoopBackendBeans {

    @Bean
    BackendSelection loopBackendSelection(LoopProperties properties) {
        return BackendSelection.select(properties.settings());
    }

    /** Destroyed after the loop (which depends on it): the name is free again once the loop closed. */
    @Bean
    LoopNames loopName(LoopProperties properties, Environment environment) {
        return LoopNames.claim(LoopFactory.baseName(properties, environment));
    }

    /** Primary: the loop an {@code EventLoop} injection point gets when {@code loop.loops} adds others. */
    @Bean(name = LoopAutoConfiguration.LOOP_BEAN_NAME)
    @Primary
    EventLoop eventLoop(LoopProperties properties, BackendSelection selection, LoopNames name,
            ObjectProvider<EventLoopCustomizer> customizers) {
        return LoopFactory.create(properties.settings(), selection, name.name(), customizers.orderedStream().toList());
    }
}

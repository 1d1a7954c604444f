package dev.loop.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import dev.loop.EventLoop;

/** The {@code eventloop} actuator endpoint, when Actuator is present and the endpoint is available. */
@AutoConfiguration(after = LoopAutoConfiguration.class)
@ConditionalOnClass({EventLoop.class, ConditionalOnAvailableEndpoint.class})
@ConditionalOnAvailableEndpoint(EventLoopEndpoint.class)
public final class LoopEndpointAutoConfiguration {

    LoopEndpointAutoConfiguration() {
    }

    @Bean
    @ConditionalOnBean(EventLoop.class)
    @ConditionalOnMissingBean
    EventLoopEndpoint eventLoopEndpoint(Map<String, EventLoop> loops, ObjectProvider<BackendSelection> selection,
            ObjectProvider<PropertyLoops> propertyLoops) {
        Map<String, BackendSelection> selections = new LinkedHashMap<>();
        selection.ifUnique(s -> selections.put(LoopAutoConfiguration.LOOP_BEAN_NAME, s));
        propertyLoops.ifAvailable(p -> selections.putAll(p.selections()));
        return new EventLoopEndpoint(loops, selections);
    }
}

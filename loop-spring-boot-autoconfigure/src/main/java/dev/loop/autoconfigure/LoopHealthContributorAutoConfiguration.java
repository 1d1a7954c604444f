package dev.loop.autoconfigure;

import java.util.Map;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;

import dev.loop.EventLoop;

/** The {@code eventloop} health indicator, when spring-boot-health is present ({@code management.health.eventloop.enabled}). */
@AutoConfiguration(after = LoopAutoConfiguration.class)
@ConditionalOnClass({EventLoop.class, ConditionalOnEnabledHealthIndicator.class})
@ConditionalOnBean(EventLoop.class)
@ConditionalOnEnabledHealthIndicator("eventloop")
public final class LoopHealthContributorAutoConfiguration {

    LoopHealthContributorAutoConfiguration() {
    }

    @Bean("eventloopHealthIndicator")
    @ConditionalOnMissingBean(name = "eventloopHealthIndicator")
    EventLoopHealthIndicator eventloopHealthIndicator(Map<String, EventLoop> loops,
            org.springframework.beans.factory.ObjectProvider<LoopProperties> properties) {
        LoopProperties p = properties.getIfAvailable(LoopProperties::new);
        return new EventLoopHealthIndicator(loops, p.getHealth().getMaxDelay());
    }
}

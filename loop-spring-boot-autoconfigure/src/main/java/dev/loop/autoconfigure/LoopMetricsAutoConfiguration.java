package dev.loop.autoconfigure;

import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import dev.loop.EventLoop;

/** Micrometer meters of the loops, when Micrometer and a registry are present. */
@AutoConfiguration(after = LoopAutoConfiguration.class,
        afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass({EventLoop.class, MeterRegistry.class})
@ConditionalOnBean({EventLoop.class, MeterRegistry.class})
public final class LoopMetricsAutoConfiguration {

    LoopMetricsAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean
    EventLoopMetrics eventLoopMetrics(Map<String, EventLoop> loops) {
        return new EventLoopMetrics(loops);
    }
}

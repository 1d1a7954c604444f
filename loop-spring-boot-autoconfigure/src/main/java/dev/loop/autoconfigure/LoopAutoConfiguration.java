package dev.loop.autoconfigure;

import java.util.List;
import java.util.Map;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.beans.factory.ObjectProvider;

import dev.loop.Backend;
import dev.loop.EventLoop;

/**
 * The event loop: backend chosen by {@code loop.backend}/{@code loop.poller} through
 * {@link ConditionalOnLoopBackend} (one configuration per backend). A user-defined {@link EventLoop} bean
 * makes it back off. The loops of {@code loop.loops} come besides it ({@link PropertyLoops}). Every loop of the context, the auto-configured one or the application's, is started and
 * stopped with the context by {@link EventLoopLifecycle} ({@code loop.manage-application-loops=false} leaves
 * the application's own loops alone).
 */
@AutoConfiguration
@ConditionalOnClass(EventLoop.class)
@ConditionalOnBooleanProperty(name = "loop.enabled", matchIfMissing = true)
@EnableConfigurationProperties(LoopProperties.class)
@Import(PropertyLoops.Registrar.class)
public final class LoopAutoConfiguration {

    /** The loop bean's name, and the key of the loop in the endpoint. */
    public static final String LOOP_BEAN_NAME = "eventLoop";

    LoopAutoConfiguration() {
        // Into the application's logging directly: java.util.logging goes quiet during a SIGTERM shutdown.
        dev.loop.LoopLogging.setLoggerFactory(CommonsLoggingLogger::new);
    }

    @Bean
    EventLoopLifecycle eventLoopLifecycle(Map<String, EventLoop> loops, LoopProperties properties) {
        List<EventLoop> managed = loops.entrySet().stream()
                .filter(e -> properties.isManageApplicationLoops() || e.getKey().equals(LOOP_BEAN_NAME)
                        || properties.getLoops().containsKey(e.getKey()))
                .map(Map.Entry::getValue).toList();
        return new EventLoopLifecycle(managed, properties.getShutdownTimeout());
    }

    @Bean(PropertyLoops.BEAN_NAME)
    PropertyLoops propertyLoops(LoopProperties properties, Environment environment,
            ObjectProvider<EventLoopCustomizer> customizers) {
        return new PropertyLoops(properties, environment, customizers);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(EventLoop.class)
    @ConditionalOnLoopBackend(Backend.SELECTOR)
    static class SelectorBackendConfiguration extends LoopBackendBeans {
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(EventLoop.class)
    @ConditionalOnLoopBackend(Backend.PROACTOR)
    static class ProactorBackendConfiguration extends LoopBackendBeans {
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(EventLoop.class)
    @ConditionalOnLoopBackend(Backend.KQUEUE)
    static class KqueueBackendConfiguration extends LoopBackendBeans {
    }
}

package dev.loop.autoconfigure;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;

import dev.loop.EventLoop;

/**
 * The loops of {@code loop.loops.<key>.*}: {@link Registrar} defines one {@code EventLoop} bean per key, named
 * by the key, and each is made here ({@link #create}) from its settings, with {@code loop.*}'s where it sets
 * none. They are beans like the {@code eventLoop} one: started, paused and shut down with the context, with
 * their own thread, meters, health entry and endpoint entry.
 *
 * <p>With AOT processing the set of loops is fixed when the application is built, as every bean definition is.
 */
final class PropertyLoops implements DisposableBean {

    static final String BEAN_NAME = "dev.loop.autoconfigure.PropertyLoops";

    private final LoopProperties properties;
    private final Environment environment;
    private final ObjectProvider<EventLoopCustomizer> customizers;
    private final Map<String, BackendSelection> selections = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<LoopNames> names = Collections.synchronizedList(new ArrayList<>());

    PropertyLoops(LoopProperties properties, Environment environment, ObjectProvider<EventLoopCustomizer> customizers) {
        this.properties = properties;
        this.environment = environment;
        this.customizers = customizers;
    }

    /** The factory method of the bean {@code key}. */
    EventLoop create(String key) {
        LoopSettings settings = properties.settings(key);
        BackendSelection selection = BackendSelection.select(settings);
        LoopNames name = LoopNames.claim(settings.name() != null && !settings.name().isBlank() ? settings.name()
                : LoopFactory.baseName(properties, environment) + "-" + key);
        names.add(name);
        selections.put(key, selection);
        return LoopFactory.create(settings, selection, name.name(), customizers.orderedStream().toList());
    }

    /** How each loop created so far got its backend, by bean name. */
    Map<String, BackendSelection> selections() {
        synchronized (selections) {
            return Map.copyOf(selections);
        }
    }

    /** After the loops, which depend on this bean: their names are free again once they closed. */
    @Override
    public void destroy() {
        synchronized (names) {
            names.forEach(LoopNames::destroy);
            names.clear();
        }
    }

    /**
     * One bean definition per key of {@code loop.loops}. Imported by {@link LoopAutoConfiguration} and so run
     * after its backend configurations were decided: these loops come besides the {@code eventLoop} one, and
     * do not make it back off as an application's own loop does.
     */
    static final class Registrar implements ImportBeanDefinitionRegistrar, EnvironmentAware {

        private Environment environment;

        @Override
        public void setEnvironment(Environment environment) {
            this.environment = environment;
        }

        @Override
        public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
            Map<String, LoopProperties.Loop> loops = Binder.get(environment)
                    .bind("loop.loops", Bindable.mapOf(String.class, LoopProperties.Loop.class)).orElse(Map.of());
            for (String key : loops.keySet()) {
                if (key.equals(LoopAutoConfiguration.LOOP_BEAN_NAME)) {
                    throw new IllegalStateException("loop.loops." + key + ": '" + key + "' is the bean name of the "
                            + "loop that loop.* configures; give this loop another key");
                }
                if (registry.containsBeanDefinition(key)) {
                    throw new IllegalStateException("loop.loops." + key + ": the context has a bean named '" + key
                            + "' already (" + registry.getBeanDefinition(key).getResourceDescription()
                            + "); the key is the loop's bean name, give this loop another key");
                }
                RootBeanDefinition loop = new RootBeanDefinition();
                loop.setFactoryBeanName(BEAN_NAME);
                loop.setFactoryMethodName("create");
                loop.getConstructorArgumentValues().addIndexedArgumentValue(0, key);
                loop.setTargetType(EventLoop.class);
                loop.setDestroyMethodName(AbstractBeanDefinition.INFER_METHOD);
                registry.registerBeanDefinition(key, loop);
            }
        }
    }
}

package dev.loop.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeHint;
import org.springframework.aot.hint.TypeReference;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.aot.AotServices;

import dev.loop.internal.nativeio.ReflectiveAccess;

/**
 * The hints cover the real members: every native method JNA binds, every field a VarHandle reaches, the
 * {@code sun.misc.Signal} calls and proxy, JNA's dispatch library for this platform, the failure analyzer and
 * the per-loop properties; and Spring finds the registrar through {@code aot.factories}.
 */
class LoopRuntimeHintsTests {

    private final ClassLoader classLoader = getClass().getClassLoader();
    private final RuntimeHints hints = new RuntimeHints();

    LoopRuntimeHintsTests() {
        new LoopRuntimeHints().registerHints(hints, classLoader);
    }

    @Test
    void springFindsTheRegistrarThroughAotFactories() {
        List<RuntimeHintsRegistrar> registrars = AotServices.factories(classLoader).load(RuntimeHintsRegistrar.class)
                .asList();
        assertThat(registrars).hasAtLeastOneElementOfType(LoopRuntimeHints.class);
    }

    @Test
    void everyNativeMethodJnaBindsIsReflectableAndRegisteredForJni() throws Exception {
        for (String name : ReflectiveAccess.DIRECT_MAPPED) {
            Class<?> type = Class.forName(name, false, classLoader); // not initialized: that would bind them
            List<Method> natives = Arrays.stream(type.getDeclaredMethods())
                    .filter(m -> Modifier.isNative(m.getModifiers())).toList();
            assertThat(natives).as(name).isNotEmpty();
            for (Method m : natives) {
                assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(m)).as(m.toString()).accepts(hints);
            }
            TypeHint jni = hints.jni().getTypeHint(TypeReference.of(name));
            assertThat(jni).as(name).isNotNull();
            assertThat(jni.getMemberCategories()).contains(MemberCategory.INVOKE_DECLARED_METHODS);
        }
    }

    @Test
    void everyFieldAVarHandleReachesIsAccessible() throws Exception {
        for (String name : ReflectiveAccess.VAR_HANDLE_OWNERS) {
            Class<?> type = Class.forName(name, false, classLoader);
            for (Field f : type.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    assertThat(RuntimeHintsPredicates.reflection().onFieldAccess(f)).as(f.toString()).accepts(hints);
                }
            }
        }
    }

    @Test
    void signalHandlersReflectionAndProxyAreCovered() throws Exception {
        Class<?> signal = Class.forName(ReflectiveAccess.SIGNAL, false, classLoader);
        Class<?> handler = Class.forName(ReflectiveAccess.SIGNAL_HANDLER, false, classLoader);
        assertThat(RuntimeHintsPredicates.reflection().onConstructorInvocation(signal.getConstructor(String.class)))
                .accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(signal.getMethod("handle", signal, handler)))
                .accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(signal.getMethod("getNumber")))
                .accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(handler.getMethod("handle", signal)))
                .accepts(hints);
        assertThat(RuntimeHintsPredicates.proxies().forInterfaces(TypeReference.of(ReflectiveAccess.SIGNAL_HANDLER)))
                .accepts(hints);
    }

    @Test
    void jnasDispatchLibraryForThisPlatformIsIncluded() {
        String dispatch = "com/sun/jna/" + com.sun.jna.Platform.RESOURCE_PREFIX + "/"
                + System.mapLibraryName("jnidispatch");
        assertThat(classLoader.getResource(dispatch)).isNotNull();
        assertThat(RuntimeHintsPredicates.resource().forResource(dispatch)).accepts(hints);
        for (String type : ReflectiveAccess.JNA_JNI) {
            assertThat(hints.jni().getTypeHint(TypeReference.of(type))).as(type).isNotNull();
        }
    }

    @Test
    void theStartersOwnReflectionIsCovered() throws Exception {
        assertThat(RuntimeHintsPredicates.reflection().onConstructorInvocation(
                BackendUnavailableFailureAnalyzer.class.getDeclaredConstructor())).accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(LoopProperties.Loop.class, "setBackend"))
                .accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(LoopProperties.class, "getLoops"))
                .accepts(hints);
    }
}

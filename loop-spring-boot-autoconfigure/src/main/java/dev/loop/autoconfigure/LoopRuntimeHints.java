package dev.loop.autoconfigure;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.boot.context.properties.bind.BindableRuntimeHintsRegistrar;

import dev.loop.internal.nativeio.ReflectiveAccess;

/**
 * What an ahead-of-time build (GraalVM native-image) must know that Spring's AOT processing cannot see:
 * loop-core's JNA bindings, VarHandles and {@code sun.misc.Signal} use ({@link ReflectiveAccess}), JNA's own
 * JNI needs and dispatch library, and the starter's failure analyzer and per-loop properties. Registered in
 * {@code META-INF/spring/aot.factories}.
 */
class LoopRuntimeHints implements RuntimeHintsRegistrar {

    @Override
    public void registerHints(RuntimeHints hints, ClassLoader classLoader) {
        for (String type : ReflectiveAccess.DIRECT_MAPPED) {
            // JNA lists the native methods by reflection and binds them through JNI's RegisterNatives.
            hints.reflection().registerType(TypeReference.of(type), MemberCategory.INVOKE_DECLARED_METHODS,
                    MemberCategory.INVOKE_PUBLIC_METHODS);
            hints.jni().registerType(TypeReference.of(type), MemberCategory.INVOKE_DECLARED_METHODS);
        }
        for (String type : ReflectiveAccess.VAR_HANDLE_OWNERS) {
            hints.reflection().registerType(TypeReference.of(type), MemberCategory.ACCESS_DECLARED_FIELDS);
        }
        for (String type : ReflectiveAccess.JNA_JNI) {
            hints.jni().registerType(TypeReference.of(type), MemberCategory.INVOKE_DECLARED_CONSTRUCTORS,
                    MemberCategory.INVOKE_DECLARED_METHODS, MemberCategory.ACCESS_DECLARED_FIELDS);
        }
        hints.resources().registerPattern(ReflectiveAccess.JNA_DISPATCH_LIBRARY);
        hints.reflection().registerType(TypeReference.of(ReflectiveAccess.SIGNAL),
                MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS, MemberCategory.INVOKE_PUBLIC_METHODS);
        hints.reflection().registerType(TypeReference.of(ReflectiveAccess.SIGNAL_HANDLER),
                MemberCategory.INVOKE_PUBLIC_METHODS);
        hints.proxies().registerJdkProxy(TypeReference.of(ReflectiveAccess.SIGNAL_HANDLER));
        // Listed in spring.factories, instantiated by reflection.
        hints.reflection().registerType(BackendUnavailableFailureAnalyzer.class,
                MemberCategory.INVOKE_DECLARED_CONSTRUCTORS);
        // loop.loops.<key>.* are bound at run time as well as when the build registers the loops' beans.
        BindableRuntimeHintsRegistrar.forTypes(LoopProperties.class, LoopProperties.Loop.class).registerHints(hints);
    }
}

package dev.loop.internal.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** Field handles for the engine's lock-free and opaque accesses, looked up once per class. */
final class VarHandles {

    private VarHandles() {
    }

    /**
     * The handle of field {@code name} of {@code owner}, found with {@code lookup} (the caller's own, so that
     * private fields are reachable). Called from static initializers: a missing field is a build error.
     */
    static VarHandle field(MethodHandles.Lookup lookup, Class<?> owner, String name, Class<?> type) {
        try {
            return lookup.findVarHandle(owner, name, type);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}

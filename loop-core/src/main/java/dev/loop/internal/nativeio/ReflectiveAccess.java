package dev.loop.internal.nativeio;

import java.util.List;

/**
 * What loop-core reaches by reflection, JNI or a dynamic proxy rather than by plain calls: the list an
 * ahead-of-time compiler (GraalVM native-image, through the starter's Spring {@code RuntimeHints}) must be
 * told about. Names, not classes: reading this list loads and initializes nothing (a direct-mapped class
 * binds its native methods when it is initialized). A test keeps it equal to the sources.
 */
public final class ReflectiveAccess {

    /** Classes whose native methods JNA binds ({@code Native.register}): their methods by reflection and JNI. */
    public static final List<String> DIRECT_MAPPED = List.of(
            "dev.loop.internal.nativeio.LibC",
            "dev.loop.internal.nativeio.Spawn",
            "dev.loop.internal.nativeio.Kqueue$Calls");

    /** Classes with fields reached through {@code VarHandle}s ({@code MethodHandles.Lookup.findVarHandle}). */
    public static final List<String> VAR_HANDLE_OWNERS = List.of(
            "dev.loop.internal.engine.CallbackHandle",
            "dev.loop.internal.engine.Inbox$Chunk",
            "dev.loop.internal.engine.InboxConsumerChunk",
            "dev.loop.internal.engine.InboxProducerIndex",
            "dev.loop.internal.engine.Loop",
            "dev.loop.internal.engine.LoopMetrics",
            "dev.loop.internal.engine.LoopThreadState",
            "dev.loop.internal.engine.TimerEntry");

    /**
     * {@code sun.misc.Signal} (its constructor, {@code handle} and {@code getNumber}) and
     * {@code sun.misc.SignalHandler} (implemented by a dynamic proxy): signal handlers use them by reflection.
     */
    public static final String SIGNAL = "sun.misc.Signal";
    public static final String SIGNAL_HANDLER = "sun.misc.SignalHandler";

    /** JNA's native dispatch library, one per platform inside JNA's jar, extracted when JNA loads. */
    public static final String JNA_DISPATCH_LIBRARY = "com/sun/jna/*/libjnidispatch.*";

    /**
     * JNA's classes that its dispatch library reaches through JNI (calls back into Java, reads fields), as
     * JNA's own native-image configuration lists them.
     */
    public static final List<String> JNA_JNI = List.of(
            "com.sun.jna.Callback",
            "com.sun.jna.CallbackReference",
            "com.sun.jna.CallbackReference$AttachOptions",
            "com.sun.jna.FromNativeConverter",
            "com.sun.jna.IntegerType",
            "com.sun.jna.JNIEnv",
            "com.sun.jna.Native",
            "com.sun.jna.Native$ffi_callback",
            "com.sun.jna.NativeLong",
            "com.sun.jna.NativeMapped",
            "com.sun.jna.Pointer",
            "com.sun.jna.PointerType",
            "com.sun.jna.Structure",
            "com.sun.jna.Structure$ByValue",
            "com.sun.jna.Structure$FFIType",
            "com.sun.jna.Structure$FFIType$FFITypes",
            "com.sun.jna.WString",
            "com.sun.jna.ptr.PointerByReference");

    private ReflectiveAccess() {
    }
}

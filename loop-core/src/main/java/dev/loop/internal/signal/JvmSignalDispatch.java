package dev.loop.internal.signal;

import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.nativeio.NativeMemory;
import dev.loop.platform.Os;

/**
 * Makes the JVM deliver a signal whose disposition was inherited as "ignore".
 *
 * <p>HotSpot does not install its handler for INT, TERM or HUP when the process started with the signal
 * ignored ({@code JVM_RegisterSignal} returns {@code SIG_IGN} and leaves the disposition as it is), yet
 * {@code sun.misc.Signal.handle} stores the Java handler and reports success: the handler never runs.
 * This class then installs, for that signal, the JVM's own generic handler, the one it installs for every
 * other signal a Java handler asks for, with the same mask and flags: the signal goes through the JVM's
 * signal thread to the Java handler like any other. No handler of ours runs in signal context.
 *
 * <p>The JVM's handler is found once, by registering a no-op Java handler for SIGURG (ignored by default,
 * unused by the JVM), reading the disposition the JVM installed, and restoring SIGURG's previous handler.
 * Linux only: {@code struct sigaction} is read and written as glibc lays it out.
 */
final class JvmSignalDispatch {

    /** The JVM's generic handler for Java-handled signals, as a {@code struct sigaction}; found once. */
    private static NativeMemory jvmAction;

    private JvmSignalDispatch() {
    }

    /**
     * If signal {@code number} (whose Java handler was just registered) is still ignored in the kernel,
     * installs the JVM's dispatch for it; throws {@link IllegalStateException} saying why when it cannot.
     * Called with the registry's lock held.
     */
    static void deliverEvenIfIgnored(int number, String name) {
        if (Os.current() != Os.LINUX) {
            return; // no inherited-ignore repair there: the loop's native layer is Linux's
        }
        try (NativeMemory current = new NativeMemory(Linux.SIGACTION_SIZE)) {
            if (LibC.sigaction(number, 0, current.address()) != 0) {
                throw new IllegalStateException("cannot read the disposition of SIG" + name + ": "
                        + Errno.name(LibC.errno()));
            }
            if (current.buffer().getLong(0) != Linux.SIG_IGN) {
                return; // the JVM installed its handler, as usual
            }
        }
        NativeMemory action = jvmAction();
        if (LibC.sigaction(number, action.address(), 0) != 0) {
            throw new IllegalStateException("SIG" + name + " was ignored when the JVM started (nohup, or a background "
                    + "job of a script) and the JVM's handler could not be installed for it: "
                    + Errno.name(LibC.errno()));
        }
    }

    private static NativeMemory jvmAction() {
        if (jvmAction != null) {
            return jvmAction;
        }
        SignalHandlers.SignalApi api = SignalHandlers.SIGNAL;
        Object urg = api.signal("URG");
        NativeMemory action = new NativeMemory(Linux.SIGACTION_SIZE);
        Object previous = api.handle(urg, api.handler(() -> { }));
        try {
            if (LibC.sigaction(api.number(urg), 0, action.address()) != 0) {
                throw new IllegalStateException("cannot read the JVM's signal handler: " + Errno.name(LibC.errno()));
            }
        } finally {
            api.handle(urg, previous);
        }
        long handler = action.buffer().getLong(0);
        if (handler == Linux.SIG_IGN || handler == Linux.SIG_DFL) {
            action.close();
            throw new IllegalStateException("the JVM installed no handler for a Java signal handler (SIGURG's "
                    + "disposition stayed " + (handler == Linux.SIG_IGN ? "SIG_IGN" : "SIG_DFL") + ")");
        }
        jvmAction = action;
        return action;
    }
}

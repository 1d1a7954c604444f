package dev.loop.internal.signal;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.loop.LoopClosedException;
import dev.loop.capability.Capability;
import dev.loop.internal.engine.Loop;
import dev.loop.internal.engine.LoopResources;

/**
 * Signal handlers that run on loop threads, as a thin adapter over {@code sun.misc.Signal} (module
 * {@code jdk.unsupported}, reached reflectively: without it, signals are "unsupported", not a crash).
 *
 * <p>Why not the native ways: {@code sigaction} through JNA would replace HotSpot's own handlers and a
 * JNA callback is not async-signal-safe; {@code signalfd} sees nothing unless every JVM thread blocks
 * the signal, which a library cannot arrange. The JVM's handler thread only queues the callback on each
 * loop ({@code callSoonThreadsafe}); deliveries may coalesce, as standard signals do.
 *
 * <p>Several loops may handle one signal: the JVM handler is installed once per signal, and each
 * delivery is queued on every loop that asked for it. The handler that was there before (for INT, TERM
 * and HUP, the JVM's shutdown) is chained to once per delivery, unless a loop took the signal over.
 *
 * <p>A signal whose disposition was "ignore" when the JVM started ({@code nohup}, a background job of a
 * script) gets no JVM handler for INT, TERM and HUP: HotSpot leaves it ignored and {@code Signal.handle}
 * still reports success. {@link JvmSignalDispatch} then installs the JVM's own dispatch for it, so the
 * loops see it; the previous disposition stays "ignore", so chaining does nothing and the process does
 * not die of the signal it was told to ignore.
 */
public final class SignalHandlers {

    /** Signals refused, with the reason. */
    private static final Map<String, String> RESERVED = Map.of(
            "QUIT", "the JVM uses SIGQUIT to print thread dumps",
            "USR2", "HotSpot uses SIGUSR2 to suspend and resume threads",
            "CHLD", "the JDK resets SIGCHLD for its own process reaper; use subprocessExec, whose exit "
                    + "notification needs no signal",
            "KILL", "SIGKILL cannot be caught",
            "STOP", "SIGSTOP cannot be caught",
            "SEGV", "the JVM uses SIGSEGV internally (implicit null checks, safepoints)",
            "FPE", "the JVM uses SIGFPE internally",
            "ILL", "the JVM uses SIGILL internally",
            "BUS", "the JVM uses SIGBUS internally");

    /** Signals whose JVM handler starts the shutdown; chained to by default. */
    private static final Set<String> SHUTDOWN_SIGNALS = Set.of("INT", "TERM", "HUP");

    /** The JVM registration of each signal some loop handles, process-wide; also the lock for all of them. */
    private static final Map<String, Installed> INSTALLED = new HashMap<>();

    static final SignalApi SIGNAL = SignalApi.load();

    private SignalHandlers() {
    }

    /** One signal's JVM handler and the loops it delivers to. */
    private static final class Installed {
        final String name;
        final Object signal;
        final CopyOnWriteArrayList<LoopHandler> loops = new CopyOnWriteArrayList<>();
        /** The handler before ours: restored when the last loop lets go; chained to. */
        Object previous;

        Installed(String name, Object signal) {
            this.name = name;
            this.signal = signal;
        }

        LoopHandler of(Loop loop) {
            for (LoopHandler h : loops) {
                if (h.loop == loop) {
                    return h;
                }
            }
            return null;
        }
    }

    /** One loop's handler of one signal. */
    private static final class LoopHandler {
        final Loop loop;
        final LoopResources.Resource resource;
        volatile Runnable callback;
        volatile boolean chain;

        LoopHandler(Loop loop, String name) {
            this.loop = loop;
            this.resource = LoopResources.Resource.of("handler of SIG" + name, () -> remove(loop, name),
                    () -> remove(loop, name));
        }
    }

    /** Whether signal handling is available in this JVM (the {@code jdk.unsupported} module). */
    public static boolean available() {
        return SIGNAL != null;
    }

    /** {@code "SIGUSR1"} or {@code "usr1"} to {@code "USR1"}. */
    public static String normalize(String signal) {
        Objects.requireNonNull(signal, "signal");
        String s = signal.trim().toUpperCase(Locale.ROOT);
        return s.startsWith("SIG") ? s.substring(3) : s;
    }

    /** Why {@code signal} is refused, or {@code null} if a handler may be added. */
    public static String reservedReason(String signal) {
        return RESERVED.get(normalize(signal));
    }

    public static void add(Loop loop, String signal, Runnable callback, boolean chainJvmHandler) {
        Objects.requireNonNull(callback, "callback");
        loop.checkOpen();
        String name = normalize(signal);
        loop.capabilities().require(Capability.SIGNAL_HANDLERS, "addSignalHandler(SIG" + name + ")");
        String reason = RESERVED.get(name);
        if (reason != null) {
            throw new IllegalArgumentException("SIG" + name + " cannot have a loop handler: " + reason);
        }
        if (SIGNAL == null) {
            throw new UnsupportedOperationException("signal handlers need the jdk.unsupported module (sun.misc.Signal)");
        }
        synchronized (INSTALLED) {
            Installed installed = INSTALLED.get(name);
            if (installed == null) {
                installed = install(name);
                INSTALLED.put(name, installed);
            }
            LoopHandler handler = installed.of(loop);
            if (handler == null) {
                handler = new LoopHandler(loop, name);
                installed.loops.add(handler);
                loop.resources().add(LoopResources.Kind.SIGNAL, handler.resource);
                loop.recordUse(Capability.SIGNAL_HANDLERS, "signal handler");
            }
            handler.callback = callback;
            handler.chain = chainJvmHandler && SHUTDOWN_SIGNALS.contains(name);
        }
    }

    /** Installs the JVM handler that delivers {@code name} to the loops; the JVM delivers it, whatever it inherited. */
    private static Installed install(String name) {
        Object signal = SIGNAL.signal(name); // IllegalArgumentException for an unknown name
        Installed installed = new Installed(name, signal);
        Object previous;
        try {
            previous = SIGNAL.handle(signal, SIGNAL.handler(() -> deliver(installed)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("SIG" + name + " cannot have a loop handler: the JVM refused it ("
                    + e.getMessage() + "); with -Xrs the JVM keeps INT, TERM and HUP to the application's native code",
                    e);
        }
        installed.previous = previous;
        try {
            JvmSignalDispatch.deliverEvenIfIgnored(SIGNAL.number(signal), name);
        } catch (RuntimeException e) {
            SIGNAL.handle(signal, previous);
            throw e;
        }
        return installed;
    }

    public static boolean remove(Loop loop, String signal) {
        String name = normalize(signal);
        if (SIGNAL == null) {
            return false; // nothing can have been added
        }
        Object valid = SIGNAL.signal(name); // IllegalArgumentException for a name that is not a signal
        synchronized (INSTALLED) {
            Installed installed = INSTALLED.get(name);
            LoopHandler handler = installed == null ? null : installed.of(loop);
            if (handler == null) {
                return false;
            }
            installed.loops.remove(handler);
            loop.resources().remove(LoopResources.Kind.SIGNAL, handler.resource);
            if (installed.loops.isEmpty()) {
                INSTALLED.remove(name);
                SIGNAL.handle(valid, installed.previous);
            }
            return true;
        }
    }

    /**
     * On the JVM's signal thread: queue the callback on every loop, then chain once if no loop took the
     * signal over.
     */
    private static void deliver(Installed installed) {
        boolean chain = false;
        boolean takenOver = false;
        for (LoopHandler h : installed.loops) {
            post(h, installed.name);
            chain |= h.chain;
            takenOver |= !h.chain;
        }
        if (chain && !takenOver && installed.previous != null) {
            SIGNAL.invokePrevious(installed.previous, installed.signal);
        }
    }

    private static void post(LoopHandler handler, String name) {
        Runnable cb = handler.callback;
        Loop loop = handler.loop;
        try {
            loop.callSoonThreadsafe(() -> {
                try {
                    cb.run();
                } catch (RuntimeException | Error e) {
                    loop.reportError("Exception in signal handler for SIG" + name, e, null, -1, null);
                }
            });
        } catch (LoopClosedException e) {
            // The loop is closed: nothing to run there.
        }
    }

    /** The reflective view of {@code sun.misc.Signal} and {@code sun.misc.SignalHandler}. */
    record SignalApi(Class<?> signalClass, Class<?> handlerClass, Method handleMethod, Method dispatch,
            Method numberMethod) {

        static SignalApi load() {
            try {
                Class<?> s = Class.forName("sun.misc.Signal");
                Class<?> h = Class.forName("sun.misc.SignalHandler");
                return new SignalApi(s, h, s.getMethod("handle", s, h), h.getMethod("handle", s),
                        s.getMethod("getNumber"));
            } catch (ReflectiveOperationException | LinkageError e) {
                return null;
            }
        }

        /** The signal named {@code name} ({@code "HUP"}); {@link IllegalArgumentException} if there is none. */
        Object signal(String name) {
            try {
                return signalClass.getConstructor(String.class).newInstance(name);
            } catch (InvocationTargetException e) {
                throw new IllegalArgumentException("unknown signal SIG" + name + ": " + e.getCause().getMessage());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        int number(Object signal) {
            try {
                return (Integer) numberMethod.invoke(signal);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        Object handler(Runnable onSignal) {
            InvocationHandler ih = (proxy, method, args) -> {
                switch (method.getName()) {
                    case "handle" -> onSignal.run();
                    case "hashCode" -> {
                        return System.identityHashCode(proxy);
                    }
                    case "equals" -> {
                        return proxy == args[0];
                    }
                    case "toString" -> {
                        return "loop signal handler";
                    }
                    default -> {
                    }
                }
                return null;
            };
            return Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass}, ih);
        }

        /** Installs {@code handler}; returns the one it replaced. */
        Object handle(Object signal, Object handler) {
            try {
                return handleMethod.invoke(null, signal, handler);
            } catch (InvocationTargetException e) {
                throw new IllegalArgumentException("cannot handle " + signal + ": " + e.getCause().getMessage(),
                        e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        void invokePrevious(Object previous, Object signal) {
            try {
                dispatch.invoke(previous, signal);
            } catch (InvocationTargetException e) {
                // SIG_DFL and SIG_IGN are native handlers that cannot be called from Java: nothing to chain to.
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}

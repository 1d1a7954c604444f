package dev.loop.signal;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import dev.loop.ExceptionContext;
import dev.loop.LoopClosedException;
import dev.loop.capability.Capability;
import dev.loop.engine.BaseEventLoop;
import dev.loop.engine.LoopResources;

/**
 * Signal handlers that run on a loop thread, as a thin adapter over {@code sun.misc.Signal} (module
 * {@code jdk.unsupported}, reached reflectively: without it, signals are "unsupported", not a crash).
 *
 * <p>Why not the native ways: {@code sigaction} through JNA would replace HotSpot's own handlers and a
 * JNA callback is not async-signal-safe; {@code signalfd} sees nothing unless every JVM thread blocks
 * the signal, which a library cannot arrange (shared/native.md §4). The JVM's handler thread only
 * queues the callback on the loop ({@code callSoonThreadsafe}); deliveries may coalesce, as standard
 * signals do.
 *
 * <p>A signal belongs to one loop at a time in the process: a second loop asking for it is refused,
 * rather than silently taking it over (asyncio's {@code set_wakeup_fd} pitfall).
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

    /** Which loop owns which signal, process-wide. */
    private static final Map<String, Installed> INSTALLED = new HashMap<>();

    private static final Reflection SIGNAL = Reflection.load();

    private SignalHandlers() {
    }

    /** One installed handler. */
    private static final class Installed {
        final BaseEventLoop loop;
        final String name;
        final LoopResources.Resource resource;
        volatile Object previous;
        volatile Runnable callback;
        volatile boolean chain;

        Installed(BaseEventLoop loop, String name) {
            this.loop = loop;
            this.name = name;
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

    public static void add(BaseEventLoop loop, String signal, Runnable callback, boolean chainJvmHandler) {
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
            Installed current = INSTALLED.get(name);
            if (current != null && current.loop != loop) {
                throw new IllegalStateException("SIG" + name + " is already handled by loop '" + current.loop.name()
                        + "'; one loop per signal in a process");
            }
            if (current == null) {
                Object signalObject = SIGNAL.signal(name); // IllegalArgumentException for an unknown name
                Installed created = new Installed(loop, name);
                created.previous = SIGNAL.handle(signalObject, SIGNAL.handler(() -> deliver(created, signalObject)));
                INSTALLED.put(name, created);
                loop.resources().add(LoopResources.Kind.SIGNAL, created.resource);
                current = created;
                loop.recordUse(Capability.SIGNAL_HANDLERS, "signal handler");
            }
            current.callback = callback;
            current.chain = chainJvmHandler && SHUTDOWN_SIGNALS.contains(name);
        }
    }

    public static boolean remove(BaseEventLoop loop, String signal) {
        String name = normalize(signal);
        synchronized (INSTALLED) {
            Installed current = INSTALLED.get(name);
            if (current == null || current.loop != loop) {
                return false;
            }
            INSTALLED.remove(name);
            loop.resources().remove(LoopResources.Kind.SIGNAL, current.resource);
            SIGNAL.handle(SIGNAL.signal(name), current.previous);
            return true;
        }
    }

    /** On the JVM's signal thread: queue the callback on the loop, then chain if asked. */
    private static void deliver(Installed installed, Object signalObject) {
        Runnable cb = installed.callback;
        if (cb != null) {
            try {
                installed.loop.callSoonThreadsafe(() -> {
                    try {
                        cb.run();
                    } catch (RuntimeException | Error e) {
                        installed.loop.callExceptionHandler(new ExceptionContext("Exception in signal handler for SIG"
                                + installed.name, e, null, -1, null));
                    }
                });
            } catch (LoopClosedException e) {
                // The loop is closed: nothing to run.
            }
        }
        if (installed.chain && installed.previous != null) {
            SIGNAL.invokePrevious(installed.previous, signalObject);
        }
    }

    /** The reflective view of {@code sun.misc.Signal} and {@code sun.misc.SignalHandler}. */
    private record Reflection(Class<?> signalClass, Class<?> handlerClass, Method handleMethod, Method dispatch) {

        static Reflection load() {
            try {
                Class<?> s = Class.forName("sun.misc.Signal");
                Class<?> h = Class.forName("sun.misc.SignalHandler");
                return new Reflection(s, h, s.getMethod("handle", s, h), h.getMethod("handle", s));
            } catch (ReflectiveOperationException | LinkageError e) {
                return null;
            }
        }

        Object signal(String name) {
            try {
                return signalClass.getConstructor(String.class).newInstance(name);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw new IllegalArgumentException("unknown signal SIG" + name + ": " + e.getCause().getMessage());
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

        Object handle(Object signal, Object handler) {
            try {
                return handleMethod.invoke(null, signal, handler);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw new IllegalArgumentException("cannot handle " + signal + ": " + e.getCause().getMessage(),
                        e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        void invokePrevious(Object previous, Object signal) {
            try {
                dispatch.invoke(previous, signal);
            } catch (java.lang.reflect.InvocationTargetException e) {
                // SIG_DFL and SIG_IGN are native handlers that cannot be called from Java: nothing to chain to.
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}

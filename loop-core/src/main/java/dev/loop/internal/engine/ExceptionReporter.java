package dev.loop.internal.engine;

import java.lang.System.Logger.Level;

import dev.loop.EventLoop;
import dev.loop.ExceptionContext;
import dev.loop.ExceptionHandler;

/**
 * Where a loop's errors go: the application's exception handler, else the default one (an ERROR log through
 * {@link System.Logger}), and standard error when even that fails. Never throws: a handler that fails, the
 * default one included (logging can fail when no descriptor is left to open a file), must not end the loop.
 */
final class ExceptionReporter {

    private static final System.Logger LOG = dev.loop.LoopLogging.getLogger("dev.loop.EventLoop");

    static {
        // Loaded now, not at the first error: under EMFILE a class still to be loaded from a jar or a
        // directory of classes fails to load, and the error could not even be reported.
        preload(ExceptionContext.class, dev.loop.NativeException.class, dev.loop.NativeIOException.class,
                dev.loop.internal.nativeio.Errno.class);
    }

    private static void preload(Class<?>... classes) {
        // the class literals load them
    }

    private final EventLoop loop;
    private volatile ExceptionHandler handler;

    ExceptionReporter(EventLoop loop) {
        this.loop = loop;
    }

    ExceptionHandler handler() {
        return handler;
    }

    void setHandler(ExceptionHandler handler) {
        this.handler = handler;
    }

    /** Calls the handler (or the default one) with {@code context}; never throws. */
    void call(ExceptionContext context) {
        ExceptionHandler h = handler;
        try {
            if (h == null) {
                logDefault(context);
                return;
            }
            try {
                h.handle(loop, context);
            } catch (Throwable e) {
                logDefault(new ExceptionContext("Unhandled error in exception handler", e, context.handle(),
                        context.fd(), null));
                logDefault(context);
            }
        } catch (Throwable e) {
            lastResort("[" + loop.name() + "] " + context.message() + " (and the exception handler failed: " + e + ")",
                    context.exception());
        }
    }

    /** Builds the context and calls the handler; never throws, even when building the context fails. */
    void report(String message, Throwable exception, dev.loop.Handle handle, int fd, Throwable scheduledAt) {
        try {
            call(new ExceptionContext(message, exception, handle, fd, scheduledAt));
        } catch (Throwable e) {
            lastResort("[" + loop.name() + "] " + message + " (reporting it failed: " + e + ")", exception);
        }
    }

    /** The default handler: ERROR through {@link System.Logger}, with where the callback was scheduled in debug mode. */
    void logDefault(ExceptionContext context) {
        StringBuilder sb = new StringBuilder("[").append(loop.name()).append("] ").append(context.message());
        if (context.fd() >= 0) {
            sb.append(" (fd ").append(context.fd()).append(')');
        }
        if (context.scheduledAt() != null) {
            sb.append("\nHandle created at:");
            for (StackTraceElement e : context.scheduledAt().getStackTrace()) {
                sb.append("\n\tat ").append(e);
            }
        }
        LOG.log(Level.ERROR, sb.toString(), context.exception());
    }

    /** Logs that the loop failed and closed; never throws. */
    void loopFailed(Throwable cause) {
        String message = "Event loop '" + loop.name() + "' failed and is closed";
        try {
            LOG.log(Level.ERROR, message, cause);
        } catch (Throwable e) {
            lastResort(message, cause);
        }
    }

    /** Standard error, when even logging failed; never throws. */
    private static void lastResort(String message, Throwable cause) {
        try {
            System.err.println(message);
            if (cause != null) {
                cause.printStackTrace();
            }
        } catch (Throwable ignored) {
            // nowhere left to say it
        }
    }
}

package dev.loop;

import java.util.Objects;
import java.util.ResourceBundle;
import java.util.function.Function;

/**
 * Where loop-core logs. By default through {@link System#getLogger}, which the JDK backs with
 * {@code java.util.logging}. An application can send loop-core's records elsewhere with
 * {@link #setLoggerFactory}; the Spring Boot starter sends them to the application's logging. One reason to:
 * {@code java.util.logging} resets itself in a JVM shutdown hook of its own, so a shutdown driven by another
 * shutdown hook (Spring's, on SIGTERM) would log nothing through it: not what it waits for, nor what it kills.
 */
public final class LoopLogging {

    private static volatile Function<String, System.Logger> factory = System::getLogger;

    private LoopLogging() {
    }

    /** From now on, every loop-core logger logs through the logger {@code factory} makes for its name. */
    public static void setLoggerFactory(Function<String, System.Logger> factory) {
        LoopLogging.factory = Objects.requireNonNull(factory, "factory");
    }

    /** A logger that logs through the factory in force when it logs (loggers are kept in static fields). */
    public static System.Logger getLogger(String name) {
        return new Delegating(Objects.requireNonNull(name, "name"));
    }

    private static final class Delegating implements System.Logger {
        private final String name;
        private volatile Function<String, System.Logger> madeBy;
        private volatile System.Logger target;

        Delegating(String name) {
            this.name = name;
        }

        private System.Logger target() {
            Function<String, System.Logger> f = factory;
            System.Logger t = target;
            if (t == null || madeBy != f) {
                t = f.apply(name);
                target = t;
                madeBy = f;
            }
            return t;
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            target().log(level, bundle, msg, thrown);
        }

        @Override
        public boolean isLoggable(Level level) {
            return target().isLoggable(level);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            target().log(level, bundle, format, params);
        }
    }
}

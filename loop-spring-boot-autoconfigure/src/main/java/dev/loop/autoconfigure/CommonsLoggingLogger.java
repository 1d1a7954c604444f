package dev.loop.autoconfigure;

import java.text.MessageFormat;
import java.util.ResourceBundle;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * A {@link System.Logger} over Spring's commons-logging, so that loop-core logs into the application's logging
 * (Logback by default) directly, not through {@code java.util.logging}, which the JVM resets in a shutdown hook
 * of its own while Spring's hook is still closing the context. Installed with
 * {@link dev.loop.LoopLogging#setLoggerFactory} when the auto-configuration loads.
 */
final class CommonsLoggingLogger implements System.Logger {

    private final String name;
    private final Log log;

    CommonsLoggingLogger(String name) {
        this.name = name;
        this.log = LogFactory.getLog(name);
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public boolean isLoggable(Level level) {
        return switch (level) {
            case ALL, TRACE -> log.isTraceEnabled();
            case DEBUG -> log.isDebugEnabled();
            case INFO -> log.isInfoEnabled();
            case WARNING -> log.isWarnEnabled();
            case ERROR -> log.isErrorEnabled();
            case OFF -> false;
        };
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
        switch (level) {
            case ALL, TRACE -> log.trace(msg, thrown);
            case DEBUG -> log.debug(msg, thrown);
            case INFO -> log.info(msg, thrown);
            case WARNING -> log.warn(msg, thrown);
            case ERROR -> log.error(msg, thrown);
            case OFF -> { }
        }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        String msg = params == null || params.length == 0 || format == null ? format : MessageFormat.format(format, params);
        log(level, bundle, msg, (Throwable) null);
    }
}

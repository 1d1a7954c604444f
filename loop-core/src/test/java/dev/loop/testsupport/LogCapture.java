package dev.loop.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what loop-core logs through {@link System.Logger} (which reaches java.util.logging when no
 * other backend is installed) under the {@code dev.loop} logger.
 */
public final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    public LogCapture() {
        this.logger = Logger.getLogger("dev.loop");
        logger.addHandler(this);
        setLevel(Level.ALL);
    }

    public List<LogRecord> records() {
        return records;
    }

    /** Messages plus the stack traces of their throwables, one string per record. */
    public List<String> texts() {
        return records.stream().map(r -> {
            StringBuilder sb = new StringBuilder(String.valueOf(r.getMessage()));
            for (Throwable t = r.getThrown(); t != null; t = t.getCause()) {
                sb.append('\n').append(t);
                for (StackTraceElement e : t.getStackTrace()) {
                    sb.append("\n\tat ").append(e);
                }
            }
            return sb.toString();
        }).toList();
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}

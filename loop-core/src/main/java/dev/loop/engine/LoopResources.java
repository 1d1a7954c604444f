package dev.loop.engine;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a loop owns beyond its callbacks: servers, transports, subprocesses and signal handlers, by
 * kind. Counted for the statistics, and released when the loop closes, so that closing a loop
 * leaves no descriptor open, no child unreaped and no signal handler installed. Loop thread only
 * (or any thread while the loop is not running), except {@link #count}.
 */
public final class LoopResources {

    private static final System.Logger LOG = System.getLogger("dev.loop.resources");

    /** Kinds of resources, in the order {@link #closeAll()} releases them. */
    public enum Kind {
        SERVER, TRANSPORT, SUBPROCESS, SIGNAL
    }

    private final Map<Kind, Set<AutoCloseable>> byKind = new EnumMap<>(Kind.class);
    private final int[] counts = new int[Kind.values().length];

    LoopResources() {
        for (Kind k : Kind.values()) {
            byKind.put(k, new LinkedHashSet<>());
        }
    }

    public void add(Kind kind, AutoCloseable resource) {
        if (byKind.get(kind).add(resource)) {
            counts[kind.ordinal()]++;
        }
    }

    public void remove(Kind kind, AutoCloseable resource) {
        if (byKind.get(kind).remove(resource)) {
            counts[kind.ordinal()]--;
        }
    }

    /** How many resources of {@code kind} are open (a racy read from other threads, for statistics). */
    public int count(Kind kind) {
        return counts[kind.ordinal()];
    }

    /** Closes everything, servers first; errors are logged, never thrown. */
    void closeAll() {
        for (Kind k : Kind.values()) {
            List<AutoCloseable> all = new ArrayList<>(byKind.get(k));
            for (AutoCloseable r : all) {
                try {
                    r.close();
                } catch (Exception | LinkageError e) {
                    LOG.log(Level.WARNING, "closing " + r + " with its loop failed", e);
                }
            }
            byKind.get(k).clear();
            counts[k.ordinal()] = 0;
        }
    }
}

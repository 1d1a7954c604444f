package dev.loop.internal.engine;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a loop owns beyond its callbacks: servers, transports, subprocesses and signal handlers, by
 * kind. Counted for the statistics; closed gracefully by a graceful shutdown; released at once when
 * the loop closes, so that closing a loop leaves no descriptor open, no child unreaped and no signal
 * handler installed. Loop thread only (or any thread while the loop is not running), except
 * {@link #count}.
 */
public final class LoopResources {

    private static final System.Logger LOG = dev.loop.LoopLogging.getLogger("dev.loop.resources");

    /** Kinds of resources, in the order they are closed. */
    public enum Kind {
        SERVER, SIGNAL, TRANSPORT, SUBPROCESS
    }

    /** Something a loop owns. */
    public interface Resource {
        /** Starts an orderly close: stop accepting, flush and close, ask a child to terminate. */
        void closeGracefully();

        /** Releases everything now, without callbacks (the loop is closing). */
        void release();

        /** The loop pauses: stop taking new work (a server stops accepting); nothing is closed. */
        default void pause() {
        }

        /** The loop runs again after a pause: take new work again. */
        default void resume() {
        }

        /** Whether nothing waits to be written (for a pause: a transport has flushed its buffer). */
        default boolean flushed() {
            return true;
        }

        /** A resource from its two actions; {@code owner} names it in logs. */
        static Resource of(Object owner, Runnable closeGracefully, Runnable release) {
            return of(owner, closeGracefully, release, () -> { }, () -> { }, () -> true);
        }

        /** A resource that can also pause and resume, or has something to flush. */
        static Resource of(Object owner, Runnable closeGracefully, Runnable release, Runnable pause, Runnable resume,
                java.util.function.BooleanSupplier flushed) {
            return new Resource() {
                @Override
                public void closeGracefully() {
                    closeGracefully.run();
                }

                @Override
                public void release() {
                    release.run();
                }

                @Override
                public boolean flushed() {
                    return flushed.getAsBoolean();
                }

                @Override
                public void pause() {
                    pause.run();
                }

                @Override
                public void resume() {
                    resume.run();
                }

                @Override
                public String toString() {
                    return owner.toString();
                }
            };
        }
    }

    private final Map<Kind, Set<Resource>> byKind = new EnumMap<>(Kind.class);
    private final int[] counts = new int[Kind.values().length];
    /** Descriptors a transport or server owns, and which (described only when a refusal needs it). */
    private final Map<Integer, Owner> owners = new HashMap<>();

    private record Owner(Kind kind, Object owner) {
        @Override
        public String toString() {
            return kind.name().toLowerCase(java.util.Locale.ROOT) + " " + owner;
        }
    }

    LoopResources() {
        for (Kind k : Kind.values()) {
            byKind.put(k, new LinkedHashSet<>());
        }
    }

    public void add(Kind kind, Resource resource) {
        if (byKind.get(kind).add(resource)) {
            counts[kind.ordinal()]++;
        }
    }

    public void remove(Kind kind, Resource resource) {
        if (byKind.get(kind).remove(resource)) {
            counts[kind.ordinal()]--;
        }
    }

    /**
     * {@code fd} belongs to {@code owner} (a {@code kind} of resource) until {@link #disown}: the application
     * may not add or remove its own reader or writer on it.
     */
    public void own(int fd, Kind kind, Object owner) {
        owners.put(fd, new Owner(kind, owner));
    }

    /** {@code fd} is about to be closed by its owner: its number is free for the application again. */
    public void disown(int fd) {
        owners.remove(fd);
    }

    /**
     * Refuses an application's reader or writer, or a second transport, on a descriptor a transport or server
     * owns: the owner's own callbacks would be replaced (or, on a completion backend, raced), and its protocol
     * would lose data.
     */
    public void requireNotOwned(int fd, String method) {
        Owner owner = owners.get(fd);
        if (owner != null) {
            throw new IllegalStateException("File descriptor " + fd + " is used by " + owner + "; " + method
                    + " is refused on it (use the owner's own methods, or a descriptor of your own)");
        }
    }

    /** How many resources of {@code kind} are open (a racy read from other threads, for statistics). */
    public int count(Kind kind) {
        return counts[kind.ordinal()];
    }

    /** What of {@code kind} is open, as each describes itself (a child: its pid), for logs. */
    public List<String> describe(Kind kind) {
        return byKind.get(kind).stream().map(String::valueOf).toList();
    }

    /** Whether nothing but signal handlers is left. */
    boolean drained() {
        return count(Kind.SERVER) == 0 && count(Kind.TRANSPORT) == 0 && count(Kind.SUBPROCESS) == 0;
    }

    /** Starts closing everything gracefully, servers first. */
    void closeAllGracefully() {
        forEach(Resource::closeGracefully, "closing");
    }

    /** Pauses what can pause (servers stop accepting), for {@link dev.loop.EventLoop#pauseGracefully}. */
    void pauseAll() {
        forEach(Resource::pause, "pausing");
    }

    /** Resumes what {@link #pauseAll} paused; the loop thread, as a run begins. */
    void resumeAll() {
        forEach(Resource::resume, "resuming");
    }

    /** Whether every transport has written what it had buffered. */
    boolean flushed() {
        for (Resource r : byKind.get(Kind.TRANSPORT)) {
            if (!r.flushed()) {
                return false;
            }
        }
        return true;
    }

    /** Releases everything now, servers first; errors are logged, never thrown. */
    void releaseAll() {
        forEach(Resource::release, "releasing");
        for (Kind k : Kind.values()) {
            byKind.get(k).clear();
            counts[k.ordinal()] = 0;
        }
        owners.clear();
    }

    private void forEach(java.util.function.Consumer<Resource> action, String verb) {
        for (Kind k : Kind.values()) {
            List<Resource> all = new ArrayList<>(byKind.get(k));
            for (Resource r : all) {
                try {
                    action.accept(r);
                } catch (RuntimeException | LinkageError e) {
                    LOG.log(Level.WARNING, verb + " " + r + " failed", e);
                }
            }
        }
    }
}

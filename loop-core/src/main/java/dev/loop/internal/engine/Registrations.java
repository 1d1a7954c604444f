package dev.loop.internal.engine;

import java.util.Arrays;
import java.util.Objects;

import dev.loop.capability.Capability;
import dev.loop.internal.nativeio.Descriptors;
import dev.loop.internal.nativeio.Linux;

/**
 * The loop's readers and writers, by descriptor: at most one of each per descriptor, their handles reused on
 * every step the descriptor is ready. The backend is told when a direction starts or stops being watched
 * ({@link IoBackend#startWatching}, {@link IoBackend#stopWatching}) and looks registrations up when it
 * reports readiness. Loop thread.
 */
public final class Registrations {

    /**
     * A descriptor's reader and writer. A backend that tracks more per descriptor (polls in flight) extends
     * it and makes its own in {@link IoBackend#newRegistration()}.
     */
    public static class Registration {
        private CallbackHandle reader;
        private CallbackHandle writer;
        /** Whether the reader, or the writer, is the loop's own (a transport's, a server's, a sock_* call's). */
        private boolean readerLoops;
        private boolean writerLoops;
        /** The file registered, to tell it from a later one with the same number. */
        private Descriptors.FileStat file;

        /** The reader ({@code write == false}) or the writer, or null. */
        public final CallbackHandle handle(boolean write) {
            return write ? writer : reader;
        }

        /** Whether a reader ({@code write == false}) or a writer is registered. */
        public final boolean watches(boolean write) {
            return handle(write) != null;
        }
    }

    private final Loop loop;
    private final IoBackend backend;
    private Registration[] byFd = new Registration[256];
    /** Registered by the application (addReader, addWriter) and by the loop itself, counted apart. */
    private int readers;
    private int writers;
    private int loopReaders;
    private int loopWriters;

    Registrations(Loop loop, IoBackend backend) {
        this.loop = loop;
        this.backend = backend;
    }

    /** The registration of {@code fd}, or null when it has no reader and no writer. */
    public Registration get(int fd) {
        return fd >= 0 && fd < byFd.length ? byFd[fd] : null;
    }

    int readers() {
        return readers;
    }

    int writers() {
        return writers;
    }

    int loopReaders() {
        return loopReaders;
    }

    int loopWriters() {
        return loopWriters;
    }

    /** Counts a registration in or out ({@code delta}): the application's or the loop's own. */
    private void count(boolean write, boolean loopsOwn, int delta) {
        if (write) {
            if (loopsOwn) {
                loopWriters += delta;
            } else {
                writers += delta;
            }
        } else if (loopsOwn) {
            loopReaders += delta;
        } else {
            readers += delta;
        }
    }

    /**
     * Registers {@code callback} for readability or writability of {@code fd}, replacing an earlier one;
     * returns whether it is new (not a replacement). An application's registration ({@code byApplication})
     * is refused on a descriptor a transport or server owns (asyncio's {@code _ensure_fd_no_transport}),
     * and first checks that a descriptor already registered is still the same file: one closed without its
     * reader or writer removed, whose number was then reused, is reported and forgotten (epoll forgets it
     * silently, and a poll in flight keeps the old file), so the new registration watches the new file.
     * The loop's own transports never close a descriptor behind its back, and skip the check.
     */
    boolean register(int fd, Runnable callback, boolean write, String method, boolean byApplication) {
        Objects.requireNonNull(callback, "callback");
        loop.checkOpen();
        loop.checkThread(method);
        if (fd < 0) {
            throw new IllegalArgumentException("Invalid file descriptor: " + fd);
        }
        if (byApplication) {
            loop.resources().requireNotOwned(fd, method);
        }
        Registration reg = get(fd);
        if (reg != null && byApplication && !reg.file.sameFile(Descriptors.stat(fd))) {
            forgetClosed(fd, reg);
            reg = null;
        }
        boolean fresh = reg == null;
        if (fresh) {
            Descriptors.FileStat file = DescriptorChecks.checkNew(loop.capabilities(), fd, method,
                    backend.descriptorLimit());
            reg = backend.newRegistration();
            reg.file = file;
        }
        CallbackHandle old = reg.handle(write);
        if (old == null) {
            backend.startWatching(fd, reg, write, byApplication);
        }
        if (fresh) {
            if (fd >= byFd.length) {
                byFd = Arrays.copyOf(byFd, Math.max(fd + 1, byFd.length * 2));
            }
            byFd[fd] = reg;
        }
        CallbackHandle handle = CallbackHandle.of(callback, loop.isDebug() ? new Throwable("registered at") : null);
        if (old != null) {
            old.cancel();
            count(write, write ? reg.writerLoops : reg.readerLoops, -1);
        }
        if (write) {
            reg.writer = handle;
            reg.writerLoops = !byApplication;
        } else {
            reg.reader = handle;
            reg.readerLoops = !byApplication;
        }
        count(write, !byApplication, 1);
        if (fd >= Linux.FD_SETSIZE) {
            loop.recordUse(Capability.DESCRIPTORS_ABOVE_FD_SETSIZE, "descriptor");
        }
        return old == null;
    }

    /**
     * The file registered at {@code fd} was closed behind the loop's back and the number now names another
     * (or nothing): the backend stops watching the old one, and the loss is reported.
     */
    private void forgetClosed(int fd, Registration reg) {
        for (boolean write : new boolean[] {true, false}) {
            if (reg.watches(write)) {
                unregister(fd, write);
            }
        }
        reportClosed(fd, "was closed while registered and its number reused");
    }

    /** Removes the callback; returns whether there was one. The application may not remove a transport's. */
    boolean unregister(int fd, boolean write, String method, boolean byApplication) {
        if (loop.isClosed()) {
            return false;
        }
        loop.checkThread(method);
        if (byApplication) {
            loop.resources().requireNotOwned(fd, method);
        }
        Registration reg = get(fd);
        if (reg == null || !reg.watches(write)) {
            return false;
        }
        unregister(fd, write);
        return true;
    }

    private void unregister(int fd, boolean write) {
        Registration reg = byFd[fd];
        reg.handle(write).cancel();
        count(write, write ? reg.writerLoops : reg.readerLoops, -1);
        if (write) {
            reg.writer = null;
        } else {
            reg.reader = null;
        }
        if (reg.reader == null && reg.writer == null) {
            byFd[fd] = null;
        }
        backend.stopWatching(fd, reg, write);
    }

    /**
     * {@code fd} failed in the backend (closed while registered): its reader and writer are cancelled and
     * forgotten, and the exception handler is told {@code "Descriptor <fd> " + what}. Returns the
     * registration, emptied, or null when there was none.
     */
    public Registration drop(int fd, String what) {
        Registration reg = get(fd);
        if (reg == null) {
            return null;
        }
        byFd[fd] = null;
        if (reg.reader != null) {
            reg.reader.cancel();
            reg.reader = null;
            count(false, reg.readerLoops, -1);
        }
        if (reg.writer != null) {
            reg.writer.cancel();
            reg.writer = null;
            count(true, reg.writerLoops, -1);
        }
        reportClosed(fd, what);
        return reg;
    }

    private void reportClosed(int fd, String what) {
        loop.reportError("Descriptor " + fd + " " + what + "; its reader and writer were removed. Remove readers and "
                + "writers before closing a descriptor.", null, null, fd, null);
    }

    /** Forgets every reader and writer (the loop closes). */
    void clear() {
        Arrays.fill(byFd, null);
        readers = 0;
        writers = 0;
        loopReaders = 0;
        loopWriters = 0;
    }
}

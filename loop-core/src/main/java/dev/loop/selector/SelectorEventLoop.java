package dev.loop.selector;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

import dev.loop.Backend;
import dev.loop.ExceptionContext;
import dev.loop.LoopOptions;
import dev.loop.PollerKind;
import dev.loop.capability.Capabilities;
import dev.loop.capability.Capability;
import dev.loop.capability.PlatformSupport;
import dev.loop.engine.CallbackHandle;
import dev.loop.platform.Os;
import dev.loop.platform.Platform;

/**
 * A readiness loop: the engine of {@link BaseEventLoop} on a {@link Poller}. At most one reader and
 * one writer per descriptor; their handles are reused on every step the descriptor is ready.
 */
public class SelectorEventLoop extends ReadinessEventLoop implements Poller.Sink {

    /** A descriptor's callbacks and the interest the poller knows. */
    private static final class Registration {
        CallbackHandle reader;
        CallbackHandle writer;
        int interest;
    }

    private final Poller poller;
    private final Capabilities capabilities;
    private Registration[] registrations = new Registration[256];
    private int readers;
    private int writers;

    /**
     * A loop on {@code poller}, which it owns from now on (closed with the loop). Capabilities come
     * from the matrix row of this platform, with this machine's limits.
     */
    public SelectorEventLoop(LoopOptions options, Poller poller) {
        this(options, poller, capabilitiesFor(poller));
    }

    /**
     * This platform's matrix row for {@code poller}. A kqueue poller on Linux runs on a test emulation of
     * FreeBSD's kqueue: it gets FreeBSD's row.
     */
    private static Capabilities capabilitiesFor(Poller poller) {
        Backend backend = poller.kind() == PollerKind.KQUEUE ? Backend.KQUEUE : Backend.SELECTOR;
        if (poller.kind() == PollerKind.KQUEUE && Os.current() == Os.LINUX) {
            return PlatformSupport.of(Os.FREEBSD, null, backend, PollerKind.KQUEUE).orElseThrow();
        }
        return Platform.current().capabilitiesOf(backend, poller.kind(), poller.timeoutGranularityNanos(),
                poller.descriptorLimit());
    }

    /** A loop with explicit capabilities (another platform's row, for portability checks). */
    public SelectorEventLoop(LoopOptions options, Poller poller, Capabilities capabilities) {
        super(options);
        this.poller = Objects.requireNonNull(poller, "poller");
        this.capabilities = Objects.requireNonNull(capabilities, "capabilities");
    }

    /** Callbacks for process exits the poller watches (kqueue), by pid. */
    private final Map<Integer, Runnable> exits = new HashMap<>();

    @Override
    public boolean watchesExits() {
        return poller.watchesExits();
    }

    @Override
    public void watchExit(int pid, Runnable callback) {
        checkThread("watchExit");
        if (poller.watchExit(pid)) {
            exits.put(pid, callback);
        } else {
            callSoon(callback); // exited before it could be watched
        }
    }

    @Override
    public void unwatchExit(int pid) {
        if (exits.remove(pid) != null) {
            poller.unwatchExit(pid); // also while the loop closes: the poller is closed last
        }
    }

    @Override
    public void exited(int pid) {
        Runnable callback = exits.remove(pid);
        if (callback != null) {
            enqueueReady(CallbackHandle.of(callback, null));
        }
    }

    public Poller pollerInstance() {
        return poller;
    }

    @Override
    public Backend backend() {
        return poller.kind() == PollerKind.KQUEUE ? Backend.KQUEUE : Backend.SELECTOR;
    }

    @Override
    public PollerKind poller() {
        return poller.kind();
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    // ------------------------------------------------------------------ readiness API

    @Override
    protected boolean register(int fd, Runnable callback, boolean write, String method) {
        return add(fd, callback, write ? Poller.WRITE : Poller.READ, method);
    }

    @Override
    protected boolean unregister(int fd, boolean write, String method) {
        return remove(fd, write ? Poller.WRITE : Poller.READ, method);
    }

    /** Registers a callback; returns whether it is a new one (not a replacement). */
    private boolean add(int fd, Runnable callback, int op, String method) {
        Objects.requireNonNull(callback, "callback");
        checkOpen();
        checkThread(method);
        if (fd < 0) {
            throw new IllegalArgumentException("Invalid file descriptor: " + fd);
        }
        Registration reg = fd < registrations.length ? registrations[fd] : null;
        if (reg == null) { // a new registration: removing the last callback drops it
            checkNewDescriptor(fd, method, poller.descriptorLimit());
            reg = new Registration();
            if (fd >= registrations.length) {
                registrations = Arrays.copyOf(registrations, Math.max(fd + 1, registrations.length * 2));
            }
        }
        int newInterest = reg.interest | op;
        if (newInterest != reg.interest) {
            if (reg.interest == 0) {
                poller.register(fd, newInterest);
            } else {
                poller.modify(fd, newInterest);
            }
        }
        registrations[fd] = reg;
        CallbackHandle handle = CallbackHandle.of(callback, isDebug() ? new Throwable("registered at") : null);
        CallbackHandle old;
        if (op == Poller.READ) {
            old = reg.reader;
            reg.reader = handle;
            if (old == null) {
                readers++;
            }
        } else {
            old = reg.writer;
            reg.writer = handle;
            if (old == null) {
                writers++;
            }
        }
        reg.interest = newInterest;
        if (old != null) {
            old.cancel();
        }
        if (fd >= dev.loop.nativeio.Linux.FD_SETSIZE) {
            recordUse(Capability.DESCRIPTORS_ABOVE_FD_SETSIZE, "descriptor");
        }
        return old == null;
    }

    private boolean remove(int fd, int op, String method) {
        if (isClosed()) {
            return false;
        }
        checkThread(method);
        Registration reg = fd >= 0 && fd < registrations.length ? registrations[fd] : null;
        if (reg == null || (reg.interest & op) == 0) {
            return false;
        }
        if (op == Poller.READ) {
            reg.reader.cancel();
            reg.reader = null;
            readers--;
        } else {
            reg.writer.cancel();
            reg.writer = null;
            writers--;
        }
        reg.interest &= ~op;
        if (reg.interest == 0) {
            registrations[fd] = null;
            poller.deregister(fd);
        } else {
            poller.modify(fd, reg.interest);
        }
        return true;
    }

    // ------------------------------------------------------------------ the poll step

    @Override
    protected void pollBackend(long timeoutNanos, long nowNanos) {
        poller.poll(timeoutNanos, nowNanos, this);
    }

    /** Poller sink: queue the reader and/or writer of a ready descriptor. */
    @Override
    public void ready(int fd, int ops) {
        Registration reg = fd < registrations.length ? registrations[fd] : null;
        if (reg == null) {
            return;
        }
        if ((ops & Poller.READ) != 0 && reg.reader != null) {
            enqueueReady(reg.reader);
        }
        if ((ops & Poller.WRITE) != 0 && reg.writer != null) {
            enqueueReady(reg.writer);
        }
    }

    /** Poller sink: a registered descriptor was closed behind the loop's back. */
    @Override
    public void invalid(int fd) {
        Registration reg = fd < registrations.length ? registrations[fd] : null;
        if (reg == null) {
            return;
        }
        registrations[fd] = null;
        if (reg.reader != null) {
            reg.reader.cancel();
            readers--;
        }
        if (reg.writer != null) {
            reg.writer.cancel();
            writers--;
        }
        callExceptionHandler(new ExceptionContext("Descriptor " + fd + " was closed while registered with the "
                + poller.kind().id() + " poller; its reader and writer were removed. Remove readers and writers "
                + "before closing a descriptor.", null, null, fd, null));
    }

    @Override
    protected void wakeup() {
        poller.wakeup();
    }

    @Override
    protected void closeBackend() {
        Arrays.fill(registrations, null);
        readers = 0;
        writers = 0;
        poller.close();
    }

    @Override
    protected int readerCount() {
        return readers;
    }

    @Override
    protected int writerCount() {
        return writers;
    }

    @Override
    public String toString() {
        return "SelectorEventLoop[" + name() + ", " + poller.kind().id() + " (" + poller.timeoutMechanism() + ")"
                + (isClosed() ? ", closed" : isRunning() ? ", running" : "") + "]";
    }
}

package dev.loop.internal.selector;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

import dev.loop.Backend;
import dev.loop.LoopOptions;
import dev.loop.PollerKind;
import dev.loop.capability.Capabilities;
import dev.loop.capability.PlatformSupport;
import dev.loop.internal.engine.CallbackHandle;
import dev.loop.platform.Os;
import dev.loop.platform.Platform;

/**
 * A readiness loop: the engine of {@link BaseEventLoop} on a {@link Poller}. At most one reader and
 * one writer per descriptor; their handles are reused on every step the descriptor is ready.
 */
public class SelectorEventLoop extends ReadinessEventLoop implements Poller.Sink {

    private final Poller poller;
    private final Capabilities capabilities;

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
    protected long descriptorLimit() {
        return poller.descriptorLimit();
    }

    /** The poller's interest for {@code reg}: what its reader and writer ask for. */
    private static int interest(Registration reg) {
        return (reg.watches(false) ? Poller.READ : 0) | (reg.watches(true) ? Poller.WRITE : 0);
    }

    @Override
    protected void startWatching(int fd, Registration reg, boolean write, boolean resolveNow) {
        // epoll_ctl and kevent bind at once; poll and select name the descriptor at every wait anyway.
        int interest = interest(reg);
        int wanted = interest | (write ? Poller.WRITE : Poller.READ);
        if (interest == 0) {
            poller.register(fd, wanted);
        } else {
            poller.modify(fd, wanted);
        }
    }

    @Override
    protected void stopWatching(int fd, Registration reg, boolean write) {
        int interest = interest(reg);
        if (interest == 0) {
            poller.deregister(fd);
        } else {
            poller.modify(fd, interest);
        }
    }

    // ------------------------------------------------------------------ the poll step

    @Override
    protected void pollBackend(long timeoutNanos, long nowNanos) {
        poller.poll(timeoutNanos, nowNanos, this);
    }

    /** Poller sink: queue the reader and/or writer of a ready descriptor. */
    @Override
    public void ready(int fd, int ops) {
        Registration reg = registration(fd);
        if (reg == null) {
            return;
        }
        if ((ops & Poller.READ) != 0 && reg.watches(false)) {
            enqueueReady(reg.handle(false));
        }
        if ((ops & Poller.WRITE) != 0 && reg.watches(true)) {
            enqueueReady(reg.handle(true));
        }
    }

    /** Poller sink: a registered descriptor was closed behind the loop's back. */
    @Override
    public void invalid(int fd) {
        dropRegistration(fd, "was closed while registered with the " + poller.kind().id() + " poller");
    }

    @Override
    protected void wakeup() {
        poller.wakeup();
    }

    @Override
    protected void closeBackend() {
        clearRegistrations();
        poller.close();
    }

    @Override
    public String toString() {
        return "SelectorEventLoop[" + name() + ", " + poller.kind().id() + " (" + poller.timeoutMechanism() + ")"
                + (isClosed() ? ", closed" : isRunning() ? ", running" : "") + "]";
    }
}

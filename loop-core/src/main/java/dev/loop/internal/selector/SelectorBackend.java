package dev.loop.internal.selector;

import java.util.Objects;

import dev.loop.Backend;
import dev.loop.LoopOptions;
import dev.loop.PollerKind;
import dev.loop.capability.Capabilities;
import dev.loop.internal.engine.CallbackHandle;
import dev.loop.internal.engine.IoBackend;
import dev.loop.internal.engine.Loop;
import dev.loop.internal.engine.Registrations.Registration;
import dev.loop.internal.process.ExitWatcher;
import dev.loop.internal.transport.ReadinessStreamIo;
import dev.loop.internal.transport.StreamIo;
import dev.loop.platform.Platform;

/**
 * The selector backend: readiness from a {@link Poller} (epoll, poll, select or kqueue), stream bytes moved
 * by the loop's readiness callbacks ({@link ReadinessStreamIo}). The poller reports ready descriptors to
 * this backend, which queues their reader and writer on the loop.
 */
public final class SelectorBackend implements IoBackend, Poller.Sink {

    private final Loop loop;
    private final Poller poller;
    private final Capabilities capabilities;
    private final StreamIo streamIo;
    private final PollerExitWatcher exitWatcher;

    private SelectorBackend(Loop loop, Poller poller, Capabilities capabilities) {
        this.loop = loop;
        this.poller = poller;
        this.capabilities = capabilities;
        this.streamIo = new ReadinessStreamIo(loop);
        this.exitWatcher = poller.watchesExits() ? new PollerExitWatcher(loop, poller) : null;
    }

    /**
     * A loop on {@code poller}, which it owns from now on (closed with the loop), with this platform's
     * capability row for the poller and this machine's limits.
     */
    public static Loop newLoop(LoopOptions options, Poller poller) {
        return newLoop(options, poller, Platform.current().capabilitiesOf(kindOf(poller), poller.kind(),
                poller.timeoutGranularityNanos(), poller.descriptorLimit()));
    }

    /**
     * A loop on {@code poller} with explicit capabilities: another platform's row, for portability checks, or
     * the row of the platform a poller emulates (the kqueue emulation in the tests has FreeBSD's).
     */
    public static Loop newLoop(LoopOptions options, Poller poller, Capabilities capabilities) {
        Objects.requireNonNull(poller, "poller");
        Objects.requireNonNull(capabilities, "capabilities");
        return new Loop(options, loop -> new SelectorBackend(loop, poller, capabilities));
    }

    private static Backend kindOf(Poller poller) {
        return poller.kind() == PollerKind.KQUEUE ? Backend.KQUEUE : Backend.SELECTOR;
    }

    /** The poller (for tests). */
    public Poller poller() {
        return poller;
    }

    @Override
    public Backend kind() {
        return kindOf(poller);
    }

    @Override
    public PollerKind pollerKind() {
        return poller.kind();
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    @Override
    public StreamIo streamIo() {
        return streamIo;
    }

    @Override
    public ExitWatcher exitWatcher() {
        return exitWatcher;
    }

    @Override
    public long descriptorLimit() {
        return poller.descriptorLimit();
    }

    /** The poller's interest for {@code reg}: what its reader and writer ask for. */
    private static int interest(Registration reg) {
        return (reg.watches(false) ? Poller.READ : 0) | (reg.watches(true) ? Poller.WRITE : 0);
    }

    @Override
    public void startWatching(int fd, Registration reg, boolean write, boolean resolveNow) {
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
    public void stopWatching(int fd, Registration reg, boolean write) {
        int interest = interest(reg);
        if (interest == 0) {
            poller.deregister(fd);
        } else {
            poller.modify(fd, interest);
        }
    }

    @Override
    public void poll(long timeoutNanos, long nowNanos) {
        poller.poll(timeoutNanos, nowNanos, this);
    }

    /** Poller sink: queue the reader and/or writer of a ready descriptor. */
    @Override
    public void ready(int fd, int ops) {
        Registration reg = loop.registrations().get(fd);
        if (reg == null) {
            return;
        }
        if ((ops & Poller.READ) != 0 && reg.watches(false)) {
            loop.enqueueReady(reg.handle(false));
        }
        if ((ops & Poller.WRITE) != 0 && reg.watches(true)) {
            loop.enqueueReady(reg.handle(true));
        }
    }

    /** Poller sink: a registered descriptor was closed behind the loop's back. */
    @Override
    public void invalid(int fd) {
        loop.registrations().drop(fd, "was closed while registered with the " + poller.kind().id() + " poller");
    }

    /** Poller sink: a child the poller watches exited; it is reaped and reported with the step's callbacks. */
    @Override
    public void exited(int pid) {
        if (exitWatcher != null) {
            loop.enqueueReady(CallbackHandle.of(() -> exitWatcher.exited(pid), null));
        }
    }

    @Override
    public void wakeup() {
        poller.wakeup();
    }

    @Override
    public void close() {
        poller.close();
    }

    @Override
    public String describe() {
        return poller.kind().id() + " (" + poller.timeoutMechanism() + ")";
    }
}

package dev.loop.conformance;

import java.util.function.BiFunction;
import java.util.function.Supplier;

import dev.loop.Backend;
import dev.loop.EventLoop;
import dev.loop.LoopOptions;
import dev.loop.PollerKind;
import dev.loop.capability.PlatformSupport;
import dev.loop.internal.selector.EpollPoller;
import dev.loop.internal.selector.KqueuePoller;
import dev.loop.internal.selector.PollPoller;
import dev.loop.internal.selector.Poller;
import dev.loop.internal.selector.SelectPoller;
import dev.loop.internal.selector.SelectorBackend;
import dev.loop.internal.uring.UringBackend;
import dev.loop.platform.Os;

/**
 * One backend under test, as the conformance suite sees it: how to make its loop, its poller (a selector
 * backend's), and what it is known to do differently. Every part of the suite runs against each of these,
 * as CPython runs one test mixin against each selector.
 */
public enum BackendFixture {

    EPOLL("epoll", PollerKind.EPOLL, false, () -> new EpollPoller(EpollPoller.TimeoutMode.AUTO),
            SelectorBackend::newLoop),
    /** epoll with the timerfd path for sub-millisecond timeouts (kernels before 5.11). */
    EPOLL_TIMERFD("epoll", PollerKind.EPOLL, false, () -> new EpollPoller(EpollPoller.TimeoutMode.TIMERFD),
            SelectorBackend::newLoop),
    POLL("poll", PollerKind.POLL, true, PollPoller::new, SelectorBackend::newLoop),
    SELECT("select", PollerKind.SELECT, true, SelectPoller::new, SelectorBackend::newLoop),
    /**
     * kqueue, on Linux through the test emulation of FreeBSD's kqueue (configured before the first poller by
     * {@link KqueueLoopTest}), so with FreeBSD's capability row, passed in as the platform's; the emulation
     * holds an eventfd for EVFILT_USER beyond the poller's own kqueue.
     */
    KQUEUE("kqueue", PollerKind.KQUEUE, false, KqueuePoller::new, BackendFixture::kqueueLoop),
    /** io_uring. An armed poll holds a reference to the file, as epoll does: a closed number reports nothing. */
    PROACTOR("proactor", null, false, null, null),
    /** io_uring with datagram endpoints receiving by multishot RECVMSG into provided buffers (not the default). */
    PROACTOR_MULTISHOT("proactor", null, false, null, null),
    /** io_uring with datagram endpoints receiving one RECVMSG at a time (multishot's fallback on older kernels). */
    PROACTOR_RECVMSG("proactor", null, false, null, null);

    /** The backend's name in loop names and messages: the poller's id, or {@code "proactor"}. */
    public final String id;
    /** The poller of a selector backend; null for the proactor. */
    public final PollerKind poller;
    /**
     * Whether a descriptor closed while registered is detected and reported (poll, select); epoll, kqueue and
     * io_uring hold the file and drop it silently.
     */
    public final boolean reportsClosedDescriptors;
    private final Supplier<Poller> pollers;
    private final BiFunction<LoopOptions, Poller, EventLoop> selectorLoops;

    BackendFixture(String id, PollerKind poller, boolean reportsClosedDescriptors, Supplier<Poller> pollers,
            BiFunction<LoopOptions, Poller, EventLoop> selectorLoops) {
        this.id = id;
        this.poller = poller;
        this.reportsClosedDescriptors = reportsClosedDescriptors;
        this.pollers = pollers;
        this.selectorLoops = selectorLoops;
    }

    /** A fresh poller of a selector backend (the loop owns it once given one). */
    public Poller newPoller() {
        if (pollers == null) {
            throw new UnsupportedOperationException(id + " has no poller");
        }
        return pollers.get();
    }

    /** A new loop on this backend. */
    public EventLoop newLoop(LoopOptions options) {
        return switch (this) {
            case PROACTOR -> UringBackend.newLoop(options);
            case PROACTOR_MULTISHOT -> UringBackend.newMultishotDatagramLoop(options);
            case PROACTOR_RECVMSG -> UringBackend.newMultishotDatagramLoop(options, 0);
            default -> newLoop(options, newPoller());
        };
    }

    /** A new loop of a selector backend on {@code poller}, which it owns from then on. */
    public EventLoop newLoop(LoopOptions options, Poller poller) {
        return selectorLoops.apply(options, poller);
    }

    /** Descriptors a poller's emulation holds beyond those the poller owns (the kqueue emulation on Linux). */
    public int emulationDescriptors() {
        return this == KQUEUE && Os.current() == Os.LINUX ? 1 : 0;
    }

    private static EventLoop kqueueLoop(LoopOptions options, Poller poller) {
        if (Os.current() != Os.LINUX) {
            return SelectorBackend.newLoop(options, poller);
        }
        return SelectorBackend.newLoop(options, poller,
                PlatformSupport.of(Os.FREEBSD, null, Backend.KQUEUE, PollerKind.KQUEUE).orElseThrow());
    }
}

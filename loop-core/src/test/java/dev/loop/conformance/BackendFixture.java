package dev.loop.conformance;

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

    EPOLL("epoll", PollerKind.EPOLL, false) {
        @Override
        public Poller newPoller() {
            return new EpollPoller(EpollPoller.TimeoutMode.AUTO);
        }
    },
    /** epoll with the timerfd path for sub-millisecond timeouts (kernels before 5.11). */
    EPOLL_TIMERFD("epoll", PollerKind.EPOLL, false) {
        @Override
        public Poller newPoller() {
            return new EpollPoller(EpollPoller.TimeoutMode.TIMERFD);
        }
    },
    POLL("poll", PollerKind.POLL, true) {
        @Override
        public Poller newPoller() {
            return new PollPoller();
        }
    },
    SELECT("select", PollerKind.SELECT, true) {
        @Override
        public Poller newPoller() {
            return new SelectPoller();
        }
    },
    /**
     * kqueue, on Linux through the test emulation of FreeBSD's kqueue (it must be configured before the first
     * poller: {@link KqueueLoopTest}), so with FreeBSD's capability row, passed in as the platform's.
     */
    KQUEUE("kqueue", PollerKind.KQUEUE, false) {
        @Override
        public Poller newPoller() {
            return new KqueuePoller();
        }

        @Override
        public int emulationDescriptors() {
            return Os.current() == Os.LINUX ? 1 : 0; // the emulation's eventfd for EVFILT_USER
        }

        @Override
        public EventLoop newLoop(LoopOptions options, Poller poller) {
            if (Os.current() != Os.LINUX) {
                return SelectorBackend.newLoop(options, poller);
            }
            return SelectorBackend.newLoop(options, poller,
                    PlatformSupport.of(Os.FREEBSD, null, Backend.KQUEUE, PollerKind.KQUEUE).orElseThrow());
        }
    },
    /** io_uring. An armed poll holds a reference to the file, as epoll does: a closed number reports nothing. */
    PROACTOR("proactor", null, false) {
        @Override
        public Poller newPoller() {
            throw new UnsupportedOperationException("the proactor has no poller");
        }

        @Override
        public EventLoop newLoop(LoopOptions options) {
            return UringBackend.newLoop(options);
        }
    };

    private final String id;
    private final PollerKind poller;
    private final boolean reportsClosedDescriptors;

    BackendFixture(String id, PollerKind poller, boolean reportsClosedDescriptors) {
        this.id = id;
        this.poller = poller;
        this.reportsClosedDescriptors = reportsClosedDescriptors;
    }

    /** The backend's name in loop names and messages: the poller's id, or {@code "proactor"}. */
    public String id() {
        return id;
    }

    /** The poller of a selector backend; null for the proactor. */
    public PollerKind poller() {
        return poller;
    }

    /**
     * Whether a descriptor closed while registered is detected and reported (poll, select); epoll, kqueue and
     * io_uring hold the file and drop it silently.
     */
    public boolean reportsClosedDescriptors() {
        return reportsClosedDescriptors;
    }

    /** Descriptors a poller's emulation holds beyond those the poller owns (the kqueue emulation on Linux). */
    public int emulationDescriptors() {
        return 0;
    }

    /** A fresh poller of a selector backend (the loop owns it once given one). */
    public abstract Poller newPoller();

    /** A new loop on this backend. */
    public EventLoop newLoop(LoopOptions options) {
        return newLoop(options, newPoller());
    }

    /** A new loop of a selector backend on {@code poller}, which it owns from then on. */
    public EventLoop newLoop(LoopOptions options, Poller poller) {
        return SelectorBackend.newLoop(options, poller);
    }
}

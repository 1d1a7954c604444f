package dev.loop.capability;

import static dev.loop.capability.Capability.CHARACTER_DEVICES;
import static dev.loop.capability.Capability.DESCRIPTORS_ABOVE_FD_SETSIZE;
import static dev.loop.capability.Capability.FILE_IO_MONITORING;
import static dev.loop.capability.Capability.PIPES;
import static dev.loop.capability.Capability.READINESS_CALLBACKS;
import static dev.loop.capability.Capability.SIGNAL_HANDLERS;
import static dev.loop.capability.Capability.SUBPROCESSES;
import static dev.loop.capability.Capability.SUB_MILLISECOND_TIMERS;
import static dev.loop.capability.Capability.TIMER_SLACK;
import static dev.loop.capability.Capability.UNIX_SOCKETS;
import static dev.loop.capability.Capability.ZERO_COPY_SENDFILE;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.loop.Backend;
import dev.loop.PollerKind;
import dev.loop.platform.Os;

/**
 * The capability matrix as data: for every OS and every backend (and poller) that exists there, what
 * is supported, with a reason and an alternative for every "no", and the limits. Modelled on
 * asyncio's "Platform Support" page, plus what our own backends add or lack.
 *
 * <p>The rows are static knowledge; a running loop's {@link Capabilities} start from its row and
 * replace the limits with what this machine reports (open-file limit, clock resolution, the
 * poller's actual timeout granularity).
 */
public final class PlatformSupport {

    /** Nominal clock resolution of the JVM's monotonic clock (refined at run time on Linux). */
    private static final long NS = 1;
    private static final long US = 1_000;
    private static final long MS = 1_000_000;
    /** Windows' default timer tick: about 15.6 ms (asyncio's platform page). */
    public static final long WINDOWS_TICK_NANOS = 15_625_000;
    /** FD_SETSIZE on Linux, macOS and FreeBSD. */
    public static final int FD_SETSIZE = 1024;
    /** The most sockets Windows' select watches (asyncio's platform page). */
    public static final int WINDOWS_SELECT_MAX_SOCKETS = 512;

    private static final Support FILE_IO_NO = Support.no(
            "regular files and directories are always ready to a readiness API: epoll refuses them with EPERM, "
                    + "poll, select and kqueue report them readable and writable at once",
            "read and write files with blocking calls on an executor thread; to watch for changes use inotify "
                    + "(Linux) or kqueue EVFILT_VNODE through addReader");
    private static final Support ABOVE_FD_SETSIZE_NO = Support.no(
            "select(2) works on fixed-size fd_set bitmaps of FD_SETSIZE (1024) bits; a higher descriptor would be "
                    + "written past the set",
            "the poll or epoll poller (kqueue on BSD/macOS), which have no such limit");

    private static final String SENDFILE_FALLBACK = "sendfile and sockSendfile still work: the loop reads the file "
            + "and sends it (a copy through user space), as asyncio's fallback does";

    private PlatformSupport() {
    }

    /** Every row of the matrix: each OS with each backend and poller that exists on it. */
    public static List<Capabilities> matrix() {
        List<Capabilities> rows = new ArrayList<>();
        for (PollerKind p : List.of(PollerKind.EPOLL, PollerKind.POLL, PollerKind.SELECT)) {
            rows.add(linux(Backend.SELECTOR, p));
        }
        rows.add(linux(Backend.PROACTOR, null));
        for (String version : List.of("14.0", "10.8")) {
            for (PollerKind p : List.of(PollerKind.KQUEUE, PollerKind.POLL, PollerKind.SELECT)) {
                rows.add(macos(version, Backend.SELECTOR, p));
            }
            rows.add(macos(version, Backend.KQUEUE, PollerKind.KQUEUE));
        }
        for (PollerKind p : List.of(PollerKind.KQUEUE, PollerKind.POLL, PollerKind.SELECT)) {
            rows.add(freebsd(Backend.SELECTOR, p));
        }
        rows.add(freebsd(Backend.KQUEUE, PollerKind.KQUEUE));
        rows.add(windows(Backend.SELECTOR, PollerKind.SELECT));
        rows.add(windows(Backend.PROACTOR, null));
        return List.copyOf(rows);
    }

    /**
     * The row for {@code backend}/{@code poller} on {@code os} at {@code osVersion}, or empty when
     * that combination does not exist there (epoll on macOS, kqueue on Linux).
     */
    public static Optional<Capabilities> of(Os os, String osVersion, Backend backend, PollerKind poller) {
        if (backend == Backend.KQUEUE) {
            poller = PollerKind.KQUEUE;
        }
        if (backend == Backend.PROACTOR) {
            poller = null;
        } else if (poller == null) {
            return Optional.empty();
        }
        boolean exists = switch (os) {
            case LINUX -> backend == Backend.PROACTOR
                    || backend == Backend.SELECTOR && poller != PollerKind.KQUEUE;
            case MACOS, FREEBSD -> backend != Backend.PROACTOR && poller != PollerKind.EPOLL;
            case WINDOWS -> backend == Backend.PROACTOR || backend == Backend.SELECTOR && poller == PollerKind.SELECT;
            case OTHER -> false;
        };
        if (!exists) {
            return Optional.empty();
        }
        return Optional.of(switch (os) {
            case LINUX -> linux(backend, poller);
            case MACOS -> macos(osVersion, backend, poller);
            case FREEBSD -> freebsd(backend, poller);
            case WINDOWS -> windows(backend, poller);
            case OTHER -> throw new AssertionError();
        });
    }

    // ------------------------------------------------------------------ rows

    private static Capabilities linux(Backend backend, PollerKind poller) {
        Map<Capability, Support> s = allYes();
        if (backend == Backend.PROACTOR) {
            s.put(ZERO_COPY_SENDFILE, Support.restricted("sendfile(2) each time io_uring reports the socket writable: "
                    + "io_uring has no sendfile operation of its own"));
        }
        return unix(Os.LINUX, null, backend, poller, s, NS);
    }

    private static Capabilities freebsd(Backend backend, PollerKind poller) {
        Map<Capability, Support> s = allYes();
        s.put(ZERO_COPY_SENDFILE, Support.no("loop-core binds Linux's sendfile(2) only; FreeBSD's takes other "
                + "arguments", SENDFILE_FALLBACK));
        s.put(TIMER_SLACK, Support.no("FreeBSD has no per-thread timer slack; how far it may defer timeouts is "
                + "system-wide (sysctl kern.timecounter.alloweddeviation, 5% of the timeout by default)",
                "set kern.timecounter.alloweddeviation for the whole system; leave the loop's timerSlack unset"));
        return unix(Os.FREEBSD, null, backend, poller, s, NS);
    }

    private static Capabilities macos(String version, Backend backend, PollerKind poller) {
        Map<Capability, Support> s = allYes();
        s.put(ZERO_COPY_SENDFILE, Support.no("loop-core binds Linux's sendfile(2) only; macOS's takes other "
                + "arguments", SENDFILE_FALLBACK));
        s.put(TIMER_SLACK, Support.no("macOS has no per-thread timer slack: it coalesces timers itself, by the "
                + "thread's QoS class and per timer (kevent's NOTE_LEEWAY, NOTE_CRITICAL)",
                "run the JVM at a user-interactive QoS class to make coalescing less aggressive; leave the loop's "
                        + "timerSlack unset"));
        boolean legacy = isMacosBetween(version, 6, 8);
        long granularity = NS;
        if (poller == PollerKind.KQUEUE && legacy) {
            s.put(CHARACTER_DEVICES, Support.no(
                    "kqueue on macOS 10.6 to 10.8 does not support character devices (ttys, ptys, serial ports)",
                    "the select poller (loop.poller=select), which watches character devices"));
        }
        if (poller == PollerKind.POLL) {
            s.put(CHARACTER_DEVICES, Support.no(
                    "poll(2) on macOS does not support devices (see the BUGS section of its manual)",
                    "the select poller or the kqueue backend"));
            s.put(SUB_MILLISECOND_TIMERS, Support.no(
                    "macOS has no ppoll; poll(2) takes its timeout in whole milliseconds",
                    "the kqueue backend (timespec timeouts) or the select poller (microseconds)"));
            granularity = MS;
        }
        if (poller == PollerKind.SELECT) {
            s.put(DESCRIPTORS_ABOVE_FD_SETSIZE, Support.no(
                    "macOS select(2) fails with EINVAL when nfds exceeds FD_SETSIZE (1024)",
                    "the kqueue backend or the poll poller"));
        }
        return unix(Os.MACOS, legacy ? "10.6-10.8" : null, backend, poller, s, granularity);
    }

    /**
     * What every Unix row shares: no file I/O monitoring; select limited to FD_SETSIZE descriptors
     * (with {@code s}'s own reason if it has one) and microsecond timeouts.
     */
    private static Capabilities unix(Os os, String variant, Backend backend, PollerKind poller,
            Map<Capability, Support> s, long granularity) {
        s.put(FILE_IO_MONITORING, FILE_IO_NO);
        long maxFds = -1;
        if (poller == PollerKind.SELECT) {
            if (s.get(DESCRIPTORS_ABOVE_FD_SETSIZE).supported()) {
                s.put(DESCRIPTORS_ABOVE_FD_SETSIZE, ABOVE_FD_SETSIZE_NO);
            }
            granularity = US;
            maxFds = FD_SETSIZE;
        }
        long slack = os == Os.LINUX ? Limits.KERNEL_DEFAULT_TIMER_SLACK_NANOS : 0;
        return new Capabilities(os, variant, backend, poller, s, new Limits(maxFds, NS, granularity, slack));
    }

    private static Capabilities windows(Backend backend, PollerKind poller) {
        Map<Capability, Support> s = allYes();
        s.put(FILE_IO_MONITORING, FILE_IO_NO);
        s.put(UNIX_SOCKETS, Support.no("asyncio's Windows event loops offer no AF_UNIX sockets",
                "TCP on the loopback interface (127.0.0.1)"));
        s.put(SIGNAL_HANDLERS, Support.no("Windows has no POSIX signals; add_signal_handler is not implemented there",
                "Runtime.addShutdownHook for process termination"));
        s.put(SUB_MILLISECOND_TIMERS, Support.no(
                "Windows waits (select, GetQueuedCompletionStatus) take whole milliseconds and the timer tick is "
                        + "about 15.6 ms",
                "pace sub-millisecond work on a dedicated thread, off the loop"));
        s.put(CHARACTER_DEVICES, Support.no("Windows select() and the proactor watch no device handles for readiness",
                "blocking reads on an executor thread"));
        s.put(ZERO_COPY_SENDFILE, Support.no("Windows' TransmitFile is not bound", SENDFILE_FALLBACK));
        s.put(TIMER_SLACK, Support.no("Windows has no timer slack: waits end on the system timer tick (about "
                + "15.6 ms), which is system-wide", "timeBeginPeriod(1) in the process raises the tick to 1 ms for "
                + "the whole system; leave the loop's timerSlack unset"));
        long maxFds = -1;
        if (backend == Backend.SELECTOR) {
            s.put(READINESS_CALLBACKS, Support.restricted("sockets only: Windows select() works on sockets, at most "
                    + WINDOWS_SELECT_MAX_SOCKETS));
            s.put(PIPES, Support.no("Windows select() works on sockets only, not on pipe handles",
                    "the proactor backend (IOCP), which supports pipes"));
            s.put(SUBPROCESSES, Support.no("subprocess pipes cannot be watched by select() on Windows",
                    "the proactor backend (IOCP), which supports subprocesses"));
            s.put(DESCRIPTORS_ABOVE_FD_SETSIZE, Support.no(
                    "Windows select() watches at most " + WINDOWS_SELECT_MAX_SOCKETS + " sockets",
                    "the proactor backend (IOCP), which has no such limit"));
            maxFds = WINDOWS_SELECT_MAX_SOCKETS;
        } else {
            s.put(READINESS_CALLBACKS, Support.no(
                    "IOCP reports completed operations, not readiness: the Windows proactor has no add_reader or "
                            + "add_writer",
                    "transports and protocols, or the selector backend for sockets"));
        }
        return new Capabilities(Os.WINDOWS, null, backend, poller, s, new Limits(maxFds, WINDOWS_TICK_NANOS, MS, 0));
    }

    private static Map<Capability, Support> allYes() {
        Map<Capability, Support> s = new EnumMap<>(Capability.class);
        for (Capability c : Capability.values()) {
            s.put(c, Support.yes());
        }
        return s;
    }

    /** Whether a macOS version string {@code 10.N[.x]} has {@code from <= N <= to}. */
    static boolean isMacosBetween(String version, int from, int to) {
        if (version == null) {
            return false;
        }
        String[] parts = version.split("\\.");
        try {
            if (parts.length < 2 || Integer.parseInt(parts[0]) != 10) {
                return false;
            }
            int minor = Integer.parseInt(parts[1]);
            return minor >= from && minor <= to;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}

package dev.loop.platform;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.loop.Backend;
import dev.loop.PollerKind;
import dev.loop.internal.selector.EpollPoller;
import dev.loop.internal.selector.Poller;
import dev.loop.internal.selector.Pollers;

/**
 * Which backends and pollers can run on this machine, found by doing: each one is created for real
 * (epoll fd, eventfd, probe of epoll_pwait2, ...) and closed again, and the cause of a failure is kept.
 * Nothing is cached: a changed sysctl or rlimit shows at the next probe.
 */
public final class BackendProbe {

    /**
     * The automatic choice of selector poller on {@code os}, best first: only the pollers that OS has (epoll on
     * Linux, kqueue on the BSDs and macOS; poll and select everywhere but Windows, which has select only).
     */
    public static List<PollerKind> selectorOrder(Os os) {
        return switch (os) {
            case LINUX -> List.of(PollerKind.EPOLL, PollerKind.POLL, PollerKind.SELECT);
            case MACOS, FREEBSD -> List.of(PollerKind.KQUEUE, PollerKind.POLL, PollerKind.SELECT);
            case WINDOWS -> List.of(PollerKind.SELECT);
            case OTHER -> List.of(PollerKind.POLL, PollerKind.SELECT);
        };
    }

    private BackendProbe() {
    }

    /** Every backend and every poller, in the automatic-choice order. */
    public static List<BackendAvailability> probeAll() {
        List<BackendAvailability> out = new ArrayList<>();
        for (PollerKind p : List.of(PollerKind.EPOLL, PollerKind.POLL, PollerKind.SELECT, PollerKind.KQUEUE)) {
            out.add(probe(Backend.SELECTOR, p));
        }
        out.add(probe(Backend.PROACTOR, null));
        out.add(probe(Backend.KQUEUE, null));
        return List.copyOf(out);
    }

    /** Probes one backend; {@code poller} is needed for the selector backend. */
    public static BackendAvailability probe(Backend backend, PollerKind poller) {
        return switch (backend) {
            case SELECTOR -> probeSelector(poller);
            case PROACTOR -> dev.loop.internal.uring.ProactorProbe.probe();
            case KQUEUE -> {
                Optional<String> reason = Pollers.staticReason(PollerKind.KQUEUE);
                yield reason.isPresent() ? unavailable(Backend.KQUEUE, null, reason.get())
                        : withBackend(probeSelector(PollerKind.KQUEUE), Backend.KQUEUE);
            }
        };
    }

    private static BackendAvailability withBackend(BackendAvailability a, Backend backend) {
        return new BackendAvailability(backend, a.poller(), a.available(), a.reason(), a.details());
    }

    /** The first available selector poller in this OS's {@link #selectorOrder}, if any. */
    public static Optional<BackendAvailability> best() {
        for (PollerKind p : selectorOrder(Os.current())) {
            BackendAvailability a = probe(Backend.SELECTOR, p);
            if (a.available()) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    private static BackendAvailability probeSelector(PollerKind poller) {
        if (poller == null) {
            return best().orElseGet(() -> unavailable(Backend.SELECTOR, null, "no poller is usable here"));
        }
        Optional<String> reason = Pollers.staticReason(poller);
        if (reason.isPresent()) {
            return unavailable(Backend.SELECTOR, poller, reason.get());
        }
        try (Poller p = Pollers.open(poller)) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("timeouts", p.timeoutMechanism());
            details.put("pollGranularityNanos", p.timeoutGranularityNanos());
            details.put("descriptorLimit", p.descriptorLimit() == Integer.MAX_VALUE ? "none"
                    : (Object) (long) p.descriptorLimit());
            if (p instanceof EpollPoller e) {
                details.put("epollTimeoutMode", e.timeoutMode().name());
            }
            return new BackendAvailability(Backend.SELECTOR, poller, true, null, details);
        } catch (LinkageError e) {
            return unavailable(Backend.SELECTOR, poller, "JNA cannot load the C library: " + e);
        } catch (RuntimeException e) {
            return unavailable(Backend.SELECTOR, poller, e.getMessage());
        }
    }

    private static BackendAvailability unavailable(Backend b, PollerKind p, String reason) {
        return new BackendAvailability(b, p, false, reason, Map.of());
    }
}

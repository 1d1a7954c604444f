package dev.loop.autoconfigure;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

import dev.loop.EventLoop;
import dev.loop.LoopStatsSnapshot;
import dev.loop.LoopStatsSnapshot.Distribution;
import dev.loop.LoopStatsSnapshot.HandleCounts;
import dev.loop.capability.Capabilities;
import dev.loop.capability.Capability;
import dev.loop.capability.CapabilityUsage;
import dev.loop.capability.PlatformSupport;
import dev.loop.capability.ReadableDurations;
import dev.loop.capability.Support;
import dev.loop.platform.BackendAvailability;
import dev.loop.platform.BackendProbe;
import dev.loop.platform.Platform;

/**
 * {@code /actuator/eventloop}: every loop of the application (by bean name) and what can run on this
 * machine; {@code /actuator/eventloop/{name}}: one loop. A read-only view over the loop's own records;
 * times are nanoseconds.
 */
@Endpoint(id = "eventloop", defaultAccess = Access.READ_ONLY)
public class EventLoopEndpoint {

    private final Map<String, EventLoop> loops;
    private final Map<String, BackendSelection> selections;

    /**
     * @param loops      the loops, by bean name
     * @param selections how each auto-configured loop's backend was chosen, by bean name
     */
    public EventLoopEndpoint(Map<String, EventLoop> loops, Map<String, BackendSelection> selections) {
        this.loops = loops;
        this.selections = selections;
    }

    @ReadOperation
    public EventLoopsDescriptor loops() {
        Map<String, LoopDescriptor> all = new LinkedHashMap<>();
        loops.forEach((name, loop) -> all.put(name, describe(name, loop)));
        List<AvailabilityDescriptor> available = BackendProbe.probeAll().stream().map(AvailabilityDescriptor::of).toList();
        return new EventLoopsDescriptor(all, available);
    }

    @ReadOperation
    public @Nullable LoopDescriptor loop(@Selector String name) {
        EventLoop loop = loops.get(name);
        return loop == null ? null : describe(name, loop);
    }

    private LoopDescriptor describe(String name, EventLoop loop) {
        LoopStatsSnapshot stats = loop.stats();
        Capabilities caps = loop.capabilities();
        Platform platform = Platform.current();
        Map<String, CapabilityDescriptor> capabilities = new LinkedHashMap<>();
        caps.asMap().forEach((c, s) -> capabilities.put(key(c), CapabilityDescriptor.of(s)));
        BackendSelection selection = selections.get(name);
        RequestedDescriptor requested = selection != null
                ? new RequestedDescriptor(BackendSelection.id(selection.requestedBackend()),
                        BackendSelection.id(selection.requestedPoller()), selection.reason(), selection.fallback())
                : new RequestedDescriptor(loop.backend().id(), loop.poller() == null ? null : loop.poller().id(),
                        "a loop defined by the application", false);
        Distribution delay = stats.delay();
        return new LoopDescriptor(name, loop.backend().id(), loop.poller() == null ? null : loop.poller().id(),
                loop.poller() == null ? "none: the " + loop.backend().id() + " backend waits on completions (io_uring) "
                        + "or kqueue itself, with no poller to choose" : null,
                requested,
                loop.failure() != null ? "failed: " + loop.failure() : loop.isClosed() ? "closed"
                        : loop.isRunning() ? "running" : "stopped",
                loop.thread() == null ? null : loop.thread().getName(),
                new PlatformDescriptor(platform.os().displayName(), platform.arch(), platform.kernel()), capabilities,
                new LimitsDescriptor(caps.limits().maxDescriptors(), caps.limits().clockResolutionNanos(),
                        caps.limits().pollGranularityNanos(), caps.limits().timerSlackNanos()),
                stats.handles(),
                TimersDescriptor.of(loop, stats),
                new StatsDescriptor(stats.iterations(), stats.callbacks(), stats.slowCallbacks(), stats.blockedCallbacks(),
                        stats.errors(), DelayDescriptor.of(delay, loop.recentDelayNanos()),
                        Math.round(stats.utilization() * 1e4) / 1e4),
                portability(loop));
    }

    /**
     * For every other row of the matrix, what this application has used that would be missing there: the rows
     * that lack something in full, the others in one line.
     */
    static PortabilityDescriptor portability(EventLoop loop) {
        Map<Capability, Map<String, Long>> used = loop.capabilityUsage();
        Capabilities here = loop.capabilities();
        List<RowDescriptor> lacking = new ArrayList<>();
        List<String> portable = new ArrayList<>();
        for (Capabilities row : PlatformSupport.matrix()) {
            if (row.sameRowAs(here)) {
                continue;
            }
            List<MissingDescriptor> missing = new ArrayList<>();
            used.forEach((cap, byWhat) -> {
                Support s = row.support(cap);
                if (s != null && !s.supported()) {
                    String usedBy = CapabilityUsage.describe(byWhat);
                    missing.add(new MissingDescriptor(key(cap), usedBy, s.reason(), s.alternative(),
                            cap.label() + ", used by " + usedBy + ": not supported by " + possessive(row.platformLabel())
                                    + " " + row.backendLabel()));
                }
            });
            if (missing.isEmpty()) {
                portable.add(row.platformLabel() + " " + row.backendLabel());
            } else {
                lacking.add(new RowDescriptor(row.platformLabel(), row.backendLabel(), missing));
            }
        }
        String summary = "What this application uses is supported by " + portable.size() + " of the "
                + (portable.size() + lacking.size()) + " other platform rows" + (portable.isEmpty() ? ""
                        : ": " + String.join(", ", portable)) + (lacking.isEmpty() ? "" : "; " + lacking.size()
                                + " lack something (listed)");
        return new PortabilityDescriptor(summary, lacking);
    }

    /** "Windows'", "Linux's". */
    static String possessive(String name) {
        return name.endsWith("s") ? name + "'" : name + "'s";
    }

    /** {@code UNIX_SOCKETS} to {@code unixSockets}. */
    static String key(Capability c) {
        String[] parts = c.name().toLowerCase(java.util.Locale.ROOT).split("_");
        StringBuilder sb = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            sb.append(Character.toUpperCase(parts[i].charAt(0))).append(parts[i].substring(1));
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- response records

    /** Every loop by bean name, and every backend and poller with whether it can run here. */
    public record EventLoopsDescriptor(Map<String, LoopDescriptor> loops, List<AvailabilityDescriptor> available)
            implements OperationResponseBody {
    }

    /** One backend or poller on this machine: usable or not, with the cause. */
    public record AvailabilityDescriptor(String backend, String poller, boolean usable, String cause,
            Map<String, Object> details) {
        static AvailabilityDescriptor of(BackendAvailability a) {
            return new AvailabilityDescriptor(a.backend().id(), a.poller() == null ? null : a.poller().id(),
                    a.available(), a.reason(), a.details());
        }
    }

    /** One loop. */
    public record LoopDescriptor(String name, String backend, String poller, String pollerNote,
            RequestedDescriptor requested,
            String state, String thread, PlatformDescriptor platform, Map<String, CapabilityDescriptor> capabilities,
            LimitsDescriptor limits, HandleCounts handles, TimersDescriptor timers, StatsDescriptor stats,
            PortabilityDescriptor portability) implements OperationResponseBody {
    }

    /** What {@code loop.backend} and {@code loop.poller} asked for, and why the running choice was made. */
    public record RequestedDescriptor(String backend, String poller, String reason, boolean fallback) {
    }

    public record PlatformDescriptor(String os, String arch, String kernel) {
    }

    public record CapabilityDescriptor(boolean supported, String reason, String alternative) {
        static CapabilityDescriptor of(Support s) {
            return new CapabilityDescriptor(s.supported(), s.reason(), s.alternative());
        }
    }

    /**
     * Limits, in nanoseconds where they are times; {@code timerSlackNanos}: the loop thread's, read back from it
     * (0: no such control here, -1: the loop has not run yet).
     */
    public record LimitsDescriptor(long maxDescriptors, long clockResolutionNanos, long pollGranularityNanos,
            long timerSlackNanos) {
    }

    /** {@code utilization}: the share of time the loop thread ran callbacks, to four decimals. */
    public record StatsDescriptor(long iterations, long callbacks, long slowCallbacks, long blockedCallbacks, long errors,
            DelayDescriptor delay, double utilization) {
    }

    /** Loop delay samples, the delay now, and both in one line for people. */
    public record DelayDescriptor(long count, long p50Nanos, long p90Nanos, long p99Nanos, long maxNanos,
            long recentNanos, String summary) {

        static DelayDescriptor of(Distribution d, long recent) {
            String summary = (d.count() == 0 ? "no sample yet"
                    : "p50 " + ReadableDurations.of(d.p50()) + ", p90 " + ReadableDurations.of(d.p90()) + ", p99 "
                            + ReadableDurations.of(d.p99()) + ", max " + ReadableDurations.of(d.max()))
                    + "; now " + ReadableDurations.of(recent);
            return new DelayDescriptor(d.count(), d.p50(), d.p90(), d.p99(), d.max(), recent, summary);
        }
    }

    /** The other rows of the matrix: a one-line summary, and the rows that lack something the application used. */
    public record PortabilityDescriptor(String summary, List<RowDescriptor> lacking) {
    }

    /** Another platform and backend of the matrix, and what the application used that it lacks. */
    public record RowDescriptor(String platform, String backend, List<MissingDescriptor> missing) {
    }

    public record MissingDescriptor(String capability, String usedBy, String reason, String alternative,
            String message) {
    }
}

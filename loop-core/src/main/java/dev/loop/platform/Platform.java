package dev.loop.platform;

import dev.loop.Backend;
import dev.loop.PollerKind;
import dev.loop.capability.Capabilities;
import dev.loop.capability.Capability;
import dev.loop.capability.Limits;
import dev.loop.capability.PlatformSupport;
import dev.loop.capability.Support;
import dev.loop.internal.nativeio.Descriptors;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.nativeio.NativeMemory;

/**
 * The machine we run on: OS, version, architecture, kernel release and the monotonic clock's
 * resolution (from {@code clock_getres} on Linux).
 *
 * @param os                   the operating system
 * @param osVersion            {@code os.version} (the kernel release on Linux)
 * @param arch                 {@code os.arch}
 * @param clockResolutionNanos resolution of CLOCK_MONOTONIC, which {@link System#nanoTime()} reads
 */
public record Platform(Os os, String osVersion, String arch, long clockResolutionNanos) {

    private static volatile Platform current;

    public static Platform current() {
        Platform p = current;
        if (p == null) {
            p = new Platform(Os.current(), System.getProperty("os.version", "?"), System.getProperty("os.arch", "?"),
                    readClockResolution());
            current = p;
        }
        return p;
    }

    /** The kernel release (Linux: {@code uname -r}). */
    public String kernel() {
        return osVersion;
    }

    private static long readClockResolution() {
        if (Os.current() != Os.LINUX) {
            return 1;
        }
        try (NativeMemory ts = new NativeMemory(Linux.TIMESPEC_SIZE)) {
            if (LibC.clock_getres(Linux.CLOCK_MONOTONIC, ts.address()) != 0) {
                return 1;
            }
            return Math.max(1, ts.buffer().getLong(0) * 1_000_000_000L + ts.buffer().getLong(8));
        } catch (LinkageError e) {
            return 1;
        }
    }

    /**
     * This platform's row of the matrix for a backend, with the limits measured here: the poller's real
     * timeout granularity (sub-millisecond timers are declared unsupported when it is a millisecond or
     * coarser), its descriptor limit (or the open-file limit), and the clock resolution.
     */
    public Capabilities capabilitiesOf(Backend backend, PollerKind poller, long pollGranularityNanos,
            long descriptorLimit) {
        Capabilities row = PlatformSupport.of(os, osVersion, backend, poller)
                .orElseThrow(() -> new IllegalStateException(backend.id() + (poller == null ? "" : "/" + poller.id())
                        + " does not exist on " + os.displayName()));
        long maxFds = descriptorLimit;
        if (maxFds == Integer.MAX_VALUE) {
            maxFds = os == Os.LINUX ? Descriptors.openFileLimit()[0] : -1;
        }
        Capabilities caps = row.withLimits(new Limits(maxFds, clockResolutionNanos, pollGranularityNanos,
                row.limits().timerSlackNanos()));
        if (pollGranularityNanos >= Limits.NANOS_PER_MILLI && caps.supports(Capability.SUB_MILLISECOND_TIMERS)) {
            caps = caps.with(Capability.SUB_MILLISECOND_TIMERS, Support.no(
                    "this poller waits in whole milliseconds here (the kernel lacks epoll_pwait2 and timerfd is off)",
                    "the poll poller (ppoll) or a kernel with epoll_pwait2 (Linux 5.11+)"));
        }
        return caps;
    }
}

package dev.loop.internal.selector;

import java.util.Optional;

import dev.loop.PollerKind;
import dev.loop.internal.nativeio.Linux;
import dev.loop.platform.Os;

/** Opens the poller of a kind on this machine, or says why it cannot exist here. */
public final class Pollers {

    private Pollers() {
    }

    /** Why {@code kind} cannot run on this OS and architecture at all, before trying; empty if it may. */
    public static Optional<String> staticReason(PollerKind kind) {
        Os os = Os.current();
        if (kind == PollerKind.KQUEUE) {
            if (os == Os.LINUX) {
                return Optional.of("kqueue is a BSD/macOS kernel interface, not present on Linux");
            }
            return Optional.of("the kqueue poller has been tested only against a Linux emulation of kqueue, not yet on "
                    + os.displayName() + ", and loop's other native calls (sockets, pipes, subprocesses) use Linux "
                    + "constants and layouts");
        }
        if (os != Os.LINUX) {
            if (kind == PollerKind.EPOLL) {
                return Optional.of("epoll is a Linux kernel interface, not present on " + os.displayName());
            }
            return Optional.of("the " + kind.id() + " poller is implemented for Linux only in this version of loop; "
                    + os.displayName() + " is not supported yet");
        }
        if (Linux.Arch.current() == Linux.Arch.OTHER) {
            return Optional.of("no verified native structure layouts for architecture " + System.getProperty("os.arch")
                    + " (x86_64 and aarch64 are supported)");
        }
        return Optional.empty();
    }

    /**
     * Opens a poller of {@code kind}.
     *
     * @throws UnsupportedOperationException with the static reason, when it cannot exist here
     * @throws RuntimeException              (often {@link dev.loop.NativeException}) when creating it failed
     */
    public static Poller open(PollerKind kind) {
        Optional<String> reason = staticReason(kind);
        if (reason.isPresent()) {
            throw new UnsupportedOperationException(reason.get());
        }
        return switch (kind) {
            case EPOLL -> new EpollPoller();
            case POLL -> new PollPoller();
            case SELECT -> new SelectPoller();
            case KQUEUE -> new KqueuePoller();
        };
    }
}

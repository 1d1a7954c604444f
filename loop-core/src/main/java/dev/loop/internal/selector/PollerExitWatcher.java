package dev.loop.internal.selector;

import java.util.HashMap;
import java.util.Map;
import java.util.function.IntConsumer;

import dev.loop.internal.engine.Loop;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.process.ExitWatcher;
import dev.loop.internal.process.Reaper;

/** Process exits reported by the poller itself (kqueue's {@code EVFILT_PROC}); nobody else reaps the child. */
final class PollerExitWatcher implements ExitWatcher {

    private final Loop loop;
    private final Poller poller;
    /** Exit callbacks of the children the poller watches, by pid. */
    private final Map<Integer, Runnable> exits = new HashMap<>();

    PollerExitWatcher(Loop loop, Poller poller) {
        this.loop = loop;
        this.poller = poller;
    }

    @Override
    public Child watch(int pid, IntConsumer onExit) {
        exits.put(pid, () -> onExit.accept(Reaper.reap(Linux.P_PID, pid)));
        boolean watched = poller.watchExit(pid);
        if (!watched) {
            loop.callSoon(() -> exited(pid)); // exited before it could be watched
        }
        return new Child() {
            @Override
            public int signal(int signal) {
                return LibC.kill(pid, signal) == 0 ? 0 : LibC.errno();
            }

            @Override
            public int killAndReap() {
                if (exits.remove(pid) == null) {
                    return -9; // reaped already, or about to be
                }
                if (watched) {
                    poller.unwatchExit(pid); // also while the loop closes: the poller is closed last
                }
                LibC.kill(pid, 9);
                return Reaper.reap(Linux.P_PID, pid); // SIGKILL cannot be ignored: this returns at once
            }
        };
    }

    /** {@code pid} exited (the poller saw it, or it was gone before): reaped and reported now. */
    void exited(int pid) {
        Runnable callback = exits.remove(pid);
        if (callback != null) {
            callback.run();
        }
    }

    @Override
    public String mechanism() {
        return poller.kind().id() + " process events";
    }

}

package dev.loop.internal.process;

import java.util.function.IntConsumer;

import dev.loop.LoopClosedException;
import dev.loop.internal.engine.Loop;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.Linux;

/**
 * A daemon thread per child blocks in {@code waitid(P_PID)} and posts the exit to the loop: the fallback
 * where the kernel has no pidfds (before Linux 5.3) and the poller no process events.
 */
public final class ThreadExitWatcher implements ExitWatcher {

    private final Loop loop;

    public ThreadExitWatcher(Loop loop) {
        this.loop = loop;
    }

    @Override
    public Child watch(int pid, IntConsumer onExit) {
        WatchedChild child = new WatchedChild(pid);
        Thread t = new Thread(() -> {
            int rc = child.awaitAndReap();
            try {
                loop.callSoonThreadsafe(() -> onExit.accept(rc));
            } catch (LoopClosedException e) {
                // reaped; the loop is gone, and with it everyone who cared
            }
        }, "loop-reaper-" + pid);
        t.setDaemon(true);
        t.start();
        return child;
    }

    /**
     * A child signalled with kill(2) by pid, which is safe only while the pid is still the child's: the waiting
     * thread first waits without reaping (the zombie keeps the pid), then marks the child gone and reaps it
     * under the same lock as {@link #signal}, so a signal never reaches a process that reused the pid.
     */
    private static final class WatchedChild implements Child {
        private final int pid;
        private boolean reaped; // guarded by this

        WatchedChild(int pid) {
            this.pid = pid;
        }

        int awaitAndReap() {
            Reaper.awaitExit(pid);
            synchronized (this) {
                reaped = true;
                return Reaper.reap(Linux.P_PID, pid);
            }
        }

        @Override
        public synchronized int signal(int signal) {
            return reaped ? Errno.ESRCH : Reaper.kill(pid, signal);
        }

        @Override
        public int killAndReap() {
            signal(9); // the waiting thread reaps it
            return -9;
        }
    }

    @Override
    public String mechanism() {
        return "waiting thread";
    }
}

package dev.loop.internal.process;

import java.util.function.IntConsumer;

import dev.loop.LoopClosedException;
import dev.loop.internal.engine.Loop;
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
        Thread t = new Thread(() -> {
            int rc = Reaper.reap(Linux.P_PID, pid);
            try {
                loop.callSoonThreadsafe(() -> onExit.accept(rc));
            } catch (LoopClosedException e) {
                // reaped; the loop is gone, and with it everyone who cared
            }
        }, "loop-reaper-" + pid);
        t.setDaemon(true);
        t.start();
        return new Child() {
            @Override
            public int signal(int signal) {
                return Reaper.kill(pid, signal);
            }

            @Override
            public int killAndReap() {
                Reaper.kill(pid, 9); // the waiting thread reaps it
                return -9;
            }
        };
    }

    @Override
    public String mechanism() {
        return "waiting thread";
    }
}

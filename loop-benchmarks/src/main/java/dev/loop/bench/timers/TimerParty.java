package dev.loop.bench.timers;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.uring.IoUringIoHandler;

import dev.loop.Backend;
import dev.loop.EventLoop;
import dev.loop.EventLoops;
import dev.loop.LoopOptions;
import dev.loop.PollerKind;
import dev.loop.internal.nativeio.TimerSlack;
import dev.loop.internal.selector.EpollPoller;
import dev.loop.internal.selector.SelectorBackend;

/**
 * One scheduler whose timers are measured: the loop on a backend, or a peer. Every party runs timers on one
 * thread of its own and is driven the same way: {@link #schedule} is called on that thread (a chain schedules
 * the next timer from the one that fires), and the slack is set on that thread before anything runs.
 */
abstract class TimerParty implements AutoCloseable {

    /** The slack a run asks for: each party's own default, or 1 ns everywhere. */
    enum Slack {
        DEFAULT, ONE_NS;

        String label() {
            return this == DEFAULT ? "default" : "1 ns";
        }
    }

    final String name;

    TimerParty(String name) {
        this.name = name;
    }

    /** Runs {@code task} on the party's thread. */
    abstract void execute(Runnable task);

    /** On the party's thread: runs {@code task} after {@code delayNanos}. */
    abstract void schedule(long delayNanos, Runnable task);

    /** The timer slack the party's thread runs with, read on that thread. */
    long slackInForce() {
        return call(TimerSlack::get);
    }

    <T> T call(Supplier<T> action) {
        CompletableFuture<T> f = new CompletableFuture<>();
        execute(() -> {
            try {
                f.complete(action.get());
            } catch (RuntimeException | Error e) {
                f.completeExceptionally(e);
            }
        });
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(name + ": " + e, e);
        }
    }

    /** The thread running the party's timers, for CPU time. */
    Thread thread() {
        return call(Thread::currentThread);
    }

    @Override
    public abstract void close();

    /**
     * Every party, each to be created with {@code slack}: the loop's backends usable here, then the peers; and,
     * for A/B runs only, {@code loop-epoll-timerfd}: epoll with its timerfd mode for sub-millisecond waits instead
     * of {@code epoll_pwait2}.
     */
    static TimerParty create(String name, Slack slack) {
        return switch (name) {
            case "loop-epoll" -> new Loop(name, Backend.SELECTOR, PollerKind.EPOLL, slack);
            case "loop-epoll-timerfd" -> new Loop(name, new EpollPoller(EpollPoller.TimeoutMode.TIMERFD), slack);
            case "loop-poll" -> new Loop(name, Backend.SELECTOR, PollerKind.POLL, slack);
            case "loop-select" -> new Loop(name, Backend.SELECTOR, PollerKind.SELECT, slack);
            case "loop-proactor" -> new Loop(name, Backend.PROACTOR, null, slack);
            case "stpe" -> stpe(name, slack);
            case "netty-epoll" -> netty(name, EpollIoHandler.newFactory(), slack);
            case "netty-io_uring" -> netty(name, IoUringIoHandler.newFactory(), slack);
            default -> throw new IllegalArgumentException("no such party: " + name);
        };
    }

    static final String[] ALL = {"loop-epoll", "loop-poll", "loop-select", "loop-proactor", "stpe", "netty-epoll",
        "netty-io_uring"};

    /** The parties that can run here (io_uring needs a kernel that has it, for the loop and for Netty alike). */
    static java.util.List<String> available() {
        boolean uring = dev.loop.platform.BackendProbe.probe(Backend.PROACTOR, null).available();
        boolean nettyUring = io.netty.channel.uring.IoUring.isAvailable();
        return java.util.Arrays.stream(ALL).filter(p -> !p.equals("loop-proactor") || uring)
                .filter(p -> !p.equals("netty-io_uring") || nettyUring).toList();
    }

    /** The loop: its own option sets the slack (default: the loop's default). */
    static final class Loop extends TimerParty {
        private final EventLoop loop;

        Loop(String name, Backend backend, PollerKind poller, Slack slack) {
            super(name);
            loop = EventLoops.create(options(slack).backend(backend).poller(poller).build());
            loop.start();
        }

        /** A loop on a poller of the caller's making (a timeout mode the options do not offer). */
        Loop(String name, EpollPoller poller, Slack slack) {
            super(name);
            loop = SelectorBackend.newLoop(options(slack).build(), poller);
            loop.start();
        }

        private static LoopOptions.Builder options(Slack slack) {
            return LoopOptions.builder().name("timers").delaySamplingInterval(Duration.ZERO)
                    .blockedThreshold(Duration.ZERO).timerSlack(slack == Slack.ONE_NS ? Duration.ofNanos(1) : null);
        }

        @Override
        void execute(Runnable task) {
            loop.execute(task);
        }

        @Override
        void schedule(long delayNanos, Runnable task) {
            loop.callLater(Duration.ofNanos(delayNanos), task);
        }

        @Override
        public void close() {
            loop.close();
        }
    }

    /** A peer that is a {@link ScheduledExecutorService} with one thread: the JDK's or Netty's. */
    static final class ScheduledExecutorParty extends TimerParty {
        private final ScheduledExecutorService executor;
        private final Runnable close;

        ScheduledExecutorParty(String name, ScheduledExecutorService executor, Runnable close) {
            super(name);
            this.executor = executor;
            this.close = close;
        }

        @Override
        void execute(Runnable task) {
            executor.execute(task);
        }

        @Override
        void schedule(long delayNanos, Runnable task) {
            executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void close() {
            close.run();
        }
    }

    /** The JDK's ScheduledThreadPoolExecutor, one thread; its thread sets the slack first when asked. */
    static TimerParty stpe(String name, Slack slack) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> new Thread(() -> {
            if (slack == Slack.ONE_NS) {
                TimerSlack.set(1);
            }
            r.run();
        }, "stpe-timers"));
        executor.prestartAllCoreThreads();
        return new ScheduledExecutorParty(name, executor, executor::shutdownNow);
    }

    /** Netty 4.2's single-threaded IoEventLoop with the epoll or io_uring handler; a task sets the slack first. */
    static TimerParty netty(String name, IoHandlerFactory handler, Slack slack) {
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, handler);
        TimerParty party = new ScheduledExecutorParty(name, group.next(),
                () -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly());
        if (slack == Slack.ONE_NS) {
            party.call(() -> TimerSlack.set(1));
        }
        return party;
    }
}

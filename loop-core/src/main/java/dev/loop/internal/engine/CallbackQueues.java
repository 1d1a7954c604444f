package dev.loop.internal.engine;

import java.util.ArrayDeque;

import dev.loop.TimerHandle;

/**
 * What waits to run on a loop, kept apart as asyncio keeps {@code _ready} and {@code _scheduled}: the ready
 * queue (callbacks of the loop thread and of ready descriptors), the inbox (posts from other threads,
 * lock-free) and the timer heap. The loop's step asks them what is due and runs it through a
 * {@link CallbackRunner}. Loop thread, except {@link #post} and {@link #postsWaiting()}.
 *
 * <p>The ready queue and the inbox are one FIFO, as asyncio's {@code call_soon} and
 * {@code call_soon_threadsafe} feed one {@code _ready}: callbacks run in the order the loop thread sees them
 * scheduled. Posts stay in the inbox (so that a post still costs one slot, and its handle can still cancel
 * it), and a callback queued behind posts is queued behind a {@link PostsBefore} mark that runs them.
 */
final class CallbackQueues {

    private final ArrayDeque<CallbackHandle> ready = new ArrayDeque<>(256);
    private final Inbox inbox = new Inbox();
    private final TimerQueue timers = new TimerQueue();
    /** {@link TimerQueue#scheduledCount()} when the step's wait began. */
    private long timersBeforePoll;
    /** Inbox index below which every post is taken or behind a mark in the ready queue. */
    private long postsOrderedBefore;
    /** Marks in the ready queue, which are not callbacks of their own. */
    private int marks;

    /** In the ready queue: run the posts made before {@code limit} here, ahead of what follows. */
    private static final class PostsBefore extends CallbackHandle {
        final long limit;

        PostsBefore(long limit) {
            super(null);
            this.limit = limit;
        }
    }

    void addReady(CallbackHandle handle) {
        long posted = inbox.limit();
        if (posted != postsOrderedBefore) { // posted since the last look: those run first
            postsOrderedBefore = posted;
            if (!inbox.takenBefore(posted)) {
                ready.addLast(new PostsBefore(posted));
                marks++;
            }
        }
        ready.addLast(handle);
    }

    /** Any thread: a post ({@link Runnable}, or a {@link CallbackHandle} in debug mode). */
    void post(Object item) {
        inbox.offer(item);
    }

    /** Any thread: a post that is its own handle. */
    void post(Inbox.PostedHandle handle) {
        inbox.offer(handle);
    }

    TimerHandle schedule(long when, Runnable callback, Throwable scheduledAt) {
        return timers.schedule(when, callback, scheduledAt);
    }

    /** Drops cancelled timers at the heap's top (or rebuilds it); the next timer, or null. */
    TimerEntry purgeTimers() {
        return timers.purgeAndPeek();
    }

    boolean readyWaiting() {
        return !ready.isEmpty();
    }

    /** Any thread: whether posts wait in the inbox. */
    boolean postsWaiting() {
        return !inbox.isEmpty();
    }

    /** The wait begins: timers scheduled from now on show in {@link #workArrivedDuringPoll()}. */
    void pollStarts() {
        timersBeforePoll = timers.scheduledCount();
    }

    /** Whether callbacks, posts or a new timer arrived since {@link #pollStarts()}. */
    boolean workArrivedDuringPoll() {
        return !ready.isEmpty() || !inbox.isEmpty() || timers.scheduledCount() != timersBeforePoll;
    }

    /** Entries in the ready queue, marks included: what a step runs. */
    int readyCount() {
        return ready.size();
    }

    /** Where the inbox ends now: posts before it belong to this step. */
    long postLimit() {
        return inbox.limit();
    }

    /** While the step runs, new timers wait beside the heap, so a callback never lengthens its own step. */
    void deferNewTimers(boolean defer) {
        timers.deferNewTimers(defer);
    }

    /** Runs the first {@code count} entries of the ready queue, in order: callbacks, and posts at their marks. */
    long runReady(int count, CallbackRunner runner) {
        long ran = 0;
        for (int i = 0; i < count; i++) {
            CallbackHandle h = ready.pollFirst();
            Runnable cb = h.callback();
            if (cb != null) {
                runner.run(h, cb);
                ran++;
            } else if (h instanceof PostsBefore mark) {
                marks--;
                ran += runPosted(mark.limit, runner);
            }
        }
        return ran;
    }

    /** Runs the posts made before {@code limit}, straight from the inbox. */
    long runPosted(long limit, CallbackRunner runner) {
        long ran = 0;
        Object posted;
        while ((posted = inbox.take(limit)) != null) {
            if (posted instanceof CallbackHandle h) { // debug mode: a handle that knows where it was posted
                Runnable cb = h.callback();
                if (cb != null) {
                    runner.run(h, cb);
                    ran++;
                }
            } else {
                runner.run(null, (Runnable) posted);
                ran++;
            }
        }
        return ran;
    }

    /**
     * Runs the timers due at {@code now}, popped one by one (asyncio queues them behind the others; the order
     * is the same, and a popped timer is still in cache when it runs).
     */
    long runDueTimers(long now, CallbackRunner runner, LoopMetrics metrics) {
        long ran = 0;
        TimerEntry t;
        while ((t = timers.pollDueOne(now)) != null) {
            Runnable cb = t.callback();
            if (cb != null) {
                long started = runner.mark();
                metrics.timerLateness(started - t.when, started);
                runner.run(t, cb);
                ran++;
            }
        }
        return ran;
    }

    int liveTimers() {
        return timers.liveCount();
    }

    int cancelledTimers() {
        return timers.cancelledCount();
    }

    /** Ready callbacks and posts not run yet. */
    int pending() {
        return ready.size() - marks + inbox.pending();
    }

    void clear() {
        ready.clear();
        marks = 0;
        inbox.clear();
        postsOrderedBefore = inbox.limit();
        timers.clear();
    }
}

package dev.loop.internal.engine;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Runs the step's callbacks one by one: an exception (an {@code Error} too) goes to the exception handler and
 * never ends the loop, and the time they take is measured for slow-callback counting and for the watchdog.
 *
 * <p>Reading the clock costs about as much as running a small callback, so outside debug mode it is read
 * once per group of {@value #CLOCK_EVERY} callbacks: a slow callback is then counted once per group (and
 * the watchdog sees the group's start); in debug mode every callback is timed and a slow one is logged with
 * where it was scheduled. Loop thread, except {@link #currentCallbackStart()}.
 */
final class CallbackRunner {

    private static final System.Logger LOG = dev.loop.LoopLogging.getLogger("dev.loop.EventLoop");

    /** Outside debug mode, the clock is read once per this many callbacks. */
    static final int CLOCK_EVERY = 16;

    private static final VarHandle CALLBACK_START = VarHandles.field(MethodHandles.lookup(),
            LoopThreadState.class, "callbackStart", long.class);

    private final Loop loop;
    private final LoopStats stats;
    private final LoopThreadState st;
    private final long slowNanos;

    CallbackRunner(Loop loop, LoopStats stats, LoopThreadState state, long slowNanos) {
        this.loop = loop;
        this.stats = stats;
        this.st = state;
        this.slowNanos = slowNanos;
    }

    /** The step's callbacks start at {@code now}; with {@code timeEach} (debug mode) each is timed. */
    void begin(long now, boolean timeEach) {
        st.timeEach = timeEach;
        st.mark = now;
        st.sinceMark = 0;
        CALLBACK_START.setOpaque(st, now);
    }

    /** The last clock reading of this step's callbacks (for timer lateness). */
    long mark() {
        return st.mark;
    }

    /** Runs {@code cb} (of handle {@code h}, or null for a plain post). */
    void run(CallbackHandle h, Runnable cb) {
        try {
            cb.run();
        } catch (Throwable e) { // Errors too (a StackOverflowError, say): a callback never ends the loop
            stats.error();
            loop.reportError("Exception in callback " + cb, e, h, -1, h == null ? null : h.scheduledAt());
        }
        if (st.timeEach || ++st.sinceMark == CLOCK_EVERY) {
            long end = System.nanoTime();
            if (end - st.mark >= slowNanos) {
                stats.slowCallback();
                if (st.timeEach) {
                    logSlow(h, cb, end - st.mark);
                }
            }
            CALLBACK_START.setOpaque(st, end);
            st.mark = end;
            st.sinceMark = 0;
        }
    }

    /** The step's callbacks ended; the last group is timed by the next clock read (the next step's start). */
    void end() {
        st.openGroupStart = st.sinceMark > 0 ? st.mark : 0;
        CALLBACK_START.setOpaque(st, 0L);
    }

    /** Finishes timing the last group of callbacks of the previous step, at {@code now}. */
    void finishLastGroup(long now) {
        long groupStart = st.openGroupStart;
        if (groupStart != 0) {
            st.openGroupStart = 0;
            if (now - groupStart >= slowNanos) {
                stats.slowCallback();
            }
        }
    }

    /** When the running callback group started (0: none); any thread (the watchdog). */
    long currentCallbackStart() {
        return (long) CALLBACK_START.getOpaque(st);
    }

    private static void logSlow(CallbackHandle h, Runnable cb, long nanos) {
        Throwable scheduledAt = h == null ? null : h.scheduledAt();
        // A lambda's class name (Foo$$Lambda/0x...) tells a reader nothing: name where it was scheduled instead.
        String what = scheduledAt == null ? String.valueOf(cb) : "the callback scheduled at " + callerFrame(scheduledAt);
        String msg = String.format("Executing %s took %.3f seconds", what, nanos / 1e9);
        if (scheduledAt != null) {
            LOG.log(Level.WARNING, msg + "; scheduled at:", scheduledAt);
        } else {
            LOG.log(Level.WARNING, msg);
        }
    }

    /** The first frame of {@code scheduledAt} outside the loop's implementation and the JDK: the application's. */
    static String callerFrame(Throwable scheduledAt) {
        for (StackTraceElement e : scheduledAt.getStackTrace()) {
            String c = e.getClassName();
            if (!c.startsWith("dev.loop.internal.") && !c.startsWith("java.") && !c.startsWith("jdk.")
                    && !c.startsWith("sun.")) {
                return e.toString();
            }
        }
        return "an unknown place";
    }
}

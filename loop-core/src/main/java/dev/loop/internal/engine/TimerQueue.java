package dev.loop.internal.engine;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The loop's timers: an 8-ary min-heap ordered by (due time, scheduling order), with asyncio's lazy
 * cancellation. Loop thread only, except {@link TimerEntry#cancel()} and the counts.
 *
 * <p>Due times live in an array parallel to the entries, so sifting compares contiguous longs instead
 * of following a pointer per comparison (the scheduling order is read from the entries only on equal
 * due times); eight children per node cut the depth to a third of a binary heap's. Both matter with a
 * million timers, where every level is a cache miss.
 *
 * <p>Cleanup rule (asyncio's {@code _run_once}): when more than {@value #MIN_ENTRIES_FOR_PURGE}
 * entries are queued and more than half are cancelled, rebuild the heap without them; otherwise
 * cancelled entries leave when they reach the head.
 */
public final class TimerQueue {

    static final int MIN_ENTRIES_FOR_PURGE = 100;

    private TimerEntry[] entries = new TimerEntry[64];
    /** Timers scheduled while a step runs its callbacks: they join the heap when the step ends. */
    private TimerEntry[] deferred = new TimerEntry[16];
    private int deferredCount;
    private boolean deferring;
    private long[] whens = new long[64];
    private int size;
    private long nextSeq;
    final AtomicInteger cancelledInQueue = new AtomicInteger();

    /** Creates an entry due at {@code when} and queues it. */
    public TimerEntry schedule(long when, Runnable callback, Throwable scheduledAt) {
        TimerEntry e = new TimerEntry(this, when, nextSeq++, callback, scheduledAt);
        e.enqueued();
        if (deferring) {
            if (deferredCount == deferred.length) {
                deferred = Arrays.copyOf(deferred, deferredCount * 2);
            }
            deferred[deferredCount++] = e;
        } else {
            insert(e);
        }
        return e;
    }

    /** How many timers were ever scheduled: a change tells that one was added since an earlier reading. */
    public long scheduledCount() {
        return nextSeq;
    }

    /**
     * While on, new timers wait beside the heap, so that {@link #pollDueOne} pops only timers that
     * existed when the step began (a timer scheduled during a step runs in a later step, even when it
     * is already due). Turning it off moves them into the heap.
     */
    public void deferNewTimers(boolean on) {
        deferring = on;
        if (!on) {
            for (int i = 0; i < deferredCount; i++) {
                insert(deferred[i]);
                deferred[i] = null;
            }
            deferredCount = 0;
        }
    }

    private void insert(TimerEntry e) {
        if (size == entries.length) {
            int n = size * 2;
            entries = Arrays.copyOf(entries, n);
            whens = Arrays.copyOf(whens, n);
        }
        siftUp(size++, e, e.when);
    }

    /** Entries in the queue, cancelled ones included. */
    public int size() {
        return size + deferredCount;
    }

    /** Cancelled entries still in the queue. */
    public int cancelledCount() {
        return cancelledInQueue.get();
    }

    /** Live (not cancelled) timers. */
    public int liveCount() {
        return Math.max(0, size + deferredCount - cancelledInQueue.get());
    }

    /**
     * Applies the cleanup rule: a full rebuild when it pays, else drops cancelled entries at the head.
     * Returns the live head afterwards, or {@code null}.
     */
    public TimerEntry purgeAndPeek() {
        if (size > MIN_ENTRIES_FOR_PURGE && cancelledInQueue.get() * 2 > size) {
            rebuildWithoutCancelled();
        }
        while (size > 0 && entries[0].isCancelled()) {
            entries[0].dequeue();
            removeHead();
        }
        return size == 0 ? null : entries[0];
    }

    /** Takes the earliest live entry due at or before {@code now} out of the heap, or returns {@code null}. */
    public TimerEntry pollDueOne(long now) {
        while (size > 0 && whens[0] - now <= 0) {
            TimerEntry head = entries[0];
            removeHead();
            if (head.dequeue()) {
                return head;
            }
        }
        return null;
    }

    /** Drops every entry (the loop is closing). */
    public void clear() {
        deferNewTimers(false);
        for (int i = 0; i < size; i++) {
            entries[i].dequeue();
            entries[i] = null;
        }
        size = 0;
    }

    private void rebuildWithoutCancelled() {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            TimerEntry e = entries[i];
            if (e.isCancelled()) {
                e.dequeue();
            } else {
                entries[kept] = e;
                whens[kept] = e.when;
                kept++;
            }
        }
        Arrays.fill(entries, kept, size, null);
        size = kept;
        for (int i = (size - 2) >> 3; i >= 0; i--) {
            siftDown(i, entries[i], whens[i]);
        }
    }

    private void removeHead() {
        int last = --size;
        TimerEntry e = entries[last];
        long w = whens[last];
        entries[last] = null;
        if (last > 0) {
            siftDown(0, e, w);
        }
    }

    /** Ties on due time go by scheduling order, read from the entries (rare, so off the hot path). */
    private boolean earlierOnTie(int i, TimerEntry other) {
        return entries[i].seq < other.seq;
    }

    // Children of k: 8k+1 .. 8k+8; parent of k: (k-1)/8.

    private void siftUp(int k, TimerEntry e, long w) {
        while (k > 0) {
            int parent = (k - 1) >>> 3;
            long d = w - whens[parent]; // differences, not values, so the clock may wrap
            boolean before = d < 0 || d == 0 && e.seq < entries[parent].seq;
            if (!before) {
                break;
            }
            move(parent, k);
            k = parent;
        }
        put(k, e, w);
    }

    private void siftDown(int k, TimerEntry e, long w) {
        final long[] ws = whens;
        while (true) {
            int first = 8 * k + 1;
            if (first >= size) {
                break;
            }
            int best = first;
            long bw = ws[first];
            int end = Math.min(first + 8, size);
            for (int c = first + 1; c < end; c++) {
                long d = ws[c] - bw;
                if (d < 0 || d == 0 && entries[c].seq < entries[best].seq) {
                    best = c;
                    bw = ws[c];
                }
            }
            long d = bw - w;
            if (d > 0 || d == 0 && !earlierOnTie(best, e)) {
                break;
            }
            move(best, k);
            k = best;
        }
        put(k, e, w);
    }

    private void move(int from, int to) {
        entries[to] = entries[from];
        whens[to] = whens[from];
    }

    private void put(int k, TimerEntry e, long w) {
        entries[k] = e;
        whens[k] = w;
    }
}

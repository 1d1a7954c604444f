package dev.loop.engine;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The loop's timers: a binary min-heap ordered by (due time, scheduling order), with asyncio's lazy
 * cancellation. Loop thread only, except {@link TimerEntry#cancel()} and the counts.
 *
 * <p>Cleanup rule (asyncio's {@code _run_once}): when more than {@value #MIN_ENTRIES_FOR_PURGE}
 * entries are queued and more than half are cancelled, rebuild the heap without them; otherwise
 * cancelled entries leave when they reach the head.
 */
public final class TimerQueue {

    static final int MIN_ENTRIES_FOR_PURGE = 100;

    private TimerEntry[] heap = new TimerEntry[64];
    private int size;
    private long nextSeq;
    final AtomicInteger cancelledInQueue = new AtomicInteger();

    /** Creates an entry due at {@code when} and queues it. */
    public TimerEntry schedule(long when, Runnable callback, Throwable scheduledAt) {
        TimerEntry e = new TimerEntry(this, when, nextSeq++, callback, scheduledAt);
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        e.enqueued();
        siftUp(size++, e);
        return e;
    }

    /** Entries in the queue, cancelled ones included. */
    public int size() {
        return size;
    }

    /** Cancelled entries still in the queue. */
    public int cancelledCount() {
        return cancelledInQueue.get();
    }

    /** Live (not cancelled) timers. */
    public int liveCount() {
        return Math.max(0, size - cancelledInQueue.get());
    }

    /**
     * Applies the cleanup rule: a full rebuild when it pays, else drops cancelled entries at the head.
     * Returns the live head afterwards, or {@code null}.
     */
    public TimerEntry purgeAndPeek() {
        if (size > MIN_ENTRIES_FOR_PURGE && cancelledInQueue.get() * 2 > size) {
            rebuildWithoutCancelled();
        }
        while (size > 0 && heap[0].isCancelled()) {
            heap[0].dequeue();
            removeHead();
        }
        return size == 0 ? null : heap[0];
    }

    /** Moves every live entry due at or before {@code now} to {@code sink}, in order. */
    public void pollDue(long now, Consumer<TimerEntry> sink) {
        while (size > 0) {
            TimerEntry head = heap[0];
            if (head.when - now > 0) {
                return;
            }
            removeHead();
            if (head.dequeue()) {
                sink.accept(head);
            }
        }
    }

    /** Drops every entry (the loop is closing). */
    public void clear() {
        for (int i = 0; i < size; i++) {
            heap[i].dequeue();
            heap[i] = null;
        }
        size = 0;
    }

    private void rebuildWithoutCancelled() {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            TimerEntry e = heap[i];
            if (e.isCancelled()) {
                e.dequeue();
            } else {
                heap[kept++] = e;
            }
        }
        Arrays.fill(heap, kept, size, null);
        size = kept;
        for (int i = (size >>> 1) - 1; i >= 0; i--) {
            siftDown(i, heap[i]);
        }
    }

    private void removeHead() {
        TimerEntry last = heap[--size];
        heap[size] = null;
        if (size > 0) {
            siftDown(0, last);
        }
    }

    private void siftUp(int k, TimerEntry e) {
        while (k > 0) {
            int parent = (k - 1) >>> 1;
            TimerEntry p = heap[parent];
            if (!e.before(p)) {
                break;
            }
            heap[k] = p;
            k = parent;
        }
        heap[k] = e;
    }

    private void siftDown(int k, TimerEntry e) {
        int half = size >>> 1;
        while (k < half) {
            int child = 2 * k + 1;
            TimerEntry c = heap[child];
            int right = child + 1;
            if (right < size && heap[right].before(c)) {
                child = right;
                c = heap[child];
            }
            if (!c.before(e)) {
                break;
            }
            heap[k] = c;
            k = child;
        }
        heap[k] = e;
    }
}

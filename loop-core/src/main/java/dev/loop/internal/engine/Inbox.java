package dev.loop.internal.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReferenceArray;

import dev.loop.Handle;

/**
 * Work posted from other threads: an unbounded multi-producer single-consumer queue of array chunks,
 * run by the loop straight from its slots. A post is one atomic add (the slot index) and one release
 * store; the loop reads consecutive slots, sixteen to a cache line.
 *
 * <p>A slot holds a {@link Runnable} ({@code execute} and {@code callSoonThreadsafe}), or a
 * {@link CallbackHandle} (debug mode, where the handle carries where it was scheduled). The
 * {@link PostedHandle} that {@code callSoonThreadsafe} returns is never read by the loop, so it stays in
 * the posting thread's cache: {@link PostedHandle#cancel()} swaps its slot's runnable for a tombstone,
 * which the loop skips. A cancel that loses the race with the loop's read of the slot comes too late:
 * the callback runs (or is running), as with any handle cancelled from another thread.
 *
 * <p>A producer finds its chunk by walking forward from the consumer's chunk, which can never be past
 * the producer's slot (the consumer cannot pass a slot that has not been written). A slot reserved but
 * not yet written stops {@link #take} until the next step; {@link #isEmpty} compares indices, so the
 * loop never parks while a post is in flight.
 */
final class Inbox extends InboxProducerIndex {

    static final int CHUNK = 1024;
    private static final Object CANCELLED = new Object();

    private static final VarHandle PRODUCER_INDEX = VarHandles.field(MethodHandles.lookup(),
            InboxProducerIndex.class, "producerIndex", long.class);
    private static final VarHandle CONSUMER_CHUNK = VarHandles.field(MethodHandles.lookup(),
            InboxConsumerChunk.class, "consumerChunk", Chunk.class);

    /** CHUNK slots for the indices base .. base + CHUNK - 1. */
    static final class Chunk {
        private static final VarHandle NEXT = VarHandles.field(MethodHandles.lookup(), Chunk.class, "next",
                Chunk.class);

        final long base;
        final AtomicReferenceArray<Object> slots = new AtomicReferenceArray<>(CHUNK);
        @SuppressWarnings("unused") // through NEXT
        private volatile Chunk next;

        Chunk(long base) {
            this.base = base;
        }

        Chunk next() {
            return (Chunk) NEXT.getAcquire(this);
        }

        /** The next chunk, created by whichever producer gets there first. */
        Chunk nextOrCreate() {
            Chunk n = next();
            if (n == null) {
                Chunk fresh = new Chunk(base + CHUNK);
                n = NEXT.compareAndSet(this, null, fresh) ? fresh : next();
            }
            return n;
        }
    }

    /** The handle {@code callSoonThreadsafe} returns: it stays with the posting thread. */
    static final class PostedHandle implements Handle {
        private final Runnable callback;
        private Chunk chunk;
        private int offset;
        private volatile boolean cancelled;

        PostedHandle(Runnable callback) {
            this.callback = callback;
        }

        @Override
        public void cancel() {
            cancelled = true;
            chunk.slots.compareAndSet(offset, callback, CANCELLED);
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public String toString() {
            return "Handle[" + callback + (cancelled ? ", cancelled" : "") + "]";
        }
    }

    Inbox() {
        consumerChunk = new Chunk(0);
    }

    /** Any thread: posts a {@link Runnable} or a {@link CallbackHandle}. */
    void offer(Object item) {
        long index = (long) PRODUCER_INDEX.getAndAdd(this, 1L);
        Chunk c = chunkOf(index);
        c.slots.setRelease((int) (index - c.base), item);
    }

    /** Any thread: posts {@code h}'s callback so that {@code h} can still cancel it. */
    void offer(PostedHandle h) {
        long index = (long) PRODUCER_INDEX.getAndAdd(this, 1L);
        Chunk c = chunkOf(index);
        int offset = (int) (index - c.base);
        h.chunk = c;
        h.offset = offset;
        c.slots.setRelease(offset, h.callback);
    }

    private Chunk chunkOf(long index) {
        Chunk c = (Chunk) CONSUMER_CHUNK.getAcquire(this);
        while (index - c.base >= CHUNK) {
            c = c.nextOrCreate();
        }
        return c;
    }

    /** Loop thread: nothing posted and not taken (a post in flight counts). */
    boolean isEmpty() {
        return (long) PRODUCER_INDEX.getVolatile(this) == consumerIndex;
    }

    /** Posted and not yet taken: for the handle counts. */
    int pending() {
        return (int) Math.max(0, (long) PRODUCER_INDEX.getVolatile(this) - consumerIndex);
    }

    /** Loop thread: the index a step's posts stop at (later posts wait for the next step). */
    long limit() {
        return (long) PRODUCER_INDEX.getVolatile(this);
    }

    /** Loop thread: whether every post before {@code limit} has been taken. */
    boolean takenBefore(long limit) {
        return consumerIndex - limit >= 0;
    }

    /**
     * Loop thread: the next posted item before {@code limit} (a {@link Runnable} or a
     * {@link CallbackHandle}), skipping cancelled ones; {@code null} at the limit or at a slot not yet
     * written.
     */
    Object take(long limit) {
        while (consumerIndex - limit < 0) {
            Chunk c = consumerChunk;
            int offset = (int) (consumerIndex - c.base);
            if (offset == CHUNK) {
                Chunk next = c.next();
                if (next == null) {
                    return null;
                }
                CONSUMER_CHUNK.setRelease(this, next);
                c = next;
                offset = 0;
            }
            Object item = c.slots.getAcquire(offset);
            if (item == null) {
                return null;
            }
            consumerIndex++;
            if (item != CANCELLED) {
                return item;
            }
        }
        return null;
    }

    /** Drops everything written (the loop is closing, no producer may post any more). */
    void clear() {
        while (take(Long.MAX_VALUE / 2) != null) {
            // discard
        }
    }
}

/**
 * Padding, so that what producers write (their index), what the consumer writes on every take (its index) and
 * what producers read on every post (the consumer's chunk, written once per chunk) sit on cache lines of their
 * own: a producer reading the chunk beside the index the loop thread bumps per callback missed on every post.
 */
abstract class InboxPad0 {
    long p00, p01, p02, p03, p04, p05, p06, p07;
}

/** Read by producers to find their chunk; written by the consumer once per chunk. */
abstract class InboxConsumerChunk extends InboxPad0 {
    volatile Inbox.Chunk consumerChunk;
}

abstract class InboxPad1 extends InboxConsumerChunk {
    long p10, p11, p12, p13, p14, p15, p16, p17;
}

/** Consumer side: the next index to read. */
abstract class InboxConsumer extends InboxPad1 {
    long consumerIndex;
}

abstract class InboxPad2 extends InboxConsumer {
    long p20, p21, p22, p23, p24, p25, p26, p27;
}

/** Producer side: the next slot index to hand out. */
abstract class InboxProducerIndex extends InboxPad2 {
    volatile long producerIndex;
    long p30, p31, p32, p33, p34, p35, p36, p37;
}

package dev.loop.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Work posted from other threads: an unbounded multi-producer single-consumer queue of array chunks.
 * A post is one atomic add (the slot index) and one release store; the loop reads consecutive slots,
 * sixteen to a cache line. Items are {@link CallbackHandle}s ({@code callSoonThreadsafe}, which returns
 * the handle) or bare {@link Runnable}s ({@code execute}, which needs none and so allocates nothing).
 *
 * <p>A producer finds its chunk by walking forward from the consumer's chunk, which can never be past
 * the producer's slot (the consumer cannot pass a slot that has not been written). A slot reserved but
 * not yet written stops {@link #drainTo} until the next step; {@link #isEmpty} compares indices, so the
 * loop never parks while a post is in flight.
 */
final class Inbox extends InboxProducerIndex {

    static final int CHUNK = 1024;

    private static final VarHandle PRODUCER_INDEX;
    private static final VarHandle CONSUMER_CHUNK;

    static {
        try {
            PRODUCER_INDEX = MethodHandles.lookup().findVarHandle(InboxProducerIndex.class, "producerIndex", long.class);
            CONSUMER_CHUNK = MethodHandles.lookup().findVarHandle(InboxConsumer.class, "consumerChunk", Chunk.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** CHUNK slots for the indices base .. base + CHUNK - 1. */
    static final class Chunk {
        private static final VarHandle NEXT;

        static {
            try {
                NEXT = MethodHandles.lookup().findVarHandle(Chunk.class, "next", Chunk.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

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

    Inbox() {
        consumerChunk = new Chunk(0);
    }

    /** Any thread: posts a {@link CallbackHandle} or a {@link Runnable}. */
    void offer(Object item) {
        long index = (long) PRODUCER_INDEX.getAndAdd(this, 1L);
        Chunk c = (Chunk) CONSUMER_CHUNK.getAcquire(this);
        while (index - c.base >= CHUNK) {
            c = c.nextOrCreate();
        }
        c.slots.setRelease((int) (index - c.base), item);
    }

    /** Loop thread: nothing posted and not taken (a post in flight counts). */
    boolean isEmpty() {
        return (long) PRODUCER_INDEX.getVolatile(this) == consumerIndex;
    }

    /** Loop thread: moves every written item (handle or Runnable) to {@code out}, in posting order. */
    int drainTo(ArrayDeque<Object> out) {
        Chunk c = consumerChunk;
        long index = consumerIndex;
        int n = 0;
        while (true) {
            int offset = (int) (index - c.base);
            if (offset == CHUNK) {
                Chunk next = c.next();
                if (next == null) {
                    break;
                }
                c = next;
                CONSUMER_CHUNK.setRelease(this, c);
                offset = 0;
            }
            Object item = c.slots.getAcquire(offset);
            if (item == null) {
                break;
            }
            out.addLast(item);
            index++;
            n++;
        }
        consumerIndex = index;
        return n;
    }

    /** Drops everything (the loop is closing, no producer may post any more). */
    void clear() {
        drainTo(new ArrayDeque<>());
    }
}

/** Padding, so that producers' index and the consumer's fields sit on different cache lines. */
abstract class InboxPad0 {
    long p00, p01, p02, p03, p04, p05, p06, p07;
}

/** Consumer side: the chunk being read and the next index to read. */
abstract class InboxConsumer extends InboxPad0 {
    /** Written by the consumer, read by producers to find their chunk (changes once per chunk). */
    volatile Inbox.Chunk consumerChunk;
    long consumerIndex;
}

abstract class InboxPad1 extends InboxConsumer {
    long p10, p11, p12, p13, p14, p15, p16, p17;
}

/** Producer side: the next slot index to hand out. */
abstract class InboxProducerIndex extends InboxPad1 {
    volatile long producerIndex;
    long p20, p21, p22, p23, p24, p25, p26, p27;
}

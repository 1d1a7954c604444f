package dev.loop.internal.uring;

import java.util.ArrayList;
import java.util.Arrays;

import dev.loop.Backend;
import dev.loop.LoopOptions;
import dev.loop.internal.engine.IoBackend;
import dev.loop.internal.engine.Loop;
import dev.loop.internal.engine.Registrations;
import dev.loop.NativeException;
import dev.loop.PollerKind;
import dev.loop.capability.Capabilities;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.nativeio.NativeMemory;
import dev.loop.platform.Platform;
import dev.loop.internal.nativeio.Waker;

/**
 * The proactor backend: a {@link Loop}'s I/O on an {@link IoUring}. Waits are
 * {@code io_uring_enter} calls with a nanosecond timeout ({@code IORING_ENTER_EXT_ARG}); other threads
 * wake it through an eventfd whose read is always in flight in the ring.
 *
 * <p>Reader and writer callbacks are {@code IORING_OP_POLL_ADD}s, one per direction, re-armed after
 * each completion. The re-armed poll is submitted with the next wait, after the step's callbacks ran,
 * so a descriptor that is still ready completes again at once: level-triggered, as on the selector
 * backend.
 *
 * <p>Transports, servers and connects are completion-based ({@link CompletionStreamIo}): accept, connect,
 * recv, read, send and writev are io_uring operations started with {@link #submit}, whose one
 * completion goes to a callback. Operations prepared during a step are submitted together with the
 * next wait: one {@code io_uring_enter} per step, whatever the number of connections. Completion
 * callbacks run in place as the completion queue is drained (protocol callbacks they make are caught
 * and reported like any callback's), not as queued ready callbacks. Datagram endpoints receive on readiness
 * (a POLL_ADD, then one recvmmsg; see {@link DatagramReceive}). Subprocess exit is a poll on the
 * child's pidfd; signals and executors are as on the selector backend.
 *
 * <p>{@code user_data} carries the operation kind. For a poll: the direction, a per-descriptor
 * generation and the descriptor, so a completion of a poll that was removed (or of an earlier user of
 * a reused descriptor number) is recognised and dropped. For an operation: its slot, which is reused
 * only after its completion arrived.
 */
public final class UringBackend implements IoBackend {

    private static final long KIND_POLL = 1L << 56;
    private static final long KIND_WAKE = 2L << 56;
    private static final long KIND_CANCEL = 3L << 56;
    private static final long KIND_OP = 4L << 56;
    private static final long KIND_MASK = 0xFFL << 56;
    private static final long WRITE_BIT = 1L << 32;
    private static final int GEN_SHIFT = 33;
    private static final long GEN_MASK = (1L << 23) - 1;

    /** How long {@link #close()} waits for the kernel to give back operations that hold loop memory. */
    private static final long CLOSE_DRAIN_NANOS = 2_000_000_000L;

    private static final short POLLIN = Linux.POLLIN;
    private static final short POLLOUT = Linux.POLLOUT;

    /** The outcome of an operation started with {@link #submit}: its result, or {@code -errno}. Loop thread. */
    @FunctionalInterface
    interface Completion {
        void completed(int res);
    }

    /**
     * The completions of a multishot operation started with {@link #submitMultishot}: each with its CQE flags;
     * the last one is the one without {@link Linux#IORING_CQE_F_MORE}. Loop thread.
     */
    @FunctionalInterface
    interface MultishotCompletion extends Completion {
        void completed(int res, int flags);

        @Override
        default void completed(int res) {
            completed(res, 0);
        }
    }

    /**
     * A descriptor's callbacks and the polls in flight for them: per direction, the generation of its
     * poll in flight, or -1 when none is.
     */
    private static final class PollRegistration extends Registrations.Registration {
        private long readGen = -1;
        private long writeGen = -1;

        long gen(boolean write) {
            return write ? writeGen : readGen;
        }

        void gen(boolean write, long gen) {
            if (write) {
                writeGen = gen;
            } else {
                readGen = gen;
            }
        }
    }

    private final Loop loop;
    private final IoUring ring;
    private final Waker waker;
    private final Capabilities capabilities;
    private final NativeMemory wakeBuffer = new NativeMemory(8);
    private final IoUring.CompletionHandler onCompletion = this::complete;
    /** Operations in flight, by slot; a slot is free again once its completion has been handed over. */
    private Completion[] operations = new Completion[256];
    /** What each operation in flight was submitted with, to submit it again after a cancel nobody asked for. */
    private final SubmittedSqes submitted = new SubmittedSqes(256);
    private int[] freeSlots = new int[0];
    private int freeCount;
    private int nextSlot;
    private int operationsInFlight;
    private long generation;
    private boolean wakeReadInFlight;
    /** The wake read completed during this wait: another thread wants the engine's attention. */
    private boolean woken;

    private final CompletionStreamIo streamIo;
    /** Callbacks that run once the completions at hand are handled (see {@link #afterCompletions}). */
    private final ArrayList<Runnable> afterCompletions = new ArrayList<>();
    private final DatagramReceive datagramReceive;
    /** How many buffers the datagram buffer group has (a power of two), for {@link DatagramReceive#MULTISHOT}. */
    private final int datagramBufferCount;
    /** The datagram endpoints' provided buffers: made on first use; null until then, or when the kernel refused. */
    private ProvidedBuffers datagramBuffers;
    private String datagramBuffersRefused;

    /** A loop on a ring of 256 submission slots. */
    public static Loop newLoop(LoopOptions options) {
        return newLoop(options, 256);
    }

    /** A loop on a ring of {@code entries} submission slots. */
    public static Loop newLoop(LoopOptions options, int entries) {
        return new Loop(options, loop -> new UringBackend(loop, entries, DatagramReceive.READINESS, 0));
    }

    /**
     * A loop whose UDP endpoints receive with multishot RECVMSG into {@link #DATAGRAM_BUFFERS} provided buffers.
     * Not what {@link #newLoop(LoopOptions)} makes: for the conformance suite and the benchmark that compares the
     * two ways of receiving (see {@link DatagramReceive}).
     */
    public static Loop newMultishotDatagramLoop(LoopOptions options) {
        return newMultishotDatagramLoop(options, DATAGRAM_BUFFERS);
    }

    /** As {@link #newMultishotDatagramLoop(LoopOptions)} with {@code datagramBuffers} (0: one RECVMSG at a time). */
    public static Loop newMultishotDatagramLoop(LoopOptions options, int datagramBuffers) {
        return new Loop(options, loop -> new UringBackend(loop, 256, DatagramReceive.MULTISHOT, datagramBuffers));
    }

    /** How a proactor loop's datagram endpoints receive. */
    enum DatagramReceive {
        /**
         * A POLL_ADD per wake-up, then one {@code recvmmsg} for what the socket holds, as on the selector backend
         * (the default). Measured against {@link #MULTISHOT} with the UDP echo (loop-benchmarks' UdpAlternation):
         * 1.05-1.10x the loop's epoll where the multishot receive made 0.96-1.03x. io_uring has no batched datagram
         * receive; a multishot RECVMSG pays task work and a completion per datagram, recvmmsg one call per burst.
         */
        READINESS,
        /** One multishot RECVMSG per UDP endpoint into the loop's provided buffers ({@link CompletionDatagramIo}). */
        MULTISHOT
    }

    /**
     * The datagram buffer group: 64 buffers, each a whole UDP datagram with its header and address (about 4 MiB
     * of address space per loop, of which only what datagrams touch becomes resident).
     */
    static final int DATAGRAM_BUFFERS = 64;
    static final int DATAGRAM_BUFFER_GROUP = 1;

    private UringBackend(Loop loop, int entries, DatagramReceive datagramReceive, int datagramBufferCount) {
        this.loop = loop;
        this.datagramReceive = datagramReceive;
        this.datagramBufferCount = datagramBufferCount;
        IoUring r = new IoUring(entries);
        Waker w;
        try {
            w = new Waker();
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
        this.ring = r;
        this.waker = w;
        this.capabilities = Platform.current().capabilitiesOf(Backend.PROACTOR, null, 1, Integer.MAX_VALUE);
        this.streamIo = new CompletionStreamIo(loop, this);
        armWakeRead();
    }

    DatagramReceive datagramReceive() {
        return datagramReceive;
    }

    /** The backend of {@code loop}, which must be a proactor loop (for tests). */
    static UringBackend of(dev.loop.EventLoop loop) {
        return (UringBackend) ((Loop) loop).ioBackend();
    }

    @Override
    public Backend kind() {
        return Backend.PROACTOR;
    }

    @Override
    public PollerKind pollerKind() {
        return null;
    }

    @Override
    public CompletionStreamIo streamIo() {
        return streamIo;
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    // ------------------------------------------------------------------ readiness (POLL_ADD)

    @Override
    public long descriptorLimit() {
        return Integer.MAX_VALUE;
    }

    @Override
    public Registrations.Registration newRegistration() {
        return new PollRegistration();
    }

    @Override
    public void startWatching(int fd, Registrations.Registration reg, boolean write, boolean resolveNow) {
        arm(fd, (PollRegistration) reg, write);
        if (resolveNow) {
            // A poll prepared now is submitted with the next wait and resolves the number then: closed and
            // reused meanwhile (by the JVM opening a jar or a cgroup file, say), it would watch that file, an
            // always-ready one. Submitted now, it holds the file registered, as epoll_ctl does.
            ring.submit();
        }
    }

    /** Removes the poll in flight; its completion (-ECANCELED, or a late result) is then dropped. */
    @Override
    public void stopWatching(int fd, Registrations.Registration reg, boolean write) {
        PollRegistration polls = (PollRegistration) reg;
        long gen = polls.gen(write);
        polls.gen(write, -1);
        ring.prepare(Linux.IORING_OP_POLL_REMOVE, -1, pollData(fd, write, gen), 0, 0, 0, KIND_CANCEL);
    }

    /** Polls {@code fd} once (POLL_ADD is one-shot): re-armed after each event while the callback stays. */
    private void arm(int fd, PollRegistration reg, boolean write) {
        long gen = ++generation & GEN_MASK;
        reg.gen(write, gen);
        ring.prepare(Linux.IORING_OP_POLL_ADD, fd, 0, 0, 0, write ? POLLOUT : POLLIN, pollData(fd, write, gen));
    }

    private static long pollData(int fd, boolean write, long gen) {
        return KIND_POLL | (gen << GEN_SHIFT) | (write ? WRITE_BIT : 0) | (fd & 0xFFFFFFFFL);
    }

    private void armWakeRead() {
        wakeReadInFlight = true;
        ring.prepare(Linux.IORING_OP_READ, waker.fd(), wakeBuffer.address(), 8, -1, 0, KIND_WAKE);
    }

    // ------------------------------------------------------------------ operations

    /**
     * Prepares one io_uring operation; it is submitted with the next wait (or at once when the ring is
     * full). Its completion, exactly one even when cancelled, goes to {@code completion}. Memory the
     * operation points to must stay allocated until then. Returns the operation's id, for
     * {@link #cancel}. <em>Loop thread</em> (or the closing thread once the loop has stopped).
     */
    int submit(int opcode, int fd, long addr, int len, long offset, int opFlags, Completion completion) {
        return submit(opcode, fd, addr, len, offset, opFlags, 0, completion);
    }

    /** {@link #submit(int, int, long, int, long, int, Completion)} with {@code ioprio} (e.g. RECVSEND_POLL_FIRST). */
    int submit(int opcode, int fd, long addr, int len, long offset, int opFlags, int ioprio, Completion completion) {
        int slot = reserveSlot(completion);
        submitted.record(slot, opcode, fd, addr, len, offset, opFlags, ioprio, 0, 0);
        ring.prepare(opcode, fd, addr, len, offset, opFlags, ioprio, KIND_OP | slot);
        return slot;
    }

    private int reserveSlot(Completion completion) {
        int slot;
        if (freeCount > 0) {
            slot = freeSlots[--freeCount];
        } else {
            slot = nextSlot++;
            if (slot == operations.length) {
                operations = Arrays.copyOf(operations, slot * 2);
            }
        }
        operations[slot] = completion;
        operationsInFlight++;
        return slot;
    }

    /**
     * Prepares a multishot operation selecting its buffers from group {@code bufGroup}: its completions go to
     * {@code completion} until one comes without {@code IORING_CQE_F_MORE}, then its id is free. Otherwise as
     * {@link #submit}.
     */
    int submitMultishot(int opcode, int fd, long addr, int ioprio, int bufGroup, MultishotCompletion completion) {
        int slot = reserveSlot(completion);
        submitted.record(slot, opcode, fd, addr, 1, 0, 0, ioprio, Linux.IOSQE_BUFFER_SELECT, bufGroup);
        ring.prepare(opcode, fd, addr, 1, 0, 0, ioprio, Linux.IOSQE_BUFFER_SELECT, bufGroup, KIND_OP | slot);
        return slot;
    }

    /**
     * The buffer group datagram endpoints receive into with multishot RECVMSG, registered on first use; null
     * where the kernel refuses it (before 5.19), which {@link #datagramBuffersRefused()} then explains.
     */
    ProvidedBuffers datagramBuffers() {
        if (datagramBuffers == null && datagramBuffersRefused == null) {
            if (datagramBufferCount == 0) {
                datagramBuffersRefused = "this loop was made without provided buffers";
                return null;
            }
            try {
                datagramBuffers = ProvidedBuffers.register(ring, DATAGRAM_BUFFER_GROUP, datagramBufferCount,
                        Linux.IO_URING_RECVMSG_OUT_SIZE + Linux.SOCKADDR_STORAGE_SIZE + 65536);
            } catch (NativeException e) {
                datagramBuffersRefused = e.getMessage();
            }
        }
        return datagramBuffersRefused == null ? datagramBuffers : null;
    }

    /** Why datagram endpoints receive one RECVMSG at a time: null while multishot receive is used or untried. */
    String datagramBuffersRefused() {
        return datagramBuffersRefused;
    }

    /** The kernel refused a multishot RECVMSG (EINVAL before 6.0): datagrams are received one RECVMSG at a time. */
    void multishotReceiveRefused(String why) {
        if (datagramBuffersRefused == null) {
            datagramBuffersRefused = why;
        }
    }

    /**
     * Runs {@code r} once the completions the current wait brought are all handled (a datagram endpoint sends
     * the answers to a burst of datagrams in one batch). From a completion callback only.
     */
    void afterCompletions(Runnable r) {
        afterCompletions.add(r);
    }

    private void runAfterCompletions() {
        for (int i = 0; i < afterCompletions.size(); i++) {
            try {
                afterCompletions.get(i).run();
            } catch (RuntimeException | Error e) {
                loop.reportError("Exception after io_uring completions", e, null, -1, null);
            }
        }
        afterCompletions.clear();
    }

    /**
     * Asks the kernel to cancel operation {@code id}, which must still be in flight (its completion not
     * yet handed over). Its completion still comes: {@code -ECANCELED}, or its result if it finished first.
     */
    void cancel(int id) {
        submitted.cancelRequested(id);
        ring.prepare(Linux.IORING_OP_ASYNC_CANCEL, -1, KIND_OP | id, 0, 0, 0, KIND_CANCEL);
        if (!loop.isRunning()) {
            ring.submitAndWait(0); // no wait of the loop's will hand it over soon
        }
    }

    @Override
    public void stopped() {
        if (!loop.isClosed()) {
            ring.submitAndWait(0);
        }
    }

    /**
     * Descriptors whose close waits for operations in flight: closed by {@link #closeBackend()} when the
     * kernel has not given those operations back by then (their memory is left allocated, not freed under
     * the kernel). Loop thread.
     */
    private final java.util.Set<Runnable> closesAwaitingCompletions = new java.util.LinkedHashSet<>();

    /** {@code abandon} closes a descriptor whose close waits for its operations; run if they never complete. */
    void closeIfAbandoned(Runnable abandon) {
        closesAwaitingCompletions.add(abandon);
    }

    /** The operations behind {@code abandon} completed: the descriptor was closed the normal way. */
    void closedInTime(Runnable abandon) {
        closesAwaitingCompletions.remove(abandon);
    }

    private void completeOperation(int slot, int res, int flags) {
        if (res == -Linux.ECANCELED && (flags & Linux.IORING_CQE_F_MORE) == 0 && !submitted.isCancelRequested(slot)
                && !loop.isClosed()) {
            // Cancelled by the kernel, not by us: its submitter thread has exited (see SubmittedSqes). Again, from here.
            submitted.resubmit(slot, ring, KIND_OP | slot);
            return;
        }
        if (res == -Linux.EISCONN && submitted.opcode(slot) == Linux.IORING_OP_CONNECT && submitted.wasResubmitted(slot)) {
            res = 0; // the connect the first submission started had completed in the kernel
        }
        Completion c = operations[slot];
        if ((flags & Linux.IORING_CQE_F_MORE) == 0) { // the last (or only) completion: the id is free again
            operations[slot] = null;
            if (freeCount == freeSlots.length) {
                freeSlots = Arrays.copyOf(freeSlots, Math.max(16, freeCount * 2));
            }
            freeSlots[freeCount++] = slot;
            operationsInFlight--;
        }
        try {
            if (c instanceof MultishotCompletion m) {
                m.completed(res, flags);
            } else {
                c.completed(res);
            }
        } catch (RuntimeException | Error e) {
            loop.reportError("Exception in an io_uring completion callback", e, null, -1, null);
        }
    }

    // ------------------------------------------------------------------ the wait step

    @Override
    public void poll(long timeoutNanos, long nowNanos) {
        long deadline = nowNanos + timeoutNanos;
        long timeout = timeoutNanos;
        woken = false;
        while (true) {
            ring.submitAndWait(timeout);
            // Polls re-armed while draining are submitted with the next wait, after this step's callbacks
            // ran: a descriptor they drained is then not reported again (level-triggered, not spinning).
            ring.drain(onCompletion);
            if (!afterCompletions.isEmpty()) {
                runAfterCompletions();
            }
            // Completions are handled in place. When they left nothing for the step to run (a send finished,
            // a read was delivered and the next one prepared), wait on within this step: a ping-pong then
            // costs one io_uring_enter per wake-up and no empty trip round the engine.
            // Any wake-up from another thread (a post, stop(), the delay monitor) ends the wait for the engine.
            if (timeout == 0 || woken || loop.hasWorkForStep()) {
                return;
            }
            if (timeout > 0) {
                timeout = deadline - System.nanoTime();
                if (timeout <= 0) {
                    return; // a timer is due; what was prepared goes out with the next step's enter
                }
            }
        }
    }

    private void complete(long userData, int res, int flags) {
        long kind = userData & KIND_MASK;
        if (kind == KIND_OP) {
            completeOperation((int) userData, res, flags);
            return;
        }
        if (kind == KIND_WAKE) {
            wakeReadInFlight = false;
            woken = true;
            if (!loop.isClosed()) {
                armWakeRead();
            }
            return;
        }
        if (kind != KIND_POLL) {
            return; // POLL_REMOVE's own completion
        }
        int fd = (int) userData;
        boolean write = (userData & WRITE_BIT) != 0;
        long gen = (userData >>> GEN_SHIFT) & GEN_MASK;
        PollRegistration reg = (PollRegistration) loop.registrations().get(fd);
        if (reg == null || reg.gen(write) != gen) {
            return; // removed, or an earlier registration of this number
        }
        reg.gen(write, -1); // one-shot: this direction has no poll in flight any more
        if (res == -Linux.ECANCELED && !loop.isClosed()) {
            // Not ours (a removal changes the generation first): the thread that submitted it has exited.
            arm(fd, reg, write);
            return;
        }
        if (res < 0) {
            // EBADF: closed while registered. The other direction's poll, if any, is removed too.
            loop.registrations().drop(fd, -res == Errno.EBADF ? "was closed while registered (io_uring poll: EBADF)"
                    : "failed in io_uring poll (" + Errno.name(-res) + ")");
            if (reg.gen(!write) >= 0) {
                stopWatching(fd, reg, !write);
            }
            return;
        }
        loop.enqueueReady(reg.handle(write));
        arm(fd, reg, write); // level-triggered: polled again with the next wait
    }

    @Override
    public void wakeup() {
        waker.wake();
    }

    @Override
    public void close() {
        // Operations write into loop memory (the wake read into wakeBuffer, transports' reads into their
        // buffers): let them complete before the ring and the buffers go. Their callbacks free the memory and
        // close the descriptors. Transports released by close() have asked for theirs to be cancelled; what is
        // left (a sock_* call's poll or connect, whose future the closing loop has failed) is cancelled here,
        // else an operation on an idle socket would never complete.
        if (wakeReadInFlight) {
            waker.wake();
        }
        cancelAll();
        long deadline = System.nanoTime() + CLOSE_DRAIN_NANOS;
        try {
            while ((wakeReadInFlight || operationsInFlight > 0) && System.nanoTime() < deadline) {
                ring.submitAndWait(10_000_000L);
                ring.drain(onCompletion);
                runAfterCompletions();
            }
        } catch (NativeException e) {
            // The ring itself failed (the loop is closing after that failure): nothing more will complete.
        }
        if (operationsInFlight > 0) {
            dev.loop.LoopLogging.getLogger("dev.loop.proactor").log(System.Logger.Level.WARNING, operationsInFlight
                    + " io_uring operations did not complete within 2 s of close (or the ring failed); their "
                    + closesAwaitingCompletions.size() + " descriptors are closed, their buffers left allocated");
        }
        for (Runnable abandon : closesAwaitingCompletions) {
            abandon.run(); // the ring's teardown below cancels the operations; the descriptors go with them
        }
        closesAwaitingCompletions.clear();
        streamIo.close(); // pooled chunks are free; chunks in flight are not pooled
        if (datagramBuffers != null && operationsInFlight == 0) {
            datagramBuffers.close(); // else left allocated: an operation the kernel kept may still fill one
        }
        ring.close();
        waker.close();
        if (!wakeReadInFlight) {
            wakeBuffer.close();
        } // else: leaked on purpose rather than freed under the kernel
    }

    /** Asks the kernel to cancel every operation in flight (a second cancel of one is harmless: ENOENT/EALREADY). */
    private void cancelAll() {
        try {
            for (int slot = 0; slot < nextSlot; slot++) {
                if (operations[slot] != null) {
                    submitted.cancelRequested(slot);
                    ring.prepare(Linux.IORING_OP_ASYNC_CANCEL, -1, KIND_OP | slot, 0, 0, 0, KIND_CANCEL);
                }
            }
        } catch (NativeException e) {
            // The ring itself failed: nothing can be cancelled, and nothing more will complete.
        }
    }

    /** Operations submitted and not yet completed (for tests and the close drain). */
    int operationsInFlight() {
        return operationsInFlight;
    }

    @Override
    public String describe() {
        return "io_uring";
    }
}

package dev.loop.internal.uring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.BitSet;

import dev.loop.NativeException;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.nativeio.NativeMemory;

/**
 * One io_uring: the rings mapped into memory and driven from Java, with raw syscalls for setup and
 * {@code io_uring_enter} (liburing's helpers are inline C and cannot be called through JNA).
 *
 * <p>Ring bookkeeping uses VarHandles over the mapped memory: SQEs are filled with plain stores, the
 * SQ tail is published with a release store and the kernel's SQ head read with an acquire load; the
 * CQ tail is read with acquire and the CQ head released once per batch (docs/native-layer.md, io_uring). The
 * kernel writes the ring offsets into {@code io_uring_params}; they are read from there, never
 * hard-coded. Single-threaded: only the loop thread touches a ring.
 */
public final class IoUring implements AutoCloseable {

    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    /** A completion: the operation's user data, its result (or -errno) and flags. */
    @FunctionalInterface
    public interface CompletionHandler {
        void complete(long userData, int res, int flags);
    }

    private final int fd;
    private final int features;
    private final long sqRingAddr;
    private final long sqRingLen;
    private final long cqRingAddr;
    private final long cqRingLen;
    private final long sqesAddr;
    private final long sqesLen;
    private final ByteBuffer sq;
    private final ByteBuffer cq;
    private final ByteBuffer sqes;
    private final int sqHeadOff;
    private final int sqTailOff;
    private final int sqMask;
    private final int sqEntries;
    private final int cqHeadOff;
    private final int cqTailOff;
    private final int cqMask;
    private final int cqesOff;
    private final int sqFlagsOff;
    private final NativeMemory waitArg = new NativeMemory(Linux.IO_URING_GETEVENTS_ARG_SIZE + Linux.TIMESPEC_SIZE);
    private int localTail;
    private int pending;
    private boolean closed;

    /**
     * Sets up a ring of {@code entries} submission slots (the completion queue is twice as large).
     *
     * @throws NativeException with the errno of {@code io_uring_setup} or {@code mmap}
     */
    public IoUring(int entries) {
        try (NativeMemory params = new NativeMemory(Linux.IO_URING_PARAMS_SIZE)) {
            // Cooperative task running (5.19+): completions of this ring are run when the loop thread next
            // enters the kernel, instead of interrupting it with an IPI and a signal-like notification per
            // completion (which cost the echo benchmark more than half its throughput). Older kernels
            // refuse the flag with EINVAL: set up without it.
            params.buffer().putInt(8, Linux.IORING_SETUP_COOP_TASKRUN);
            long r = LibC.syscall(Linux.SYS_IO_URING_SETUP, entries, params.address(), 0, 0, 0, 0);
            if (r < 0 && LibC.errno() == Errno.EINVAL) {
                params.clear();
                r = LibC.syscall(Linux.SYS_IO_URING_SETUP, entries, params.address(), 0, 0, 0, 0);
            }
            if (r < 0) {
                throw new NativeException("io_uring_setup", LibC.errno());
            }
            this.fd = (int) r;
            ByteBuffer p = params.buffer();
            int sqEntriesValue = p.getInt(0);
            int cqEntriesValue = p.getInt(4);
            this.features = p.getInt(20);
            int sqOff = 40;
            int cqOff = 80;
            int sqArrayOff = p.getInt(sqOff + 24);
            int cqesOffValue = p.getInt(cqOff + 20);
            long sqLen = sqArrayOff + (long) sqEntriesValue * 4;
            long cqLen = cqesOffValue + (long) cqEntriesValue * Linux.IO_URING_CQE_SIZE;
            boolean single = (features & Linux.IORING_FEAT_SINGLE_MMAP) != 0;
            long sqMapLen = single ? Math.max(sqLen, cqLen) : sqLen;
            long cqMapLen = single ? 0 : cqLen;
            long sqesMapLen = (long) sqEntriesValue * Linux.IO_URING_SQE_SIZE;
            long sqAddr = -1;
            long cqAddr = -1;
            long sqesAddrValue;
            try {
                sqAddr = map(sqMapLen, Linux.IORING_OFF_SQ_RING);
                cqAddr = single ? sqAddr : map(cqMapLen, Linux.IORING_OFF_CQ_RING);
                sqesAddrValue = map(sqesMapLen, Linux.IORING_OFF_SQES);
            } catch (NativeException e) {
                // Undo what was mapped, then the ring itself: nothing is left behind on failure.
                if (cqAddr != -1 && !single) {
                    LibC.munmap(cqAddr, cqMapLen);
                }
                if (sqAddr != -1) {
                    LibC.munmap(sqAddr, sqMapLen);
                }
                LibC.close(fd);
                throw e;
            }
            this.sqRingAddr = sqAddr;
            this.sqRingLen = sqMapLen;
            this.cqRingAddr = cqAddr;
            this.cqRingLen = cqMapLen;
            this.sqesAddr = sqesAddrValue;
            this.sqesLen = sqesMapLen;
            this.sq = NativeMemory.view(sqAddr, sqMapLen);
            this.cq = single ? sq : NativeMemory.view(cqAddr, cqMapLen);
            this.sqes = NativeMemory.view(sqesAddrValue, sqesMapLen);
            this.sqHeadOff = p.getInt(sqOff);
            this.sqTailOff = p.getInt(sqOff + 4);
            this.sqMask = sq.getInt(p.getInt(sqOff + 8));
            this.sqEntries = sq.getInt(p.getInt(sqOff + 12));
            this.sqFlagsOff = p.getInt(sqOff + 16);
            this.cqHeadOff = p.getInt(cqOff);
            this.cqTailOff = p.getInt(cqOff + 4);
            this.cqMask = cq.getInt(p.getInt(cqOff + 8));
            this.cqesOff = cqesOffValue;
            // Slot i of the index array always names SQE i (Netty does the same).
            for (int i = 0; i < sqEntries; i++) {
                sq.putInt(sqArrayOff + i * 4, i);
            }
            this.localTail = (int) INT.getAcquire(sq, sqTailOff);
        }
    }

    private long map(long length, long offset) {
        long addr = LibC.mmap(0, length, Linux.PROT_READ_WRITE, Linux.MAP_SHARED_POPULATE, fd, offset);
        if (addr == -1L) {
            throw new NativeException("mmap(io_uring)", LibC.errno());
        }
        return addr;
    }

    public int features() {
        return features;
    }

    public int submissionEntries() {
        return sqEntries;
    }

    /** SQEs prepared and not yet submitted. */
    public int pending() {
        return pending;
    }

    /**
     * Fills the next SQE. When the ring is full, what is prepared is submitted first (never dropped).
     */
    public void prepare(int opcode, int fdArg, long addr, int len, long offset, int opFlags, long userData) {
        prepare(opcode, fdArg, addr, len, offset, opFlags, 0, userData);
    }

    /** {@link #prepare(int, int, long, int, long, int, long)} with the SQE's {@code ioprio} field (operation flags of some opcodes). */
    public void prepare(int opcode, int fdArg, long addr, int len, long offset, int opFlags, int ioprio, long userData) {
        prepare(opcode, fdArg, addr, len, offset, opFlags, ioprio, 0, 0, userData);
    }

    /** With the SQE's {@code flags} ({@code IOSQE_*}) and {@code buf_group} (for {@code IOSQE_BUFFER_SELECT}) too. */
    public void prepare(int opcode, int fdArg, long addr, int len, long offset, int opFlags, int ioprio, int sqeFlags,
            int bufGroup, long userData) {
        if (pending == sqEntries || localTail - (int) INT.getAcquire(sq, sqHeadOff) >= sqEntries) {
            submit();
        }
        int base = (localTail & sqMask) * Linux.IO_URING_SQE_SIZE;
        sqes.put(base, (byte) opcode);
        sqes.put(base + 1, (byte) sqeFlags);
        sqes.putShort(base + 2, (short) ioprio);
        sqes.putInt(base + 4, fdArg);
        sqes.putLong(base + 8, offset);
        sqes.putLong(base + 16, addr);
        sqes.putInt(base + 24, len);
        sqes.putInt(base + 28, opFlags);
        sqes.putLong(base + 32, userData);
        sqes.putLong(base + 40, bufGroup & 0xFFFFL); // buf_index (buf_group), personality, splice_fd_in
        sqes.putLong(base + 48, 0L); // addr3
        sqes.putLong(base + 56, 0L);
        localTail++;
        pending++;
        INT.setRelease(sq, sqTailOff, localTail);
    }

    /** Submits what is prepared without waiting. */
    public void submit() {
        enter(pending, 0, 0, 0, 0);
    }

    /**
     * Submits what is prepared and waits for at least one completion, at most {@code timeoutNanos}
     * ({@code < 0}: no limit, {@code 0}: do not wait). Needs {@code IORING_FEAT_EXT_ARG} for the timeout.
     */
    public void submitAndWait(long timeoutNanos) {
        if (timeoutNanos == 0) {
            // GETEVENTS without waiting: also runs the completions' pending task work (COOP_TASKRUN).
            enter(pending, 0, Linux.IORING_ENTER_GETEVENTS, 0, 0);
            return;
        }
        if (timeoutNanos < 0) {
            while (enter(pending, 1, Linux.IORING_ENTER_GETEVENTS, 0, 0) == Errno.EINTR) {
                // a signal (the JVM's, or one for another thread) interrupted the wait: wait on
            }
            return;
        }
        // EINTR: retried with the remaining time, so signals neither shorten the wait nor add steps.
        long deadline = System.nanoTime() + timeoutNanos;
        long remaining = timeoutNanos;
        while (true) {
            ByteBuffer a = waitArg.buffer();
            long ts = waitArg.address() + Linux.IO_URING_GETEVENTS_ARG_SIZE;
            a.putLong(0, 0L); // sigmask
            a.putInt(8, 0); // sigmask_sz
            a.putInt(12, 0); // min_wait_usec / pad
            a.putLong(16, ts);
            a.putLong(Linux.IO_URING_GETEVENTS_ARG_SIZE, remaining / 1_000_000_000L);
            a.putLong(Linux.IO_URING_GETEVENTS_ARG_SIZE + 8, remaining % 1_000_000_000L);
            int errno = enter(pending, 1, Linux.IORING_ENTER_GETEVENTS | Linux.IORING_ENTER_EXT_ARG, waitArg.address(),
                    Linux.IO_URING_GETEVENTS_ARG_SIZE);
            if (errno != Errno.EINTR) {
                return;
            }
            remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return;
            }
        }
    }

    /** One {@code io_uring_enter}: 0, or the errno of an expected outcome (ETIME, EINTR, EAGAIN, EBUSY). */
    private int enter(int toSubmit, int minComplete, int flags, long arg, long argSize) {
        while (true) {
            long r = LibC.syscall(Linux.SYS_IO_URING_ENTER, fd, toSubmit, minComplete, flags, arg, argSize);
            if (r >= 0) {
                pending = Math.max(0, pending - (int) r);
                return 0;
            }
            int errno = LibC.errno();
            if (errno == Errno.EINTR && minComplete == 0) {
                continue; // a plain submission: just again
            }
            if (errno == Linux.ETIME || errno == Errno.EINTR || errno == Errno.EAGAIN || errno == Errno.EBUSY) {
                // Timed out; interrupted (the caller retries with the remaining time); or completions must be
                // reaped first (the caller drains, and what is pending goes with the next enter).
                return errno;
            }
            throw new NativeException("io_uring_enter", errno);
        }
    }

    /** Hands every available completion to {@code handler}; returns how many. */
    public int drain(CompletionHandler handler) {
        int head = (int) INT.getAcquire(cq, cqHeadOff);
        int tail = (int) INT.getAcquire(cq, cqTailOff);
        int n = 0;
        while (head != tail) {
            int off = cqesOff + (head & cqMask) * Linux.IO_URING_CQE_SIZE;
            long userData = cq.getLong(off);
            int res = cq.getInt(off + 8);
            int flags = cq.getInt(off + 12);
            head++;
            n++;
            INT.setRelease(cq, cqHeadOff, head); // released per CQE: a handler may prepare and submit
            handler.complete(userData, res, flags);
            tail = (int) INT.getAcquire(cq, cqTailOff);
        }
        return n;
    }

    /**
     * The opcodes this kernel supports ({@code IORING_REGISTER_PROBE}).
     *
     * @throws NativeException if the probe itself fails (kernels before 5.6)
     */
    public BitSet supportedOpcodes() {
        int ops = 256;
        try (NativeMemory probe = new NativeMemory(16 + ops * 8L)) {
            long r = LibC.syscall(Linux.SYS_IO_URING_REGISTER, fd, Linux.IORING_REGISTER_PROBE, probe.address(), ops, 0, 0);
            if (r < 0) {
                throw new NativeException("io_uring_register(PROBE)", LibC.errno());
            }
            BitSet supported = new BitSet();
            int opsLen = Byte.toUnsignedInt(probe.buffer().get(1));
            for (int i = 0; i < opsLen; i++) {
                int off = 16 + i * 8;
                int flags = Short.toUnsignedInt(probe.buffer().getShort(off + 2));
                if ((flags & Linux.IO_URING_OP_SUPPORTED) != 0) {
                    supported.set(Byte.toUnsignedInt(probe.buffer().get(off)));
                }
            }
            return supported;
        }
    }

    /** One {@code io_uring_register(opcode, arg, nrArgs)}: 0, or the errno. */
    public int register(int opcode, long arg, int nrArgs) {
        return LibC.syscall(Linux.SYS_IO_URING_REGISTER, fd, opcode, arg, nrArgs, 0, 0) < 0 ? LibC.errno() : 0;
    }

    public int fd() {
        return fd;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        LibC.munmap(sqesAddr, sqesLen);
        if (cqRingLen > 0) {
            LibC.munmap(cqRingAddr, cqRingLen);
        }
        LibC.munmap(sqRingAddr, sqRingLen);
        LibC.close(fd);
        waitArg.close();
    }

    int sqFlagsOffset() {
        return sqFlagsOff;
    }
}

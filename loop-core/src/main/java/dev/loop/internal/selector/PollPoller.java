package dev.loop.internal.selector;

import static dev.loop.internal.nativeio.Linux.POLLFD_SIZE;
import static dev.loop.internal.nativeio.Linux.POLLIN;
import static dev.loop.internal.nativeio.Linux.POLLNVAL;
import static dev.loop.internal.nativeio.Linux.POLLOUT;

import java.nio.ByteBuffer;
import java.util.Arrays;

import dev.loop.PollerKind;
import dev.loop.internal.nativeio.Waker;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.nativeio.NativeMemory;

/**
 * POSIX poll, through Linux's {@code ppoll} for nanosecond timeouts. Keeps a dense {@code pollfd}
 * array in native memory (slot 0 is the wake-up eventfd) and a descriptor-to-slot index; removal
 * moves the last slot into the hole. A descriptor closed while registered reports POLLNVAL: it is
 * dropped and reported, never polled again (otherwise every poll would return at once).
 */
public final class PollPoller implements Poller {

    private final Waker waker;
    private final NativeMemory timespec = new NativeMemory(Linux.TIMESPEC_SIZE);
    private NativeMemory fds;
    private ByteBuffer view;
    private int capacity;
    private int count;
    /** slot + 1 for each descriptor, 0 when absent. */
    private int[] slotOf = new int[1024];

    public PollPoller() {
        this.waker = new Waker();
        allocate(64);
        count = 1;
        view.putInt(0, waker.fd());
        view.putShort(4, POLLIN);
    }

    @Override
    public PollerKind kind() {
        return PollerKind.POLL;
    }

    @Override
    public void register(int fd, int interest) {
        if (fd < slotOf.length && slotOf[fd] != 0) {
            modify(fd, interest);
            return;
        }
        if (count == capacity) {
            allocate(capacity * 2);
        }
        if (fd >= slotOf.length) {
            slotOf = Arrays.copyOf(slotOf, Math.max(fd + 1, slotOf.length * 2));
        }
        int slot = count++;
        int base = slot * POLLFD_SIZE;
        view.putInt(base, fd);
        view.putShort(base + 4, toPoll(interest));
        view.putShort(base + 6, (short) 0);
        slotOf[fd] = slot + 1;
    }

    @Override
    public void modify(int fd, int interest) {
        int slot = fd < slotOf.length ? slotOf[fd] - 1 : -1;
        if (slot < 0) {
            register(fd, interest);
            return;
        }
        view.putShort(slot * POLLFD_SIZE + 4, toPoll(interest));
    }

    @Override
    public void deregister(int fd) {
        int slot = fd < slotOf.length ? slotOf[fd] - 1 : -1;
        if (slot < 0) {
            return;
        }
        removeSlot(slot, fd);
    }

    private void removeSlot(int slot, int fd) {
        int last = --count;
        if (slot != last) {
            int lastBase = last * POLLFD_SIZE;
            int movedFd = view.getInt(lastBase);
            view.putLong(slot * POLLFD_SIZE, view.getLong(lastBase));
            slotOf[movedFd] = slot + 1;
        }
        slotOf[fd] = 0;
    }

    private static short toPoll(int interest) {
        return (short) (((interest & READ) != 0 ? POLLIN : 0) | ((interest & WRITE) != 0 ? POLLOUT : 0));
    }

    @Override
    public int poll(long timeoutNanos, long nowNanos, Sink sink) {
        int n = TimeoutClock.waitRetryingEintr(timeoutNanos, nowNanos, waitOnce, "ppoll");
        return n == 0 ? 0 : dispatch(n, sink);
    }

    private final TimeoutClock.Wait waitOnce = this::waitOnce;

    /** One ppoll with a nanosecond timespec ({@code < 0}: no limit). */
    private int waitOnce(long timeoutNanos) {
        long tsAddr = 0;
        if (timeoutNanos >= 0) {
            TimeoutClock.putTimespec(timespec.buffer(), 0, timeoutNanos);
            tsAddr = timespec.address();
        }
        return LibC.ppoll(fds.address(), count, tsAddr, 0);
    }

    private int dispatch(int n, Sink sink) {
        int reported = 0;
        int found = 0;
        // Walk backwards so that removing a POLLNVAL slot (which moves the last slot in) skips nothing.
        for (int slot = count - 1; slot >= 0 && found < n; slot--) {
            int base = slot * POLLFD_SIZE;
            short rev = view.getShort(base + 6);
            if (rev == 0) {
                continue;
            }
            found++;
            view.putShort(base + 6, (short) 0);
            int fd = view.getInt(base);
            if (slot == 0) {
                waker.drain();
                continue;
            }
            if ((rev & POLLNVAL) != 0) {
                removeSlot(slot, fd);
                sink.invalid(fd);
                continue;
            }
            sink.ready(fd, ReadyOps.of(rev));
            reported++;
        }
        return reported;
    }

    private void allocate(int newCapacity) {
        NativeMemory next = new NativeMemory((long) newCapacity * POLLFD_SIZE);
        if (fds != null) {
            for (int i = 0; i < count; i++) {
                next.buffer().putLong(i * POLLFD_SIZE, view.getLong(i * POLLFD_SIZE));
            }
            fds.close();
        }
        fds = next;
        view = next.buffer();
        capacity = newCapacity;
    }

    @Override
    public void wakeup() {
        waker.wake();
    }

    @Override
    public long timeoutGranularityNanos() {
        return 1;
    }

    @Override
    public String timeoutMechanism() {
        return "ppoll";
    }

    @Override
    public int descriptorLimit() {
        return Integer.MAX_VALUE;
    }

    @Override
    public int ownDescriptors() {
        return 1;
    }

    @Override
    public void close() { // each part's close is idempotent
        waker.close();
        fds.close();
        timespec.close();
    }
}

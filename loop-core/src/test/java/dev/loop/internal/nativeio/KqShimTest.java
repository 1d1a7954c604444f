package dev.loop.internal.nativeio;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import dev.loop.testsupport.KqShim;
import dev.loop.testsupport.TestFds;

/**
 * The kqueue emulation against the kqueue(2) manual, through its raw C interface (not through the
 * poller), in both layouts: FreeBSD's 64-byte and macOS's 32-byte {@code struct kevent}. The poller's
 * tests trust the shim only as far as these hold.
 */
class KqShimTest {

    interface Kq extends Library {
        int kqueue();

        int kevent(int kq, Pointer changes, int nchanges, Pointer events, int nevents, Pointer timeout);
    }

    private final TestFds fds = new TestFds();
    private final NativeMemory changes = new NativeMemory(64 * 16);
    private final NativeMemory events = new NativeMemory(64 * 16);
    private final NativeMemory timeout = new NativeMemory(16);
    private Kevent layout;
    private Kq kq;
    private int kqfd = -1;

    @AfterEach
    void close() {
        if (kqfd >= 0) {
            LibC.close(kqfd);
        }
        fds.close();
    }

    private void open(Kevent l) {
        layout = l;
        kq = Native.load(KqShim.library(l).toString(), Kq.class);
        kqfd = kq.kqueue();
        assertThat(kqfd).isNotNegative();
    }

    private void change(int index, long ident, short filter, int flags, long udata) {
        layout.put(changes.buffer(), index, ident, filter, (short) flags, 0, 0, udata);
    }

    /** kevent() with {@code nchanges} changes, room for {@code room} events, waiting {@code waitNanos} (-1: forever). */
    private int kevent(int nchanges, int room, long waitNanos) {
        Pointer ts = null;
        if (waitNanos >= 0) {
            timeout.buffer().putLong(0, waitNanos / 1_000_000_000L);
            timeout.buffer().putLong(8, waitNanos % 1_000_000_000L);
            ts = new Pointer(timeout.address());
        }
        return kq.kevent(kqfd, new Pointer(changes.address()), nchanges, new Pointer(events.address()), room, ts);
    }

    /** A child running {@code sh -c script}, not reaped by anyone but the test. */
    private static int spawnShell(String script) {
        try (NativeMemory pidOut = new NativeMemory(8)) {
            com.sun.jna.StringArray argv = new com.sun.jna.StringArray(new String[] {"/bin/sh", "-c", script});
            int rc = Spawn.posix_spawnp(pidOut.address(), "/bin/sh", 0, 0, argv, null);
            assertThat(rc).isZero();
            return pidOut.buffer().getInt(0);
        }
    }

    private ByteBuffer ev() {
        return events.buffer();
    }

    @ParameterizedTest
    @EnumSource(Kevent.class)
    void theStructHasTheSizeOfItsOs(Kevent l) {
        assertThat(l.size).isEqualTo(l == Kevent.MACOS ? 32 : 64);
        assertThat(l.evfiltUser).isEqualTo(l == Kevent.MACOS ? (short) -10 : (short) -11);
        // Offsets (xnu and FreeBSD event.h): ident @0, filter @8, flags @10, fflags @12, data @16, udata @24.
        ByteBuffer b = ByteBuffer.allocate(2 * l.size).order(java.nio.ByteOrder.nativeOrder());
        l.put(b, 1, 0x1122334455667788L, (short) -2, (short) 0x4001, 0x0A0B0C0D, -7L, 0x0102030405060708L);
        int base = l.size;
        assertThat(b.getLong(base)).isEqualTo(0x1122334455667788L);
        assertThat(b.getShort(base + 8)).isEqualTo((short) -2);
        assertThat(b.getShort(base + 10)).isEqualTo((short) 0x4001);
        assertThat(b.getInt(base + 12)).isEqualTo(0x0A0B0C0D);
        assertThat(b.getLong(base + 16)).isEqualTo(-7L);
        assertThat(b.getLong(base + 24)).isEqualTo(0x0102030405060708L);
        for (int off = 32; off < l.size; off += 8) {
            assertThat(b.getLong(base + off)).as("ext[] zeroed").isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Kevent.class)
    void aReadFilterFiresWithTheByteCountAndTheUdata(Kevent l) {
        open(l);
        int[] p = fds.pipe();
        change(0, p[0], Kevent.EVFILT_READ, Kevent.EV_ADD, 0xCAFEL);
        assertThat(kevent(1, 8, 0)).as("nothing to read yet").isZero();
        TestFds.write(p[1], new byte[5]);
        assertThat(kevent(0, 8, 0)).isEqualTo(1);
        assertThat(layout.ident(ev(), 0)).isEqualTo(p[0]);
        assertThat(layout.filter(ev(), 0)).isEqualTo(Kevent.EVFILT_READ);
        assertThat(layout.data(ev(), 0)).isEqualTo(5);
        assertThat(layout.udata(ev(), 0)).isEqualTo(0xCAFEL);
        assertThat(layout.flags(ev(), 0) & Kevent.EV_EOF).isZero();
        // Level-triggered without EV_CLEAR: reported again while unread.
        assertThat(kevent(0, 8, 0)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Kevent.class)
    void changesAreAppliedBeforeEventsAreCollected(Kevent l) {
        open(l);
        int[] p = fds.pipe();
        TestFds.write(p[1], new byte[1]);
        change(0, p[0], Kevent.EVFILT_READ, Kevent.EV_ADD, 1);
        change(1, p[1], Kevent.EVFILT_WRITE, Kevent.EV_ADD, 2);
        assertThat(kevent(2, 8, 0)).isEqualTo(2);
        assertThat(List.of(layout.filter(ev(), 0), layout.filter(ev(), 1)))
                .containsExactlyInAnyOrder(Kevent.EVFILT_READ, Kevent.EVFILT_WRITE);
    }

    @ParameterizedTest
    @EnumSource(Kevent.class)
    void readAndWriteOnOneDescriptorComeBackAsTwoEvents(Kevent l) {
        open(l);
        int[] s = fds.socketPair();
        TestFds.write(s[1], new byte[3]);
        change(0, s[0], Kevent.EVFILT_READ, Kevent.EV_ADD, 0);
        change(1, s[0], Kevent.EVFILT_WRITE, Kevent.EV_ADD, 0);
        assertThat(kevent(2, 8, 0)).isEqualTo(2);
        // Deleting one filter leaves the other.
        change(0, s[0], Kevent.EVFILT_WRITE, Kevent.EV_DELETE, 0);
        assertThat(kevent(1, 8, 0)).isEqualTo(1);
        assertThat(layout.filter(ev(), 0)).isEqualTo(Kevent.EVFILT_READ);
    }

    @ParameterizedTest
    @EnumSource(Kevent.class)
    void eofIsFlaggedWhenThePeerCloses(Kevent l) {
        open(l);
        int[] s = fds.socketPair();
        change(0, s[0], Kevent.EVFILT_READ, Kevent.EV_ADD, 0);
        assertThat(kevent(1, 8, 0)).isZero();
        fds.closeNow(s[1]);
        assertThat(kevent(0, 8, 0)).isEqualTo(1);
        assertThat(layout.flags(ev(), 0) & Short.toUnsignedInt(Kevent.EV_EOF)).isNotZero();
        assertThat(layout.data(ev(), 0)).isZero();
    }

    @ParameterizedTest
    @EnumSource(Kevent.class)
    void aWriteFilterOnAPipeWhoseReaderIsGoneFlagsEof(Kevent l) {
        open(l);
        int[] p = fds.pipe();
        change(0, p[1], Kevent.EVFILT_WRITE, Kevent.EV_ADD, 0);
        assertThat(kevent(1, 8, 0)).isEqualTo(1);
        assertThat(layout.flags(ev(), 0) & Short.toUnsignedInt(Kevent.EV_EOF)).isZero();
        fds.closeNow(p[0]);
        assertThat(kevent(0, 8, 0)).isEqualTo(1);
        assertThat(layout.flags(ev(), 0) & Short.toUnsignedInt(Kevent.EV_EOF)).isNotZero();
    }

    @ParameterizedTest
    @EnumSource(Kevent.class)
    void aFailedChangeIsReturnedAsEvErrorWhenThereIsRoomElseKeventFails(Kevent l) {
        open(l);
        int[] p = fds.pipe();
        change(0, p[0], Kevent.EVFILT_READ, Kevent.EV_DELETE, 0);
        assertThat(kevent(1, 8, -1)).as("returns at once, without waiting").isEqualTo(1);
        assertThat(layout.flags(ev(), 0) & Kevent.EV_ERROR).isNotZero();
        assertThat(layout.data(ev(), 0)).isEqualTo(Errno.ENOENT);
        change(0, 999_999, Kevent.EVFILT_READ, Kevent.EV_ADD, 0);
        assertThat(kevent(1, 8, 0)).isEqualTo(1);
        assertThat(layout.data(ev(), 0)).isEqualTo(Errno.EBADF);
        // No room: the call fails with the errno instead.
        assertThat(kevent(1, 0, 0)).isEqualTo(-1);
        assertThat(Native.getLastError()).isEqualTo(Errno.EBADF);
    }

    @ParameterizedTest
    @EnumSource(Kevent.class)
    void evReceiptReturnsEveryChangeWithDataZeroOnSuccess(Kevent l) {
        open(l);
        int[] p = fds.pipe();
        TestFds.write(p[1], new byte[1]);
        change(0, p[0], Kevent.EVFILT_READ, Kevent.EV_ADD | Kevent.EV_RECEIPT, 7);
        change(1, 999_999, Kevent.EVFILT_READ, Kevent.EV_ADD | Kevent.EV_RECEIPT, 8);
        assertThat(kevent(2, 8, 0)).isEqualTo(2);
        assertThat(layout.flags(ev(), 0) & Kevent.EV_ERROR).isNotZero();
        assertThat(layout.data(ev(), 0)).isZero();
        assertThat(layout.data(ev(), 1)).isEqualTo(Errno.EBADF);
        // The receipt did not consume the event: it is there on the next call.
        assertThat(kevent(0, 8, 0)).isEqualTo(1);
        assertThat(layout.udata(ev(), 0)).isEqualTo(7);
    }

    @ParameterizedTest
    @EnumSource(Kevent.class)
    void disableEnableOneshotAndDispatch(Kevent l) {
        open(l);
        int[] p = fds.pipe();
        TestFds.write(p[1], new byte[1]);
        change(0, p[0], Kevent.EVFILT_READ, Kevent.EV_ADD | Kevent.EV_DISABLE, 0);
        assertThat(kevent(1, 8, 0)).as("disabled").isZero();
        change(0, p[0], Kevent.EVFILT_READ, Kevent.EV_ENABLE, 0);
        assertThat(kevent(1, 8, 0)).as("enabled").isEqualTo(1);
        change(0, p[0], Kevent.EVFILT_READ, Kevent.EV_ADD | Kevent.EV_DISPATCH, 0);
        assertThat(kevent(1, 8, 0)).isEqualTo(1);
        assertThat(kevent(0, 8, 0)).as("dispatch disables after delivery").isZero();
        change(0, p[0], Kevent.EVFILT_READ, Kevent.EV_ENABLE, 0);
        assertThat(kevent(1, 8, 0)).isEqualTo(1);
        change(0, p[0], Kevent.EVFILT_READ, Kevent.EV_ADD | Kevent.EV_ONESHOT, 0);
        assertThat(kevent(1, 8, 0)).isEqualTo(1);
        assertThat(kevent(0, 8, 0)).as("oneshot deletes after delivery").isZero();
        change(0, p[0], Kevent.EVFILT_READ, Kevent.EV_DELETE, 0);
        assertThat(kevent(1, 8, 0)).isEqualTo(1);
        assertThat(layout.data(ev(), 0)).as("already deleted").isEqualTo(Errno.ENOENT);
    }

    @ParameterizedTest
    @EnumSource(Kevent.class)
    void aTimeoutWaitsAtLeastThatLongAndNullWaitsForAnEvent(Kevent l) throws Exception {
        open(l);
        int[] p = fds.pipe();
        change(0, p[0], Kevent.EVFILT_READ, Kevent.EV_ADD, 0);
        assertThat(kevent(1, 8, 0)).isZero();
        long start = System.nanoTime();
        assertThat(kevent(0, 8, 20_000_000L)).isZero();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(20_000_000L);
        Thread writer = new Thread(() -> {
            try {
                Thread.sleep(30);
            } catch (InterruptedException e) {
                return;
            }
            TestFds.write(p[1], new byte[1]);
        });
        writer.start();
        assertThat(kevent(0, 8, -1)).isEqualTo(1);
        writer.join();
    }

    @ParameterizedTest
    @EnumSource(Kevent.class)
    void aUserEventFiresWhenTriggeredFromAnotherThreadAndEvClearResetsIt(Kevent l) throws Exception {
        open(l);
        layout.put(changes.buffer(), 0, 5, layout.evfiltUser, (short) (Kevent.EV_ADD | Kevent.EV_CLEAR), 0, 0, 77);
        assertThat(kevent(1, 8, 0)).as("not triggered yet").isZero();
        Thread trigger = new Thread(() -> {
            try {
                Thread.sleep(30);
            } catch (InterruptedException e) {
                return;
            }
            try (NativeMemory c = new NativeMemory(l.size)) {
                l.put(c.buffer(), 0, 5, l.evfiltUser, (short) 0, Kevent.NOTE_TRIGGER, 0, 0);
                kq.kevent(kqfd, new Pointer(c.address()), 1, null, 0, null);
            }
        });
        trigger.start();
        assertThat(kevent(0, 8, -1)).isEqualTo(1);
        trigger.join();
        assertThat(layout.filter(ev(), 0)).isEqualTo(layout.evfiltUser);
        assertThat(layout.ident(ev(), 0)).isEqualTo(5);
        assertThat(layout.udata(ev(), 0)).isEqualTo(77);
        assertThat(kevent(0, 8, 0)).as("EV_CLEAR: reset once delivered").isZero();
        // Without EV_CLEAR it stays triggered.
        layout.put(changes.buffer(), 0, 6, layout.evfiltUser, Kevent.EV_ADD, Kevent.NOTE_TRIGGER, 0, 0);
        assertThat(kevent(1, 8, 0)).isEqualTo(1);
        assertThat(kevent(0, 8, 0)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Kevent.class)
    void procNoteExitReportsTheWaitStatusOnceWithoutReaping(Kevent l) throws Exception {
        open(l);
        int pid = spawnShell("exit 3");
        layout.put(changes.buffer(), 0, pid, Kevent.EVFILT_PROC, Kevent.EV_ADD, Kevent.NOTE_EXIT, 0, 42);
        int n = kevent(1, 8, 5_000_000_000L);
        assertThat(n).isEqualTo(1);
        assertThat(layout.filter(ev(), 0)).isEqualTo(Kevent.EVFILT_PROC);
        assertThat(layout.ident(ev(), 0)).isEqualTo(pid);
        assertThat(layout.fflags(ev(), 0) & Kevent.NOTE_EXIT).isNotZero();
        assertThat(layout.flags(ev(), 0) & Short.toUnsignedInt(Kevent.EV_EOF)).isNotZero();
        assertThat(layout.data(ev(), 0)).as("wait status of exit(3)").isEqualTo(3 << 8);
        assertThat(layout.udata(ev(), 0)).isEqualTo(42);
        assertThat(kevent(0, 8, 0)).as("once").isZero();
        // Not reaped by the shim: the zombie is still ours to wait for.
        try (NativeMemory info = new NativeMemory(128)) {
            assertThat(LibC.waitid(Linux.P_PID, pid, info.address(), Linux.WEXITED)).isZero();
        }
        // A process that does not exist is refused with ESRCH.
        layout.put(changes.buffer(), 0, pid, Kevent.EVFILT_PROC, Kevent.EV_ADD, Kevent.NOTE_EXIT, 0, 0);
        assertThat(kevent(1, 8, 0)).isEqualTo(1);
        assertThat(layout.data(ev(), 0)).isEqualTo(Errno.ESRCH);
    }
}

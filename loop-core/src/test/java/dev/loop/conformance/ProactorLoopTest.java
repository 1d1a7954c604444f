package dev.loop.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.loop.Backend;
import dev.loop.EventLoop;
import dev.loop.LoopOptions;
import dev.loop.platform.BackendProbe;
import dev.loop.internal.uring.UringBackend;
import dev.loop.testsupport.TestFds;

/** The conformance suite on the io_uring proactor. */
class ProactorLoopTest extends AbstractLoopConformanceTest {

    @Override
    protected BackendFixture backend() {
        return BackendFixture.PROACTOR;
    }

    @Test
    void theProbeFindsIoUringUsableHere() {
        assertThat(BackendProbe.probe(Backend.PROACTOR, null).available()).isTrue();
    }

    @Test
    void theLoopOwnsARingAndAnEventfdAndReleasesBoth() {
        java.util.Map<Integer, String> before = TestFds.openFdTargets();
        EventLoop loop = UringBackend.newLoop(LoopOptions.defaults());
        assertThat(TestFds.newFdsSince(before)).hasSize(2).allSatisfy((fd, target) -> {
            assertThat(target).startsWith("anon_inode:");
            assertThat(TestFds.isCloseOnExec(fd)).as("O_CLOEXEC on %s", target).isTrue();
        });
        loop.close();
        assertThat(TestFds.newFdsSince(before)).isEmpty();
    }

    @Test
    void moreOperationsThanRingEntriesAreFlushedNeverDropped() {
        // A ring of 4 submission slots and 300 readers: every POLL_ADD beyond the fourth forces a submit.
        EventLoop loop = UringBackend.newLoop(LoopOptions.builder().name("small-ring").build(), 4);
        loops.add(loop);
        java.util.List<int[]> pipes = new java.util.ArrayList<>();
        java.util.Set<Integer> fired = new java.util.HashSet<>();
        for (int i = 0; i < 300; i++) {
            int[] p = fds.pipe();
            pipes.add(p);
            int n = i;
            loop.addReader(p[0], () -> {
                fired.add(n);
                TestFds.read(p[0], 16);
                loop.removeReader(p[0]);
                if (fired.size() == 300) {
                    loop.stop();
                }
            });
        }
        for (int[] p : pipes) {
            TestFds.write(p[1], new byte[] {1});
        }
        run(loop);
        assertThat(fired).hasSize(300);
        assertThat(loop.stats().handles().loopReaders() + loop.stats().handles().readers()).isZero();
    }

    @Test
    void tenThousandTimersFireOnceEachInDueOrderAndNeverEarly() {
        EventLoop loop = newLoop();
        java.util.Random random = new java.util.Random(42);
        long[] due = new long[10_000];
        long[] firedAt = new long[10_000];
        java.util.List<Integer> order = new java.util.ArrayList<>();
        long start = loop.time();
        for (int i = 0; i < due.length; i++) {
            int n = i;
            due[i] = start + java.time.Duration.ofMillis(1).toNanos() + random.nextInt(50_000_000);
            loop.callAt(due[i], () -> {
                firedAt[n] = loop.time();
                order.add(n);
                if (order.size() == due.length) {
                    loop.stop();
                }
            });
        }
        run(loop);
        assertThat(order).hasSize(due.length).doesNotHaveDuplicates();
        for (int i = 1; i < order.size(); i++) {
            assertThat(due[order.get(i)]).isGreaterThanOrEqualTo(due[order.get(i - 1)]);
        }
        for (int i = 0; i < due.length; i++) {
            assertThat(firedAt[i]).isGreaterThanOrEqualTo(due[i]);
        }
    }
}

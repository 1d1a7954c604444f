package dev.loop.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/** Pinning a thread and letting it go again, checked with the kernel's own view of the thread's CPUs. */
class CpuPinningTest {

    @Test
    void aThreadPinnedAndUnpinnedMayUseEveryCpuAgain() throws Exception {
        assumeTrue(CpuPinning.available(), "one CPU, or not Linux");
        int before = CpuPinning.allowedCpus();
        int[] seen = new int[2];
        Thread t = new Thread(() -> {
            CpuPinning.pinCurrentThread(0);
            seen[0] = CpuPinning.allowedCpus();
            CpuPinning.unpinCurrentThread();
            seen[1] = CpuPinning.allowedCpus();
        });
        t.start();
        t.join();
        assertThat(seen[0]).as("pinned").isEqualTo(1);
        assertThat(seen[1]).as("unpinned").isEqualTo(before); // it used to count the CPUs while pinned: 1
    }
}

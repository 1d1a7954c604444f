package dev.loop.bench.echo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/**
 * The comparison's server cap is a real cgroup CPU quota: a busy process put in a group capped at a
 * fifth of a CPU gets about that, where alone it would take a whole CPU; the group goes with close().
 * Needs root and a cgroup cpu controller (skipped with the reason otherwise).
 */
class CpuQuotaTest {

    @Test
    void aBusyProcessInTheGroupGetsNoMoreThanItsQuota() throws Exception {
        Optional<String> unavailable = CpuQuota.unavailableReason();
        assumeTrue(unavailable.isEmpty(), () -> "no CPU quota here: " + unavailable.orElse(""));
        Process busy = new ProcessBuilder("/bin/sh", "-c", "while :; do :; done").start();
        CpuQuota quota = CpuQuota.create("loop-echo-test-" + ProcessHandle.current().pid(), 0.2);
        try {
            quota.add(busy.pid());
            long cpuBefore = ProcessCpu.nanos(busy.pid());
            long wallBefore = System.nanoTime();
            Thread.sleep(1500);
            double share = (double) (ProcessCpu.nanos(busy.pid()) - cpuBefore) / (System.nanoTime() - wallBefore);
            // Uncapped, a busy loop takes about a whole CPU; capped at 0.2 it gets 0.2 (ticks of 10 ms aside).
            assertThat(share).as("share of one CPU").isBetween(0.05, 0.4);
        } finally {
            busy.destroyForcibly().waitFor();
            quota.close();
        }
        assertThat(Files.exists(quota.directory())).as("the group is removed").isFalse();
    }

    @Test
    void aQuotaMustBePositive() {
        assertThatThrownBy(() -> CpuQuota.create("never-made", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive");
    }
}

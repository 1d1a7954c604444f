package dev.loop.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;

/**
 * What JMH will start each fork with, read from the benchmark list its annotation processor wrote: every fork
 * grants JNA native access, so that on Java 24+ no fork prints the restricted-method warning (and none fails
 * once a release refuses without it).
 */
class BenchmarkForksTest {

    @Test
    void everyForkGrantsNativeAccess() {
        Set<BenchmarkListEntry> all = BenchmarkList.defaultList().getAll(null, List.of());
        assertThat(all).as("benchmarks in the list").hasSizeGreaterThan(5);
        for (BenchmarkListEntry b : all) {
            assertThat(b.getJvmArgsAppend().hasValue()).as(b.getUsername()).isTrue();
            assertThat(b.getJvmArgsAppend().get()).as(b.getUsername()).contains(BenchLoops.NATIVE_ACCESS);
        }
    }
}

package dev.loop.bench.echo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The comparison's CPU accounting reads real processes' times, whatever their command name. */
class ProcessCpuTest {

    @Test
    void countsTheCpuTimeOfABusyChildWhoseNameHasSpacesAndParentheses(@TempDir Path dir) throws Exception {
        // comm (field 2 of /proc/<pid>/stat) becomes "busy) (1": fields must be counted after its last ')'.
        Path shell = Files.copy(Path.of("/bin/sh"), dir.resolve("busy) (1"));
        assertThat(shell.toFile().setExecutable(true)).isTrue();
        Process p = new ProcessBuilder(shell.toString(), "-c", "while :; do :; done").start();
        try {
            long before = ProcessCpu.nanos(p.pid());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            long after = before;
            while (after - before < 50_000_000L && System.nanoTime() < deadline) {
                Thread.sleep(20);
                after = ProcessCpu.nanos(p.pid());
            }
            assertThat(after - before).isGreaterThanOrEqualTo(50_000_000L);
            assertThat(after % 10_000_000L).isZero(); // whole USER_HZ ticks
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void theClientReportsWhatServerAndClientSpentInTheMeasuredWindow() throws Exception {
        try (EchoServers.Running server = EchoServers.start("jdk-nio", null, null, 0)) {
            // The server runs in this JVM: its process is this one.
            EchoClient.Result r = EchoClient.run(server.port(), 4, 1024, 0.05, 0.5, ProcessHandle.current().pid());
            assertThat(r.roundTrips()).isPositive();
            assertThat(r.seconds()).isBetween(0.4, 0.6);
            // One process read twice at each end of the window: the same time, give or take a tick each.
            assertThat(r.serverCpuSeconds()).isPositive().isCloseTo(r.clientCpuSeconds(), within(0.021));
            assertThat(r.serverMicrosPerRoundTrip()).isPositive();
        }
    }
}

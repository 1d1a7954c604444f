package dev.loop.capability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.IntConsumer;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.loop.Backend;
import dev.loop.EventLoop;
import dev.loop.EventLoops;
import dev.loop.LoopOptions;
import dev.loop.PollerKind;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.platform.Os;
import dev.loop.platform.Platform;
import dev.loop.internal.selector.EpollPoller;
import dev.loop.internal.selector.SelectorBackend;
import dev.loop.testsupport.TestFds;

/**
 * Every "no" in the matrix for the running platform throws the typed exception from a real call, and
 * the checks run before any native call (shown with other platforms' rows on a real poller).
 */
class RunningPlatformCapabilityTest {

    @TempDir
    Path dir;

    /** One real operation per capability that the API exposes today; it must throw when unsupported. */
    private Map<Capability, IntConsumer> exercisers(EventLoop loop, TestFds fds) throws Exception {
        Path file = Files.writeString(dir.resolve("f.txt"), "x");
        Map<Capability, IntConsumer> m = new EnumMap<>(Capability.class);
        m.put(Capability.READINESS_CALLBACKS, n -> loop.addReader(fds.pipe()[0], () -> { }));
        m.put(Capability.FILE_IO_MONITORING, n -> loop.addReader(fds.open(file, Linux.O_RDONLY), () -> { }));
        m.put(Capability.DESCRIPTORS_ABOVE_FD_SETSIZE,
                n -> loop.addReader(fds.track(LibC.fcntl(fds.pipe()[0], Linux.F_DUPFD_CLOEXEC, 1500)), () -> { }));
        int[] pty = fds.openPty();
        if (pty != null) {
            m.put(Capability.CHARACTER_DEVICES, n -> loop.addReader(pty[0], () -> { }));
        }
        return m;
    }

    @ParameterizedTest
    @EnumSource(value = PollerKind.class, names = {"EPOLL", "POLL", "SELECT"})
    void everyUnsupportedCapabilityOfThisPlatformThrowsTheTypedException(PollerKind kind) throws Exception {
        try (EventLoop loop = EventLoops.create(LoopOptions.builder().poller(kind).build()); TestFds fds = new TestFds()) {
            Capabilities caps = loop.capabilities();
            assertThat(caps.os()).isEqualTo(Os.current());
            assertThat(caps.poller()).isEqualTo(kind);
            Map<Capability, IntConsumer> ex = exercisers(loop, fds);
            for (Capability c : caps.unsupported()) {
                IntConsumer op = ex.get(c);
                if (op == null) {
                    fail("no operation exercises " + c + ", which " + caps.backendLabel() + " declares unsupported");
                }
                assertThatThrownBy(() -> op.accept(0)).as(c.toString())
                        .isInstanceOfSatisfying(CapabilityNotSupportedException.class,
                                e -> assertThat(e.capability()).isEqualTo(c));
            }
            for (Map.Entry<Capability, IntConsumer> e : ex.entrySet()) {
                if (caps.supports(e.getKey())) {
                    e.getValue().accept(0); // supported: must not throw
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = PollerKind.class, names = {"EPOLL", "POLL", "SELECT"})
    void limitsComeFromThisMachine(PollerKind kind) {
        try (EventLoop loop = EventLoops.create(LoopOptions.builder().poller(kind).build())) {
            Limits l = loop.capabilities().limits();
            assertThat(l.clockResolutionNanos()).isEqualTo(Platform.current().clockResolutionNanos()).isPositive();
            if (kind == PollerKind.SELECT) {
                assertThat(l.maxDescriptors()).isEqualTo(1024);
            } else {
                assertThat(l.maxDescriptors()).isEqualTo(dev.loop.internal.nativeio.Descriptors.openFileLimit()[0]);
            }
            assertThat(l.pollGranularityNanos()).isLessThan(1_000_000);
        }
    }

    @org.junit.jupiter.api.Test
    void aMillisecondPollerDeclaresNoSubMillisecondTimers() {
        try (EventLoop loop = SelectorBackend.newLoop(LoopOptions.defaults(), new EpollPoller(EpollPoller.TimeoutMode.MILLIS))) {
            assertThat(loop.capabilities().supports(Capability.SUB_MILLISECOND_TIMERS)).isFalse();
            assertThat(loop.capabilities().limits().pollGranularityNanos()).isEqualTo(1_000_000);
        }
    }

    @org.junit.jupiter.api.Test
    void anotherPlatformsRowIsEnforcedBeforeAnyNativeCall() throws Exception {
        Capabilities windowsProactor = PlatformSupport.of(Os.WINDOWS, "10.0", Backend.PROACTOR, null).orElseThrow();
        try (EventLoop loop = SelectorBackend.newLoop(LoopOptions.defaults(), new EpollPoller(), windowsProactor)) {
            // Descriptor 999999 is not open: a native call would have said EBADF. The capability check comes first.
            assertThatThrownBy(() -> loop.addReader(999_999, () -> { }))
                    .isInstanceOfSatisfying(CapabilityNotSupportedException.class, e -> {
                        assertThat(e.capability()).isEqualTo(Capability.READINESS_CALLBACKS);
                        assertThat(e.os()).isEqualTo(Os.WINDOWS);
                        assertThat(e.getMessage()).contains("Windows", "proactor", "IOCP");
                    });
            assertThat(loop.stats().handles().loopReaders() + loop.stats().handles().readers()).isZero();
        }
        Capabilities oldMac = PlatformSupport.of(Os.MACOS, "10.8", Backend.KQUEUE, null).orElseThrow();
        try (EventLoop loop = SelectorBackend.newLoop(LoopOptions.defaults(), new EpollPoller(), oldMac);
                TestFds fds = new TestFds()) {
            int devNull = fds.open(Path.of("/dev/null"), Linux.O_RDONLY);
            assertThatThrownBy(() -> loop.addReader(devNull, () -> { }))
                    .isInstanceOfSatisfying(CapabilityNotSupportedException.class, e -> {
                        assertThat(e.capability()).isEqualTo(Capability.CHARACTER_DEVICES);
                        assertThat(e.getMessage()).contains("macOS", "10.6 to 10.8", "select");
                    });
            loop.addReader(fds.pipe()[0], () -> { }); // pipes are fine there
        }
    }
}

package dev.loop.capability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.loop.Backend;
import dev.loop.PollerKind;
import dev.loop.platform.Os;

/** The matrix as data: the rows asyncio's "Platform Support" page describes, and ours. */
class PlatformSupportTest {

    private static Capabilities row(Os os, String version, Backend b, PollerKind p) {
        return PlatformSupport.of(os, version, b, p).orElseThrow();
    }

    @Test
    void everyNoHasAReasonAndAnAlternative() {
        List<Capabilities> matrix = PlatformSupport.matrix();
        assertThat(matrix).hasSizeGreaterThanOrEqualTo(16);
        for (Capabilities c : matrix) {
            assertThat(c.asMap()).containsOnlyKeys(Capability.values());
            c.asMap().forEach((cap, s) -> {
                if (!s.supported()) {
                    assertThat(s.reason()).as(c + " " + cap).isNotBlank();
                    assertThat(s.alternative()).as(c + " " + cap).isNotBlank();
                }
            });
        }
        assertThat(matrix).extracting(Capabilities::os).contains(Os.LINUX, Os.MACOS, Os.FREEBSD, Os.WINDOWS);
    }

    @Test
    void noBackendAnywhereMonitorsRegularFiles() {
        assertThat(PlatformSupport.matrix()).allSatisfy(c -> assertThat(c.supports(Capability.FILE_IO_MONITORING)).isFalse());
    }

    @Test
    void windowsProactorHasNoReaderOrWriterCallbacks() {
        Capabilities c = row(Os.WINDOWS, "10.0", Backend.PROACTOR, null);
        assertThat(c.supports(Capability.READINESS_CALLBACKS)).isFalse();
        assertThat(c.support(Capability.READINESS_CALLBACKS).reason()).contains("IOCP");
        assertThat(c.supports(Capability.PIPES)).isTrue();
        assertThat(c.supports(Capability.SUBPROCESSES)).isTrue();
        assertThat(c.supports(Capability.TCP)).isTrue();
    }

    @Test
    void windowsSelectorWatchesAtMost512SocketsAndNoPipesOrSubprocesses() {
        Capabilities c = row(Os.WINDOWS, "10.0", Backend.SELECTOR, PollerKind.SELECT);
        assertThat(c.limits().maxDescriptors()).isEqualTo(512);
        assertThat(c.supports(Capability.READINESS_CALLBACKS)).isTrue();
        assertThat(c.support(Capability.READINESS_CALLBACKS).reason()).contains("sockets only");
        assertThat(c.supports(Capability.PIPES)).isFalse();
        assertThat(c.supports(Capability.SUBPROCESSES)).isFalse();
        assertThat(c.support(Capability.SUBPROCESSES).alternative()).contains("proactor");
    }

    @Test
    void windowsHasNoUnixSocketsNoSignalHandlersAndA15point6MillisecondClock() {
        for (Backend b : List.of(Backend.SELECTOR, Backend.PROACTOR)) {
            Capabilities c = row(Os.WINDOWS, "10.0", b, b == Backend.SELECTOR ? PollerKind.SELECT : null);
            assertThat(c.supports(Capability.UNIX_SOCKETS)).isFalse();
            assertThat(c.supports(Capability.SIGNAL_HANDLERS)).isFalse();
            assertThat(c.supports(Capability.SUB_MILLISECOND_TIMERS)).isFalse();
            assertThat(c.limits().clockResolutionNanos()).isEqualTo(15_625_000L);
        }
    }

    @Test
    void kqueueOnMacos10_6To10_8DoesNotWatchCharacterDevices() {
        for (String v : List.of("10.6", "10.7.5", "10.8")) {
            Capabilities c = row(Os.MACOS, v, Backend.KQUEUE, null);
            assertThat(c.supports(Capability.CHARACTER_DEVICES)).as(v).isFalse();
            assertThat(c.support(Capability.CHARACTER_DEVICES).alternative()).contains("select");
            assertThat(c.platformLabel()).isEqualTo("macOS 10.6-10.8");
            assertThat(row(Os.MACOS, v, Backend.SELECTOR, PollerKind.SELECT).supports(Capability.CHARACTER_DEVICES)).isTrue();
        }
        for (String v : List.of("10.5", "10.9", "11.2", "14.4")) {
            assertThat(row(Os.MACOS, v, Backend.KQUEUE, null).supports(Capability.CHARACTER_DEVICES)).as(v).isTrue();
        }
    }

    @Test
    void unixPlatformsHaveEverythingButFileIoOnTheirBestBackend() {
        for (Capabilities c : List.of(row(Os.LINUX, "6.1", Backend.SELECTOR, PollerKind.EPOLL),
                row(Os.LINUX, "6.1", Backend.PROACTOR, null))) {
            assertThat(c.unsupported()).as(c.toString()).containsExactly(Capability.FILE_IO_MONITORING);
            assertThat(c.limits().timerSlackNanos()).as("the kernel's default").isEqualTo(50_000);
        }
        // BSD and macOS: sendfile works there too, by reading and sending (only Linux's sendfile(2) is bound);
        // neither lets a thread set its timer slack.
        for (Capabilities c : List.of(row(Os.MACOS, "14.0", Backend.KQUEUE, null),
                row(Os.FREEBSD, "14.0", Backend.KQUEUE, null))) {
            assertThat(c.unsupported()).as(c.toString()).containsExactly(Capability.FILE_IO_MONITORING,
                    Capability.ZERO_COPY_SENDFILE, Capability.TIMER_SLACK);
            assertThat(c.limits().timerSlackNanos()).as("no such control").isZero();
            assertThat(c.support(Capability.ZERO_COPY_SENDFILE).alternative()).contains("still work");
        }
    }

    @Test
    void selectIsLimitedToFdSetSizeOnUnix() {
        for (Os os : List.of(Os.LINUX, Os.MACOS, Os.FREEBSD)) {
            Capabilities c = row(os, "1.0", Backend.SELECTOR, PollerKind.SELECT);
            assertThat(c.supports(Capability.DESCRIPTORS_ABOVE_FD_SETSIZE)).isFalse();
            assertThat(c.limits().maxDescriptors()).isEqualTo(1024);
            assertThat(c.limits().pollGranularityNanos()).isEqualTo(1_000);
        }
    }

    @Test
    void combinationsThatDoNotExistHaveNoRow() {
        assertThat(PlatformSupport.of(Os.LINUX, "6.1", Backend.KQUEUE, null)).isEmpty();
        assertThat(PlatformSupport.of(Os.LINUX, "6.1", Backend.SELECTOR, PollerKind.KQUEUE)).isEmpty();
        assertThat(PlatformSupport.of(Os.MACOS, "14.0", Backend.SELECTOR, PollerKind.EPOLL)).isEmpty();
        assertThat(PlatformSupport.of(Os.MACOS, "14.0", Backend.PROACTOR, null)).isEmpty();
        assertThat(PlatformSupport.of(Os.WINDOWS, "10.0", Backend.SELECTOR, PollerKind.POLL)).isEmpty();
    }

    @Test
    void theExceptionNamesCapabilityBackendPlatformReasonAndAlternative() {
        Capabilities c = row(Os.WINDOWS, "10.0", Backend.PROACTOR, null);
        CapabilityNotSupportedException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                CapabilityNotSupportedException.class,
                () -> c.require(Capability.UNIX_SOCKETS, "createUnixServer(/tmp/x)"));
        assertThat(e.capability()).isEqualTo(Capability.UNIX_SOCKETS);
        assertThat(e.backend()).isEqualTo(Backend.PROACTOR);
        assertThat(e.os()).isEqualTo(Os.WINDOWS);
        assertThat(e.getMessage()).contains("unix sockets", "proactor", "Windows", "createUnixServer(/tmp/x)",
                "Instead:", "loopback");
    }
}

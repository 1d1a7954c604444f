package dev.loop.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.loop.Backend;
import dev.loop.BackendUnavailableException;
import dev.loop.EventLoop;
import dev.loop.EventLoops;
import dev.loop.LoopOptions;
import dev.loop.PollerKind;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.Linux;
import dev.loop.testsupport.NativeHelpers;
import dev.loop.testsupport.TestFds;

/** The probe, on this (Linux) machine, by doing. */
class BackendProbeTest {

    @Test
    void theSelectorPollersAreUsableHereAndSayHowTheyTimeOut() {
        List<BackendAvailability> all = BackendProbe.probeAll();
        assertThat(all).extracting(BackendAvailability::describe).containsExactly("selector (epoll)", "selector (poll)",
                "selector (select)", "selector (kqueue)", "proactor", "kqueue");
        for (PollerKind k : List.of(PollerKind.EPOLL, PollerKind.POLL, PollerKind.SELECT)) {
            BackendAvailability a = BackendProbe.probe(Backend.SELECTOR, k);
            assertThat(a.available()).as(a.toString()).isTrue();
            assertThat(a.reason()).isNull();
            assertThat(a.details()).containsKeys("timeouts", "pollGranularityNanos", "descriptorLimit");
        }
        assertThat(BackendProbe.probe(Backend.SELECTOR, PollerKind.EPOLL).details().get("timeouts"))
                .isIn("epoll_pwait2", "timerfd");
        assertThat(BackendProbe.probe(Backend.SELECTOR, PollerKind.SELECT).details().get("descriptorLimit")).isEqualTo(1024L);
    }

    /** The automatic order names only the pollers each OS has: no kqueue on Linux, no epoll on the BSDs. */
    @Test
    void theAutomaticOrderListsOnlyThePollersOfEachOs() {
        assertThat(BackendProbe.selectorOrder(Os.LINUX)).containsExactly(PollerKind.EPOLL, PollerKind.POLL,
                PollerKind.SELECT);
        assertThat(BackendProbe.selectorOrder(Os.MACOS)).containsExactly(PollerKind.KQUEUE, PollerKind.POLL,
                PollerKind.SELECT);
        assertThat(BackendProbe.selectorOrder(Os.WINDOWS)).containsExactly(PollerKind.SELECT);
        assertThat(BackendProbe.best().orElseThrow().poller()).isEqualTo(BackendProbe.selectorOrder(Os.current()).get(0));
    }

    /** How a capability was used, in words: "1 server, 2 subprocesses" (not "subprocesss"). */
    @Test
    void usageIsDescribedInPlainEnglish() {
        java.util.Map<String, Long> used = new java.util.LinkedHashMap<>();
        used.put("server", 1L);
        used.put("subprocess", 2L);
        used.put("connection", 3L);
        assertThat(dev.loop.capability.CapabilityUsage.describe(used)).isEqualTo("1 server, 2 subprocesses, 3 connections");
    }

    @Test
    void kqueueIsNotOnLinuxAndSaysWhy() {
        for (BackendAvailability a : List.of(BackendProbe.probe(Backend.KQUEUE, null),
                BackendProbe.probe(Backend.SELECTOR, PollerKind.KQUEUE))) {
            assertThat(a.available()).isFalse();
            assertThat(a.reason()).isEqualTo("kqueue is a BSD/macOS kernel interface, not present on Linux");
        }
    }

    @Test
    void theProactorIsProbedBySettingUpARing() {
        BackendAvailability a = BackendProbe.probe(Backend.PROACTOR, null);
        assertThat(a.available()).as(a.reason()).isTrue();
        assertThat(a.details()).containsKeys("features", "opcodes");
        assertThat(a.details().get("features")).asList().contains("SINGLE_MMAP", "NODROP", "EXT_ARG");
        assertThat(a.details().get("opcodes")).isInstanceOf(Long.class);
        // Asked of the kernel, not guessed from its version: 6.0 and later have multishot RECVMSG.
        String multishot = (String) a.details().get("recvMultishot");
        assertThat(multishot).startsWith(kernelAtLeast(6, 0) ? "available" : "not in this kernel");
        assertThat(EventLoops.create(LoopOptions.builder().backend(Backend.PROACTOR).build()))
                .satisfies(loop -> {
                    assertThat(loop.backend()).isEqualTo(Backend.PROACTOR);
                    loop.close();
                });
    }

    @Test
    void aProactorDisabledBySysctlIsReportedWithTheCause() throws Exception {
        java.nio.file.Path sysctl = java.nio.file.Path.of("/proc/sys/kernel/io_uring_disabled");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isWritable(sysctl),
                "needs root and a writable /proc/sys to disable io_uring for a moment");
        String old = java.nio.file.Files.readString(sysctl).trim();
        try {
            java.nio.file.Files.writeString(sysctl, "2");
            BackendAvailability a = BackendProbe.probe(Backend.PROACTOR, null);
            assertThat(a.available()).isFalse();
            assertThat(a.reason()).contains("EPERM").contains("kernel.io_uring_disabled=2");
            assertThatThrownBy(() -> EventLoops.create(LoopOptions.builder().backend(Backend.PROACTOR).build()))
                    .isInstanceOf(BackendUnavailableException.class).hasMessageContaining("io_uring_disabled");
        } finally {
            java.nio.file.Files.writeString(sysctl, old);
        }
        assertThat(BackendProbe.probe(Backend.PROACTOR, null).available()).isTrue();
    }

    /**
     * io_uring refused by a seccomp filter in a child JVM: io_uring_setup with EPERM, as a container's
     * default profile does (while the sysctl allows io_uring); with ENOSYS, as a kernel without io_uring
     * answers; the opcode probe with EINVAL, as a kernel before 5.6 answers. Each cause is named, a
     * proactor asked for fails with it, and the automatic choice still gets a loop.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "io_uring_setup | EPERM | io_uring_setup was refused with EPERM: blocked by a seccomp profile",
            "io_uring_setup | ENOSYS | the kernel has no io_uring (io_uring_setup: ENOSYS; Linux 5.1 or later is needed",
            "io_uring_register | EINVAL | the kernel cannot list its io_uring opcodes (IORING_REGISTER_PROBE: EINVAL; "
                    + "Linux 5.6 or later)"})
    void aProactorRefusedByTheKernelIsReportedWithTheCause(String call, String errno, String cause) {
        long nr = call.equals("io_uring_setup") ? Linux.SYS_IO_URING_SETUP : Linux.SYS_IO_URING_REGISTER;
        int code = switch (errno) {
            case "EPERM" -> Errno.EPERM;
            case "ENOSYS" -> Errno.ENOSYS;
            default -> Errno.EINVAL;
        };
        List<String> cmd = new java.util.ArrayList<>(List.of(NativeHelpers.seccompErrno().toString(), Long.toString(nr),
                Integer.toString(code)));
        cmd.addAll(NativeHelpers.java("-cp", System.getProperty("java.class.path"), RefusedProactorMain.class.getName()));
        String out = NativeHelpers.run(cmd);
        assertThat(out).as(out).contains("available=false", "reason=" + cause, "create=BackendUnavailableException: ",
                "automatic=selector/epoll");
        assertThat(out.lines().filter(l -> l.startsWith("create=")).findFirst().orElseThrow()).contains(cause);
    }

    /** Runs in the child JVM, under the seccomp filter. */
    public static final class RefusedProactorMain {
        public static void main(String[] args) {
            BackendAvailability a = BackendProbe.probe(Backend.PROACTOR, null);
            System.out.println("available=" + a.available());
            System.out.println("reason=" + a.reason());
            try (EventLoop loop = EventLoops.create(LoopOptions.builder().backend(Backend.PROACTOR).build())) {
                System.out.println("create=" + loop.backend().id());
            } catch (BackendUnavailableException e) {
                System.out.println("create=BackendUnavailableException: " + e.getMessage().replace('\n', ' '));
            }
            try (EventLoop loop = EventLoops.create(LoopOptions.builder().build())) {
                System.out.println("automatic=" + loop.backend().id() + "/" + loop.poller().id());
            }
        }
    }

    @Test
    void probingLeavesNoDescriptorOpen() {
        BackendProbe.probeAll();
        var before = TestFds.openFdTargets();
        BackendProbe.probeAll();
        assertThat(TestFds.newFdsSince(before)).isEmpty();
    }

    @Test
    void theAutomaticChoiceIsEpollAndExplicitChoicesAreHonoured() {
        assertThat(BackendProbe.best()).get().extracting(BackendAvailability::poller).isEqualTo(PollerKind.EPOLL);
        try (EventLoop loop = EventLoops.create()) {
            assertThat(loop.backend()).isEqualTo(Backend.SELECTOR);
            assertThat(loop.poller()).isEqualTo(PollerKind.EPOLL);
        }
        for (PollerKind k : List.of(PollerKind.POLL, PollerKind.SELECT)) {
            try (EventLoop loop = EventLoops.create(LoopOptions.builder().backend(Backend.SELECTOR).poller(k).build())) {
                assertThat(loop.poller()).isEqualTo(k);
            }
        }
    }

    @Test
    void anUnavailableChoiceFailsWithTheCauseNeverFallingBack() {
        assertThatThrownBy(() -> EventLoops.create(LoopOptions.builder().backend(Backend.KQUEUE).build()))
                .isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
                    assertThat(e.availability().backend()).isEqualTo(Backend.KQUEUE);
                    assertThat(e.getMessage()).contains("kqueue", "not present on Linux");
                });
        assertThatThrownBy(() -> EventLoops.create(LoopOptions.builder().poller(PollerKind.KQUEUE).build()))
                .isInstanceOf(BackendUnavailableException.class);
    }

    @Test
    void thePlatformIsRead() {
        Platform p = Platform.current();
        assertThat(p.os()).isEqualTo(Os.LINUX);
        assertThat(p.kernel()).isNotBlank();
        assertThat(p.clockResolutionNanos()).isBetween(1L, 1_000_000L);
        assertThat(Os.detect("Mac OS X")).isEqualTo(Os.MACOS);
        assertThat(Os.detect("Windows 11")).isEqualTo(Os.WINDOWS);
        assertThat(Os.detect("FreeBSD")).isEqualTo(Os.FREEBSD);
    }

    private static boolean kernelAtLeast(int major, int minor) {
        String[] v = System.getProperty("os.version").split("[.-]");
        int ma = Integer.parseInt(v[0]);
        int mi = Integer.parseInt(v[1]);
        return ma > major || ma == major && mi >= minor;
    }
}

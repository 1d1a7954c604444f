package dev.loop.internal.uring;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.loop.Backend;
import dev.loop.NativeException;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.nativeio.NativeMemory;
import dev.loop.platform.BackendAvailability;
import dev.loop.platform.Os;

/**
 * Whether the proactor can run here, found by doing: a 2-entry ring is set up, its features checked and
 * its opcodes probed ({@code IORING_REGISTER_PROBE}), then closed. The cause of a "no" is kept: not
 * Linux, kernel too old, {@code kernel.io_uring_disabled}, or refused by seccomp (EPERM).
 */
public final class ProactorProbe {

    /** The opcodes this backend uses, by name. */
    private static final Map<Integer, String> NEEDED = Map.ofEntries(
            Map.entry(Linux.IORING_OP_POLL_ADD, "POLL_ADD"), Map.entry(Linux.IORING_OP_POLL_REMOVE, "POLL_REMOVE"),
            Map.entry(Linux.IORING_OP_ASYNC_CANCEL, "ASYNC_CANCEL"), Map.entry(Linux.IORING_OP_READ, "READ"),
            Map.entry(Linux.IORING_OP_WRITE, "WRITE"), Map.entry(Linux.IORING_OP_WRITEV, "WRITEV"),
            Map.entry(Linux.IORING_OP_RECV, "RECV"), Map.entry(Linux.IORING_OP_SEND, "SEND"),
            Map.entry(Linux.IORING_OP_SENDMSG, "SENDMSG"), Map.entry(Linux.IORING_OP_ACCEPT, "ACCEPT"),
            Map.entry(Linux.IORING_OP_CONNECT, "CONNECT"), Map.entry(Linux.IORING_OP_RECVMSG, "RECVMSG"));

    private ProactorProbe() {
    }

    public static BackendAvailability probe() {
        if (Os.current() != Os.LINUX) {
            return no("io_uring is a Linux interface; there is no proactor for " + Os.current().displayName()
                    + " in this version of loop");
        }
        IoUring ring;
        try {
            ring = new IoUring(2);
        } catch (NativeException e) {
            if (e.errno() == Errno.ENOSYS) {
                return no("the kernel has no io_uring (io_uring_setup: ENOSYS; Linux 5.1 or later is needed, 5.11 "
                        + "for this backend)");
            }
            if (e.errno() == Errno.EPERM) {
                String disabled = sysctl();
                if (disabled != null && !"0".equals(disabled)) {
                    return no("io_uring is disabled on this machine: io_uring_setup failed with EPERM and sysctl "
                            + "kernel.io_uring_disabled=" + disabled);
                }
                return no("io_uring_setup was refused with EPERM: blocked by a seccomp profile (containers' default "
                        + "profiles often are)");
            }
            return no("io_uring_setup failed: " + e.getMessage());
        } catch (LinkageError e) {
            return no("JNA cannot load the C library: " + e);
        }
        try (ring) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("features", featureNames(ring.features()));
            if ((ring.features() & Linux.IORING_FEAT_EXT_ARG) == 0 || (ring.features() & Linux.IORING_FEAT_NODROP) == 0) {
                return no("the kernel's io_uring lacks IORING_FEAT_EXT_ARG or IORING_FEAT_NODROP (Linux 5.11 or later "
                        + "is needed)");
            }
            BitSet ops;
            try {
                ops = ring.supportedOpcodes();
            } catch (NativeException e) {
                return no("the kernel cannot list its io_uring opcodes (IORING_REGISTER_PROBE: " + e.errnoName()
                        + "; Linux 5.6 or later)");
            }
            List<String> missing = new ArrayList<>();
            NEEDED.forEach((op, name) -> {
                if (!ops.get(op)) {
                    missing.add(name);
                }
            });
            if (!missing.isEmpty()) {
                return no("the kernel's io_uring lacks opcodes " + String.join(", ", missing));
            }
            details.put("opcodes", (long) ops.cardinality());
            details.put("timeouts", "io_uring_enter with IORING_ENTER_EXT_ARG");
            details.put("recvMultishot", recvMultishot(ring));
            details.put("datagramReceive", "POLL_ADD readiness, then recvmmsg (measured faster than multishot RECVMSG);"
                    + " sending: sendto, then sendmmsg batches");
            details.put("pollGranularityNanos", 1L);
            return new BackendAvailability(Backend.PROACTOR, null, true, null, details);
        }
    }

    /**
     * Whether this kernel has multishot RECVMSG, found by asking: a pending datagram and a multishot RECVMSG that
     * selects from an empty buffer group fail with ENOBUFS where the kernel has it, EINVAL where it does not.
     */
    static String recvMultishot(IoUring ring) {
        try (NativeMemory mem = new NativeMemory(Linux.MSGHDR_SIZE + 8)) {
            if (LibC.socketpair(Linux.AF_UNIX, Linux.SOCK_DGRAM | Linux.SOCK_NONBLOCK | Linux.SOCK_CLOEXEC, 0,
                    mem.address() + Linux.MSGHDR_SIZE) != 0) {
                return "not probed (socketpair: " + Errno.name(LibC.errno()) + ")";
            }
            int a = mem.buffer().getInt(Linux.MSGHDR_SIZE);
            int b = mem.buffer().getInt(Linux.MSGHDR_SIZE + 4);
            try {
                LibC.send(b, mem.address(), 1, 0);
                mem.clear();
                ring.prepare(Linux.IORING_OP_RECVMSG, a, mem.address(), 1, 0, 0, Linux.IORING_RECV_MULTISHOT,
                        Linux.IOSQE_BUFFER_SELECT, 0, 1);
                ring.submitAndWait(1_000_000_000L);
                int[] res = {Integer.MIN_VALUE};
                ring.drain((userData, r, flags) -> res[0] = r);
                if (res[0] == -Errno.ENOBUFS) {
                    return "available (not used by default: see datagramReceive)";
                }
                return res[0] == -Errno.EINVAL ? "not in this kernel (6.0 or later)" : "unknown (result " + res[0] + ")";
            } finally {
                LibC.close(a);
                LibC.close(b);
            }
        } catch (NativeException e) {
            return "not probed (" + e.getMessage() + ")";
        }
    }

    /** io_uring's IORING_FEAT_* bits, by bit number (include/uapi/linux/io_uring.h, Linux 6.12). */
    private static final List<String> FEATURES = List.of("SINGLE_MMAP", "NODROP", "SUBMIT_STABLE", "RW_CUR_POS",
            "CUR_PERSONALITY", "FAST_POLL", "POLL_32BITS", "SQPOLL_NONFIXED", "EXT_ARG", "NATIVE_WORKERS", "RSRC_TAGS",
            "CQE_SKIP", "LINKED_FILE", "REG_REG_RING", "RECVSEND_BUNDLE", "MIN_TIMEOUT", "RW_ATTR", "NO_IOWAIT");

    /** The names of the feature bits the kernel reported; a bit newer than this list as {@code bit N}. */
    static List<String> featureNames(int features) {
        List<String> names = new ArrayList<>();
        for (int bit = 0; bit < 32; bit++) {
            if ((features & (1 << bit)) != 0) {
                names.add(bit < FEATURES.size() ? FEATURES.get(bit) : "bit " + bit);
            }
        }
        return names;
    }

    private static String sysctl() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/io_uring_disabled")).trim();
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    private static BackendAvailability no(String reason) {
        return new BackendAvailability(Backend.PROACTOR, null, false, reason, Map.of());
    }
}

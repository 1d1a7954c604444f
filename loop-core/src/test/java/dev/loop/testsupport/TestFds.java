package dev.loop.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.loop.NativeException;
import dev.loop.internal.nativeio.Descriptors;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.nativeio.NativeMemory;

/** Real descriptors for tests: pipes, socket pairs, files; every one closed by {@link #close()}. */
public final class TestFds implements AutoCloseable {

    private final List<Integer> open = new ArrayList<>();

    public int[] pipe() {
        int[] p = Descriptors.pipe(true);
        open.add(p[0]);
        open.add(p[1]);
        return p;
    }

    public int[] socketPair() {
        int[] p = Descriptors.socketPair(true);
        open.add(p[0]);
        open.add(p[1]);
        return p;
    }

    public int eventFd() {
        return track(Descriptors.eventFd());
    }

    /** Opens a path (a regular file, a directory) read-only. */
    public int open(Path path, int flags) {
        int fd = LibC.open(path.toString(), flags | Linux.O_CLOEXEC, 0644);
        if (fd < 0) {
            throw new NativeException("open", LibC.errno(), path.toString());
        }
        return track(fd);
    }

    /** A pseudo-terminal, both ends non-blocking: {@code [master, slave]}; {@code null} if the system has none. */
    public int[] openPty() {
        if (!Files.exists(Path.of("/dev/ptmx"))) {
            return null;
        }
        int master = LibC.posix_openpt(Linux.O_RDWR | Linux.O_NOCTTY | Linux.O_NONBLOCK | Linux.O_CLOEXEC);
        if (master < 0) {
            return null;
        }
        track(master);
        if (LibC.grantpt(master) != 0 || LibC.unlockpt(master) != 0) {
            throw new NativeException("grantpt/unlockpt", LibC.errno());
        }
        String slavePath;
        try (NativeMemory name = new NativeMemory(128)) {
            if (LibC.ptsname_r(master, name.address(), 128) != 0) {
                throw new NativeException("ptsname_r", LibC.errno());
            }
            byte[] raw = new byte[128];
            name.buffer().get(0, raw);
            slavePath = new String(raw, java.nio.charset.StandardCharsets.US_ASCII).split("\0")[0];
        }
        int slave = open(Path.of(slavePath), Linux.O_RDWR | Linux.O_NOCTTY | Linux.O_NONBLOCK);
        return new int[] {master, slave};
    }

    public int track(int fd) {
        open.add(fd);
        return fd;
    }

    /** Forgets {@code fd} without closing it: something else (a transport) owns it now. */
    public int handOver(int fd) {
        open.remove((Integer) fd);
        return fd;
    }

    /**
     * The lowest number at or above which {@link #moveHigh} puts descriptors: below FD_SETSIZE (select
     * watches them), far above what the JVM and the tests usually hold.
     */
    public static final int HIGH = 900;

    /**
     * Moves {@code fd} to a free number at or above {@code floor} (closing {@code fd}) and returns it, tracked.
     * The kernel gives every new descriptor the lowest free number, so another thread of this JVM (which
     * opens jars, cgroup files...) never takes a number that high between a test's close and its use of
     * the number: a test that closes a descriptor and then relies on what its number names works there.
     */
    public int moveHigh(int fd, int floor) {
        int high = LibC.fcntl(fd, Linux.F_DUPFD_CLOEXEC, floor);
        if (high < 0) {
            throw new NativeException("fcntl(F_DUPFD_CLOEXEC)", LibC.errno());
        }
        closeNow(fd);
        return track(high);
    }

    /** {@link #moveHigh(int, int)} at {@link #HIGH}. */
    public int moveHigh(int fd) {
        return moveHigh(fd, HIGH);
    }

    /** Closes {@code fd} now (and forgets it). */
    public void closeNow(int fd) {
        if (open.remove((Integer) fd)) {
            LibC.close(fd);
        }
    }

    /** Writes all of {@code data} (the descriptor must have room). */
    public static void write(int fd, byte[] data) {
        try (NativeMemory m = new NativeMemory(data.length)) {
            m.buffer().put(0, data);
            long n = LibC.write(fd, m.address(), data.length);
            if (n != data.length) {
                throw new NativeException("write", n < 0 ? LibC.errno() : 0, "wrote " + n + " of " + data.length);
            }
        }
    }

    /** Writes what fits; returns the count, 0 on EAGAIN, -errno on other errors. */
    public static long writeSome(int fd, int size) {
        try (NativeMemory m = new NativeMemory(size)) {
            long n = LibC.write(fd, m.address(), size);
            if (n < 0) {
                int errno = LibC.errno();
                return errno == Errno.EAGAIN ? 0 : -errno;
            }
            return n;
        }
    }

    /**
     * Reads up to {@code max} bytes: the bytes read (empty at EOF), or {@code null} on EAGAIN.
     */
    public static byte[] read(int fd, int max) {
        try (NativeMemory m = new NativeMemory(max)) {
            long n = LibC.read(fd, m.address(), max);
            if (n < 0) {
                int errno = LibC.errno();
                if (errno == Errno.EAGAIN) {
                    return null;
                }
                throw new NativeException("read", errno);
            }
            byte[] out = new byte[(int) n];
            m.buffer().get(0, out);
            return out;
        }
    }

    /** Whether {@code fd} has O_CLOEXEC, from the {@code flags:} line (octal) of /proc/self/fdinfo. */
    public static boolean isCloseOnExec(int fd) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
                if (line.startsWith("flags:")) {
                    return (Long.parseLong(line.substring(6).trim(), 8) & 02000000L) != 0;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Open descriptors of this process, counted in /proc/self/fd. */
    public static long countOpenFds() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Descriptors opened since {@code before} (a {@link #openFdTargets()} result) of the kinds the loop
     * and these tests create: anonymous inodes (epoll, eventfd, timerfd, inotify), pipes, sockets and
     * ptys. Files the JVM opens by itself at any moment (jars, libraries, cgroup files) are not counted.
     */
    public static java.util.Map<Integer, String> newFdsSince(java.util.Map<Integer, String> before) {
        java.util.Map<Integer, String> now = openFdTargets();
        java.util.Map<Integer, String> added = new java.util.TreeMap<>();
        now.forEach((fd, target) -> {
            boolean ours = target.startsWith("anon_inode:") || target.startsWith("pipe:")
                    || target.startsWith("socket:") || target.startsWith("/dev/pts") || target.equals("/dev/ptmx");
            if (ours && !target.equals(before.get(fd))) {
                added.put(fd, target);
            }
        });
        return added;
    }

    /** Every open descriptor of this process with what it points to (readlink of /proc/self/fd/N). */
    public static java.util.Map<Integer, String> openFdTargets() {
        java.util.Map<Integer, String> out = new java.util.TreeMap<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    out.put(Integer.parseInt(p.getFileName().toString()), Files.readSymbolicLink(p).toString());
                } catch (IOException e) {
                    // closed between list and readlink (the listing's own descriptor)
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    @Override
    public void close() {
        for (int fd : open) {
            LibC.close(fd);
        }
        open.clear();
    }
}

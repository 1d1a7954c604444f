package dev.loop.demo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import dev.loop.EventLoop;

/**
 * A directory watched through inotify: the kind of descriptor the JDK cannot watch but the loop can
 * ({@code addReader} on any pollable fd). The application opens the descriptor itself (here through
 * JNA) and the loop calls back when it is readable. Loop thread.
 */
public final class DirectoryWatch implements AutoCloseable {

    /** The few libc calls this needs (interface mapping: setup and one read per batch of events). */
    interface Inotify extends Library {
        Inotify C = Native.load("c", Inotify.class);

        int inotify_init1(int flags);

        int inotify_add_watch(int fd, String path, int mask);

        long read(int fd, Pointer buf, long count);

        int close(int fd);
    }

    private static final int IN_NONBLOCK = 0x800;
    private static final int IN_CLOEXEC = 0x80000;
    private static final int IN_CLOSE_WRITE = 0x8;
    private static final int IN_MOVED_FROM = 0x40;
    private static final int IN_MOVED_TO = 0x80;
    private static final int IN_CREATE = 0x100;
    private static final int IN_DELETE = 0x200;
    private static final int HEADER = 16; // struct inotify_event: wd, mask, cookie, len; then the name
    private static final int KEPT = 100;

    /** One change seen in the directory. */
    public record Change(Instant at, String event, String name) {
    }

    private final EventLoop loop;
    private final Path dir;
    private final int fd;
    private final Memory buffer = new Memory(64 * 1024);
    private final Deque<Change> recent = new ArrayDeque<>();
    private boolean closed;

    public DirectoryWatch(EventLoop loop, Path dir) {
        this.loop = loop;
        this.dir = dir;
        int f = Inotify.C.inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (f < 0) {
            throw new IllegalStateException("inotify_init1 failed: errno " + Native.getLastError());
        }
        if (Inotify.C.inotify_add_watch(f, dir.toString(), IN_CREATE | IN_DELETE | IN_CLOSE_WRITE | IN_MOVED_FROM
                | IN_MOVED_TO) < 0) {
            int errno = Native.getLastError();
            Inotify.C.close(f);
            throw new IllegalStateException("inotify_add_watch(" + dir + ") failed: errno " + errno);
        }
        this.fd = f;
        loop.addReader(fd, this::readEvents);
    }

    private void readEvents() {
        long n = Inotify.C.read(fd, buffer, buffer.size());
        if (n <= 0) {
            return; // EAGAIN: nothing more
        }
        ByteBuffer b = buffer.getByteBuffer(0, n).order(ByteOrder.nativeOrder());
        int off = 0;
        while (off + HEADER <= n) {
            int mask = b.getInt(off + 4);
            int len = b.getInt(off + 12);
            byte[] raw = new byte[len];
            b.get(off + HEADER, raw);
            int end = 0;
            while (end < len && raw[end] != 0) {
                end++;
            }
            record(mask, new String(raw, 0, end, StandardCharsets.UTF_8));
            off += HEADER + len;
        }
    }

    private synchronized void record(int mask, String name) {
        String event = (mask & IN_CREATE) != 0 ? "created" : (mask & IN_DELETE) != 0 ? "deleted"
                : (mask & IN_CLOSE_WRITE) != 0 ? "written" : (mask & IN_MOVED_FROM) != 0 ? "moved away" : "moved in";
        recent.addFirst(new Change(Instant.now(), event, name));
        while (recent.size() > KEPT) {
            recent.removeLast();
        }
    }

    /** The latest changes, newest first. Thread-safe. */
    public synchronized List<Change> recent() {
        return new ArrayList<>(recent);
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            loop.removeReader(fd);
            Inotify.C.close(fd);
        }
    }
}

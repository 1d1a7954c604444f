package dev.loop.internal.process;

import dev.loop.process.ProcessOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;


import dev.loop.NativeIOException;
import dev.loop.internal.nativeio.Descriptors;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.nativeio.NativeMemory;
import dev.loop.internal.nativeio.Spawn;
import dev.loop.process.ProcessOptions.Redirect;

/**
 * Starts a child with {@code posix_spawnp} (glibc runs it vfork-style: no Java code in the child, unlike
 * {@code fork()} from a JVM). The child gets exactly its three standard streams:
 * {@code addclosefrom_np(3)} closes everything else, including the descriptors the JVM itself leaves
 * without close-on-exec (its jars); its signal mask is emptied and every signal reset to its default.
 */
final class ProcessSpawner {

    /** A started child: its pid and the parent's ends of the pipes (-1 where no pipe). */
    record Spawned(int pid, int stdin, int stdout, int stderr) {
    }

    private ProcessSpawner() {
    }

    static Spawned spawn(List<String> argv, ProcessOptions options) throws IOException {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("argv must name a program");
        }
        if (options.directory() != null && !Spawn.hasAddChdir()) {
            throw new UnsupportedOperationException("a working directory needs posix_spawn_file_actions_addchdir_np "
                    + "(glibc 2.29 or later)");
        }
        if (options.directory() != null && !Files.isDirectory(options.directory())) {
            throw new NativeIOException("chdir", Errno.ENOENT, options.directory().toString());
        }
        List<Integer> toClose = new ArrayList<>(); // the child's ends, closed in the parent in any case
        int[] parentEnds = {-1, -1, -1};
        boolean ok = false;
        try (NativeMemory fa = new NativeMemory(Linux.SPAWN_STRUCT_SIZE);
                NativeMemory attr = new NativeMemory(Linux.SPAWN_STRUCT_SIZE);
                NativeMemory sigs = new NativeMemory(Linux.SIGSET_SIZE);
                NativeMemory pidOut = new NativeMemory(8)) {
            check("posix_spawn_file_actions_init", Spawn.posix_spawn_file_actions_init(fa.address()));
            try {
                check("posix_spawnattr_init", Spawn.posix_spawnattr_init(attr.address()));
                try {
                    Redirect[] redirects = {options.stdin(), options.stdout(), options.stderr()};
                    for (int fd = 0; fd < 3; fd++) {
                        switch (redirects[fd]) {
                            case PIPE -> {
                                int[] p = Descriptors.pipe(false);
                                int child = fd == 0 ? p[0] : p[1];
                                parentEnds[fd] = fd == 0 ? p[1] : p[0];
                                toClose.add(child);
                                check("adddup2", Spawn.posix_spawn_file_actions_adddup2(fa.address(), child, fd));
                            }
                            case DEVNULL -> check("addopen", Spawn.posix_spawn_file_actions_addopen(fa.address(), fd,
                                    "/dev/null", fd == 0 ? Linux.O_RDONLY : Linux.O_WRONLY, 0));
                            case STDOUT -> check("adddup2", Spawn.posix_spawn_file_actions_adddup2(fa.address(), 1, 2));
                            case INHERIT -> {
                            }
                        }
                    }
                    closeInheritedDescriptors(fa);
                    if (options.directory() != null) {
                        check("addchdir_np", Spawn.addChdir(fa.address(), options.directory().toString()));
                    }
                    // A new session makes the child a group leader already (setpgid after setsid would fail).
                    boolean ownGroup = options.processGroup() && !options.newSession();
                    short flags = (short) (Linux.POSIX_SPAWN_SETSIGMASK | Linux.POSIX_SPAWN_SETSIGDEF
                            | (options.newSession() ? Linux.POSIX_SPAWN_SETSID : 0)
                            | (ownGroup ? Linux.POSIX_SPAWN_SETPGROUP : 0));
                    check("posix_spawnattr_setflags", Spawn.posix_spawnattr_setflags(attr.address(), flags));
                    if (ownGroup) {
                        check("posix_spawnattr_setpgroup", Spawn.posix_spawnattr_setpgroup(attr.address(), 0));
                    }
                    Spawn.sigemptyset(sigs.address());
                    check("setsigmask", Spawn.posix_spawnattr_setsigmask(attr.address(), sigs.address()));
                    Spawn.sigfillset(sigs.address());
                    check("setsigdefault", Spawn.posix_spawnattr_setsigdefault(attr.address(), sigs.address()));

                    Map<String, String> env = options.environment() != null ? options.environment() : System.getenv();
                    String[] envp = env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new);
                    int rc = Spawn.posix_spawnp(pidOut.address(), argv.get(0), fa.address(), attr.address(),
                            argv.toArray(String[]::new), envp);
                    if (rc != 0) {
                        throw new NativeIOException("posix_spawnp", rc, argv.get(0));
                    }
                    ok = true;
                    return new Spawned(pidOut.buffer().getInt(0), parentEnds[0], parentEnds[1], parentEnds[2]);
                } finally {
                    Spawn.posix_spawnattr_destroy(attr.address());
                }
            } finally {
                Spawn.posix_spawn_file_actions_destroy(fa.address());
            }
        } finally {
            toClose.forEach(Descriptors::closeQuietly);
            if (!ok) {
                for (int fd : parentEnds) {
                    Descriptors.closeQuietly(fd);
                }
            }
        }
    }

    /**
     * glibc 2.34+: one action closes every descriptor from 3 up. Older glibc: close each descriptor
     * listed in /proc/self/fd now (racy with descriptors opened meanwhile by other threads, which our
     * own code always opens close-on-exec).
     */
    private static void closeInheritedDescriptors(NativeMemory fa) throws IOException {
        if (Spawn.hasAddCloseFrom()) {
            check("addclosefrom_np", Spawn.addCloseFrom(fa.address(), 3));
            return;
        }
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) fds::iterator) {
                int fd = Integer.parseInt(p.getFileName().toString());
                if (fd > 2 && (LibC.fcntl(fd, Linux.F_GETFD, 0) & Linux.FD_CLOEXEC) == 0) {
                    Spawn.posix_spawn_file_actions_addclose(fa.address(), fd);
                }
            }
        }
    }

    private static void check(String call, int rc) throws NativeIOException {
        if (rc != 0) {
            throw new NativeIOException(call, rc, null);
        }
    }
}

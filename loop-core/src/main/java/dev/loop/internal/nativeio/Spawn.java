package dev.loop.internal.nativeio;

import com.sun.jna.Function;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * {@code posix_spawn} and its attribute calls (setup calls, once per child). The optional glibc
 * extensions are looked up at class load: {@code posix_spawn_file_actions_addclosefrom_np} (glibc 2.34)
 * closes every inherited descriptor above stderr in the child, {@code ..._addchdir_np} (2.29) sets
 * the working directory.
 */
public final class Spawn {

    private static final NativeLibrary LIBC = NativeLibrary.getInstance(LibC.Platform.C_LIBRARY_NAME);

    static {
        Native.register(Spawn.class, LIBC);
    }

    private static final Function ADD_CLOSEFROM = optional("posix_spawn_file_actions_addclosefrom_np");
    private static final Function ADD_CHDIR = optional("posix_spawn_file_actions_addchdir_np");

    private Spawn() {
    }

    /** Returns an error number (0 on success); never sets errno. */
    public static native int posix_spawnp(long pidOut, String file, long fileActions, long attr, Pointer argv,
            Pointer envp);

    /** {@link #posix_spawnp(long, String, long, long, Pointer, Pointer)} with argv and envp as Java strings. */
    public static int posix_spawnp(long pidOut, String file, long fileActions, long attr, String[] argv,
            String[] envp) {
        return posix_spawnp(pidOut, file, fileActions, attr, new com.sun.jna.StringArray(argv),
                new com.sun.jna.StringArray(envp));
    }

    public static native int posix_spawn_file_actions_init(long fa);

    public static native int posix_spawn_file_actions_destroy(long fa);

    public static native int posix_spawn_file_actions_adddup2(long fa, int fd, int newfd);

    public static native int posix_spawn_file_actions_addclose(long fa, int fd);

    public static native int posix_spawn_file_actions_addopen(long fa, int fd, String path, int flags, int mode);

    public static native int posix_spawnattr_init(long attr);

    public static native int posix_spawnattr_destroy(long attr);

    public static native int posix_spawnattr_setflags(long attr, short flags);

    public static native int posix_spawnattr_setpgroup(long attr, int pgroup);

    public static native int posix_spawnattr_setsigmask(long attr, long sigset);

    public static native int posix_spawnattr_setsigdefault(long attr, long sigset);

    public static native int sigemptyset(long set);

    public static native int sigfillset(long set);

    public static boolean hasAddCloseFrom() {
        return ADD_CLOSEFROM != null;
    }

    public static boolean hasAddChdir() {
        return ADD_CHDIR != null;
    }

    public static int addCloseFrom(long fa, int from) {
        return ADD_CLOSEFROM.invokeInt(new Object[] {new Pointer(fa), from});
    }

    public static int addChdir(long fa, String path) {
        return ADD_CHDIR.invokeInt(new Object[] {new Pointer(fa), path});
    }

    private static Function optional(String name) {
        try {
            return LIBC.getFunction(name);
        } catch (UnsatisfiedLinkError e) {
            return null;
        }
    }
}

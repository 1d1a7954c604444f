package dev.loop.process;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * How a child is started.
 *
 * @param stdin       {@link Redirect#PIPE} (default), {@link Redirect#DEVNULL} or {@link Redirect#INHERIT}
 * @param stdout      same (default PIPE)
 * @param stderr      same, or {@link Redirect#STDOUT} (default PIPE)
 * @param environment the child's whole environment; {@code null} inherits this process's
 * @param directory   the working directory; {@code null} inherits this process's
 * @param newSession  start the child in a new session ({@code setsid}), so it has no controlling terminal
 * @param processGroup start the child as the leader of a process group of its own, and send the loop's
 *                    shutdown signals to the whole group: the SIGTERM of a graceful shutdown and the SIGKILL
 *                    of a close then reach the child's own children too. Without it (the default, as
 *                    asyncio), only the child is signalled, and children it started outlive it, orphaned.
 *                    {@link dev.loop.process.SubprocessTransport#sendSignal} still signals the child alone.
 */
public record ProcessOptions(Redirect stdin, Redirect stdout, Redirect stderr, Map<String, String> environment,
        Path directory, boolean newSession, boolean processGroup) {

    /** Where a child's standard stream goes. */
    public enum Redirect {
        /** A pipe to the loop, as a transport. */
        PIPE,
        /** {@code /dev/null}. */
        DEVNULL,
        /** This process's own descriptor. */
        INHERIT,
        /** stderr only: the same as stdout. */
        STDOUT
    }

    public static final ProcessOptions DEFAULTS = new ProcessOptions(Redirect.PIPE, Redirect.PIPE, Redirect.PIPE, null,
            null, false, false);

    public ProcessOptions {
        Objects.requireNonNull(stdin, "stdin");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        if (stdin == Redirect.STDOUT || stdout == Redirect.STDOUT) {
            throw new IllegalArgumentException("STDOUT is a redirect for stderr only");
        }
        environment = environment == null ? null : Map.copyOf(environment);
    }

    public ProcessOptions withStdin(Redirect r) {
        return new ProcessOptions(r, stdout, stderr, environment, directory, newSession, processGroup);
    }

    public ProcessOptions withStdout(Redirect r) {
        return new ProcessOptions(stdin, r, stderr, environment, directory, newSession, processGroup);
    }

    public ProcessOptions withStderr(Redirect r) {
        return new ProcessOptions(stdin, stdout, r, environment, directory, newSession, processGroup);
    }

    public ProcessOptions withEnvironment(Map<String, String> env) {
        return new ProcessOptions(stdin, stdout, stderr, env, directory, newSession, processGroup);
    }

    public ProcessOptions withDirectory(Path dir) {
        return new ProcessOptions(stdin, stdout, stderr, environment, dir, newSession, processGroup);
    }

    public ProcessOptions withNewSession(boolean on) {
        return new ProcessOptions(stdin, stdout, stderr, environment, directory, on, processGroup);
    }

    public ProcessOptions withProcessGroup(boolean on) {
        return new ProcessOptions(stdin, stdout, stderr, environment, directory, newSession, on);
    }
}

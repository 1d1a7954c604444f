package dev.loop.transport;

import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Options of {@code createServer} and {@code createUnixServer}, with asyncio's defaults.
 *
 * @param backlog          the listen backlog, also the most connections accepted per readiness event (100)
 * @param reuseAddress     {@code SO_REUSEADDR} (true, as asyncio on POSIX)
 * @param reusePort        {@code SO_REUSEPORT} (false)
 * @param acceptRetryDelay how long accepting pauses after EMFILE, ENFILE, ENOBUFS or ENOMEM (1 s)
 * @param fileMode         permissions of a unix socket file, or {@code null} to leave the umask's
 * @param startServing     whether the server accepts as soon as it is created (true); with false, it listens
 *                         (connections queue in the backlog) and accepts from {@link Server#startServing()}
 *                         or {@link Server#serveForever()} on
 * @param cleanupSocket    whether closing a unix server removes its socket file, if it is still the one the
 *                         server created (true; asyncio's {@code cleanup_socket})
 * @param tls              TLS for every accepted connection ({@link TlsOptions#server}), or {@code null}: plain
 */
public record ServerOptions(int backlog, boolean reuseAddress, boolean reusePort, Duration acceptRetryDelay,
        Set<PosixFilePermission> fileMode, boolean startServing, boolean cleanupSocket, TlsOptions tls) {

    public static final ServerOptions DEFAULTS = new ServerOptions(100, true, false, Duration.ofSeconds(1), null,
            true, true, null);

    public ServerOptions {
        if (backlog <= 0) {
            throw new IllegalArgumentException("backlog must be > 0: " + backlog);
        }
        Objects.requireNonNull(acceptRetryDelay, "acceptRetryDelay");
        fileMode = fileMode == null ? null : Set.copyOf(fileMode);
    }

    public ServerOptions withBacklog(int backlog) {
        return new ServerOptions(backlog, reuseAddress, reusePort, acceptRetryDelay, fileMode, startServing, cleanupSocket, tls);
    }

    public ServerOptions withReuseAddress(boolean reuseAddress) {
        return new ServerOptions(backlog, reuseAddress, reusePort, acceptRetryDelay, fileMode, startServing, cleanupSocket, tls);
    }

    public ServerOptions withReusePort(boolean reusePort) {
        return new ServerOptions(backlog, reuseAddress, reusePort, acceptRetryDelay, fileMode, startServing, cleanupSocket, tls);
    }

    public ServerOptions withAcceptRetryDelay(Duration acceptRetryDelay) {
        return new ServerOptions(backlog, reuseAddress, reusePort, acceptRetryDelay, fileMode, startServing, cleanupSocket, tls);
    }

    public ServerOptions withFileMode(Set<PosixFilePermission> fileMode) {
        return new ServerOptions(backlog, reuseAddress, reusePort, acceptRetryDelay, fileMode, startServing, cleanupSocket, tls);
    }

    public ServerOptions withStartServing(boolean startServing) {
        return new ServerOptions(backlog, reuseAddress, reusePort, acceptRetryDelay, fileMode, startServing, cleanupSocket, tls);
    }

    public ServerOptions withCleanupSocket(boolean cleanupSocket) {
        return new ServerOptions(backlog, reuseAddress, reusePort, acceptRetryDelay, fileMode, startServing, cleanupSocket, tls);
    }

    public ServerOptions withTls(TlsOptions tls) {
        return new ServerOptions(backlog, reuseAddress, reusePort, acceptRetryDelay, fileMode, startServing, cleanupSocket, tls);
    }
}

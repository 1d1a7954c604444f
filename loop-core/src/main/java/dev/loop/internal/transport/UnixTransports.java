package dev.loop.internal.transport;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.loop.capability.Capability;
import dev.loop.internal.engine.Loop;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.transport.Connection;
import dev.loop.transport.Protocol;
import dev.loop.transport.Server;
import dev.loop.transport.ServerOptions;
import dev.loop.transport.TlsOptions;
import dev.loop.transport.Transport;

/**
 * Unix stream socket servers (a stale socket file is replaced, any other file refused; the file gets the mode
 * asked for and is removed on close) and connections; abstract names too.
 */
record UnixTransports(Loop loop, StreamSockets sockets) {

    public CompletableFuture<Server> createUnixServer(Supplier<? extends Protocol> factory, Path path,
            ServerOptions options) {
        Objects.requireNonNull(factory, "protocolFactory");
        Objects.requireNonNull(path, "path");
        ServerOptions opts = options == null ? ServerOptions.DEFAULTS : options;
        return loop.onLoop(() -> {
            loop.capabilities().require(Capability.UNIX_SOCKETS, "createUnixServer(" + path + ")");
            loop.recordUse(Capability.UNIX_SOCKETS, "server");
            int fd = -1;
            try {
                boolean abstractName = path.toString().startsWith("\0");
                if (!abstractName) {
                    removeStaleSocket(path);
                }
                fd = Sockets.openStream(Linux.AF_UNIX);
                Sockets.bind(fd, UnixDomainSocketAddress.of(path));
                Object inode = null;
                if (!abstractName) {
                    if (opts.fileMode() != null) {
                        Files.setPosixFilePermissions(path, opts.fileMode());
                    }
                    inode = Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS);
                }
                return CompletableFuture.completedFuture(sockets.listen(factory, opts, List.of(fd), path, inode));
            } catch (IOException e) {
                LibC.close(fd);
                return CompletableFuture.failedFuture(e);
            }
        });
    }

    /**
     * Removes a socket file left by an earlier run (asyncio does); any other kind of file is left alone
     * and refused.
     */
    static void removeStaleSocket(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & Linux.S_IFMT) != Linux.S_IFSOCK) {
            throw new FileAlreadyExistsException(path.toString(), null,
                    "exists and is not a socket; a unix server only replaces a stale socket file");
        }
        Files.delete(path);
    }

    public <P extends Protocol> CompletableFuture<Connection<Transport, P>> createUnixConnection(Supplier<P> factory,
            Path path, TlsOptions tls) {
        Objects.requireNonNull(factory, "protocolFactory");
        Objects.requireNonNull(path, "path");
        return loop.onLoop(() -> {
            loop.capabilities().require(Capability.UNIX_SOCKETS, "createUnixConnection(" + path + ")");
            loop.recordUse(Capability.UNIX_SOCKETS, "connection");
            return sockets.startWhenConnected(sockets.connect(UnixDomainSocketAddress.of(path)), factory, false,
                    tls == null ? null : new StreamSockets.ClientTls(tls, null, -1));
        });
    }
}

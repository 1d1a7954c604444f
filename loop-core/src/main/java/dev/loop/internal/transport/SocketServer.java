package dev.loop.internal.transport;

import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.loop.EventLoop;
import dev.loop.NativeIOException;
import dev.loop.TimerHandle;
import dev.loop.capability.CapabilityNotSupportedException;
import dev.loop.internal.engine.Loop;
import dev.loop.internal.engine.LoopResources;
import dev.loop.internal.nativeio.Errno;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.Linux;
import dev.loop.transport.Listener;
import dev.loop.transport.Protocol;
import dev.loop.transport.Server;
import dev.loop.transport.ServerOptions;

/**
 * A {@link Server}: listening sockets accepting through the loop's {@link StreamIo}, up to
 * {@code backlog} connections per loop step (one per event starves bursts: bpo-27906). When the process
 * or system runs out of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM), the listener stays
 * readable, so accepting pauses for {@code acceptRetryDelay}, with one report to the exception
 * handler, instead of spinning.
 */
final class SocketServer implements Server {

    private final Loop loop;
    private final StreamIo io;
    private final Supplier<? extends Protocol> factory;
    private final ServerOptions options;
    private final int[] listeners;
    private final List<SocketAddress> addresses;
    private final Path unixPath;
    private final Object unixInode;
    private final Set<StreamTransport> connections = new LinkedHashSet<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final LoopResources.Resource resource = LoopResources.Resource.of(this, this::close, this::release,
            this::pauseServing, this::resumeServing, () -> true);
    /** Serving when the loop paused: serves again when it runs again. */
    private boolean pausedServing;
    private final boolean tcp;
    private volatile boolean serving; // read by isServing from any thread
    private boolean closing;
    private TimerHandle retry;
    /** The future of the running {@link #serveForever()}, completed when the server closes. */
    private CompletableFuture<Void> servedForever;

    SocketServer(Loop loop, StreamIo io, Supplier<? extends Protocol> factory, ServerOptions options, int[] listeners,
            Path unixPath, Object unixInode) {
        this.loop = loop;
        this.io = io;
        this.factory = factory;
        this.options = options;
        this.listeners = listeners.clone();
        this.unixPath = unixPath;
        this.unixInode = unixInode;
        List<SocketAddress> a = new ArrayList<>();
        for (int fd : listeners) {
            a.add(unixPath != null ? UnixDomainSocketAddress.of(unixPath) : Sockets.localAddress(fd));
        }
        this.addresses = List.copyOf(a);
        this.tcp = !(addresses.get(0) instanceof UnixDomainSocketAddress);
        loop.resources().add(LoopResources.Kind.SERVER, resource);
        for (int fd : listeners) {
            loop.resources().own(fd, LoopResources.Kind.SERVER, this);
        }
    }

    /** Starts accepting on every listener; loop thread. */
    void beginServing() {
        if (serving || closing) {
            return;
        }
        serving = true;
        for (int fd : listeners) {
            io.startAccepting(fd, options.backlog(), result -> acceptResult(fd, result));
        }
    }

    /** One accept's outcome: a descriptor, or -errno. Returns whether to go on accepting now. */
    private boolean acceptResult(int listener, int result) {
        if (result >= 0) {
            return connectionAccepted(result);
        }
        int errno = -result;
        if (errno == Errno.ECONNABORTED) {
            return true; // the peer gave up while queued: go on with the next one
        }
        if (errno == Errno.EMFILE || errno == Errno.ENFILE || errno == Errno.ENOBUFS || errno == Errno.ENOMEM) {
            pauseAccepting("socket.accept() out of system resource", new NativeIOException("accept", errno, null));
            return false;
        }
        loop.reportError("accept() failed on " + this, new NativeIOException("accept", errno, null), null, listener, null);
        return false;
    }

    /** Stops accepting for the retry delay ({@code why}: out of descriptors, or one it cannot watch). */
    private void pauseAccepting(String why, Exception cause) {
        // The pause and the retry first: a report that fails (nothing left to log with) must not leave the
        // server accepting into EMFILE, nor paused for good.
        stopServing();
        retry = loop.callLater(options.acceptRetryDelay(), () -> {
            retry = null;
            beginServing();
        });
        loop.reportError(why + "; accepting pauses for " + options.acceptRetryDelay().toMillis() + " ms (" + this + ")",
                cause, null, -1, null);
    }

    /** Returns whether to go on accepting now. */
    private boolean connectionAccepted(int fd) {
        StreamTransport transport;
        try {
            loop.requireWatchable(fd, "an accepted connection on descriptor " + fd); // before a protocol is made
            if (tcp) {
                Sockets.setOption(fd, Linux.IPPROTO_TCP, Linux.TCP_NODELAY, 1);
            }
            transport = new SocketTransport(loop, io, fd, factory.get());
        } catch (CapabilityNotSupportedException e) {
            // A descriptor the backend cannot watch (select: FD_SETSIZE and above): closed at once, so the
            // client is not left hanging; the next accepts would get no lower number, so back off.
            LibC.close(fd);
            pauseAccepting("an accepted connection was closed: its descriptor " + fd + " cannot be watched", e);
            return false;
        } catch (NativeIOException | RuntimeException | Error e) {
            LibC.close(fd);
            loop.reportError("Error creating a protocol or transport for an accepted connection on " + this, e, null,
                    fd, null);
            return true;
        }
        connections.add(transport);
        transport.attachTo(this);
        transport.start(null, null);
        return true;
    }

    void detach(StreamTransport transport) {
        connections.remove(transport);
        maybeClosed();
    }

    /** The loop pauses: stop accepting (connections wait in the backlog) until it runs again. */
    private void pauseServing() {
        pausedServing = serving || retry != null;
        if (retry != null) {
            retry.cancel();
            retry = null;
        }
        stopServing();
    }

    private void resumeServing() {
        if (pausedServing) {
            pausedServing = false;
            beginServing();
        }
    }

    private void stopServing() {
        if (!serving) {
            return;
        }
        serving = false;
        for (int fd : listeners) {
            io.stopAccepting(fd);
        }
    }

    // ---------------------------------------------------------------- Server

    @Override
    public List<SocketAddress> addresses() {
        return closing ? List.of() : addresses;
    }

    @Override
    public List<Listener> sockets() {
        if (closing) {
            return List.of();
        }
        List<Listener> all = new ArrayList<>(listeners.length);
        for (int i = 0; i < listeners.length; i++) {
            all.add(new Listener(listeners[i], addresses.get(i)));
        }
        return List.copyOf(all);
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public boolean isServing() {
        return serving;
    }

    @Override
    public void startServing() {
        loop.runOnLoop(this::beginServing);
    }

    @Override
    public CompletableFuture<Void> serveForever() {
        CompletableFuture<Void> served = loop.owe(new CompletableFuture<>());
        loop.runOnLoop(() -> {
            if (closing) {
                served.completeExceptionally(new IllegalStateException(this + " is closed"));
                return;
            }
            if (servedForever != null && !servedForever.isDone()) {
                served.completeExceptionally(new IllegalStateException(this + " is already served by serveForever()"));
                return;
            }
            servedForever = served;
            beginServing();
            served.whenComplete((v, e) -> close()); // given up (a cancel, orTimeout) closes the server, as asyncio's does
        });
        return served;
    }

    @Override
    public int connectionCount() {
        return connections.size();
    }

    @Override
    public void close() {
        loop.runOnLoop(() -> {
            if (closing) {
                return;
            }
            stopServing();
            release();
            maybeClosed();
        });
    }

    @Override
    public void closeClients() {
        loop.runOnLoop(() -> new ArrayList<>(connections).forEach(StreamTransport::close));
    }

    @Override
    public void abortClients() {
        loop.runOnLoop(() -> new ArrayList<>(connections).forEach(StreamTransport::abort));
    }

    @Override
    public CompletableFuture<Void> closed() {
        return closed;
    }

    private void maybeClosed() {
        if (closing && connections.isEmpty()) {
            closed.complete(null);
        }
    }

    /** Closes the listeners now (also what the loop's close does). */
    private void release() {
        if (closing) {
            return;
        }
        closing = true;
        boolean wasServing = serving;
        serving = false;
        if (retry != null) {
            retry.cancel();
            retry = null;
        }
        for (int fd : listeners) {
            if (wasServing) {
                io.stopAccepting(fd); // also when the loop is closing: an accept in flight is cancelled
            }
            loop.resources().disown(fd);
            LibC.close(fd);
        }
        if (unixPath != null && options.cleanupSocket()) {
            removeSocketFile();
        }
        loop.resources().remove(LoopResources.Kind.SERVER, resource);
        if (servedForever != null) {
            servedForever.complete(null);
        }
        if (loop.isClosed()) {
            closed.complete(null);
        }
    }

    /** Removes the socket file, if it is still the one this server created (asyncio 3.13). */
    private void removeSocketFile() {
        try {
            if (unixInode != null && unixInode.equals(Files.getAttribute(unixPath, "unix:ino",
                    java.nio.file.LinkOption.NOFOLLOW_LINKS))) {
                Files.deleteIfExists(unixPath);
            }
        } catch (java.io.IOException | UnsupportedOperationException e) {
            // Gone already, or replaced by another file: leave it alone.
        }
    }

    @Override
    public String toString() {
        return "Server" + addresses + (closing ? " (closed)" : serving ? "" : " (not serving)");
    }
}

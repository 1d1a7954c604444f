package dev.loop.internal.selector;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.loop.ExceptionContext;
import dev.loop.LoopOptions;
import dev.loop.capability.Capability;
import dev.loop.internal.engine.BaseEventLoop;
import dev.loop.internal.engine.CallbackHandle;
import dev.loop.internal.nativeio.Descriptors;
import dev.loop.internal.nativeio.Linux;
import dev.loop.internal.process.PosixSubprocess;
import dev.loop.process.ProcessOptions;
import dev.loop.process.SubprocessProtocol;
import dev.loop.process.SubprocessTransport;
import dev.loop.internal.signal.SignalHandlers;
import dev.loop.transport.Accepted;
import dev.loop.transport.Connection;
import dev.loop.transport.Protocol;
import dev.loop.internal.transport.LoopTransports;
import dev.loop.internal.transport.ReadinessStreamIo;
import dev.loop.internal.transport.StreamIo;
import dev.loop.transport.Server;
import dev.loop.transport.ServerOptions;
import dev.loop.transport.Transport;

/**
 * A loop with readiness callbacks ({@link #addReader}/{@link #addWriter}) and everything built above a
 * {@link StreamIo}: transports, servers, subprocesses and signals. The selector loop (whatever its poller)
 * moves stream bytes on readiness too; the proactor brings its own {@link StreamIo}.
 */
public abstract class ReadinessEventLoop extends BaseEventLoop {

    private final StreamIo streamIo;
    private final LoopTransports transports;

    /** A loop whose stream I/O is done on its readiness callbacks. */
    protected ReadinessEventLoop(LoopOptions options) {
        this(options, ReadinessStreamIo::new);
    }

    /** A loop whose stream I/O is {@code io}, made for this loop (it may keep the loop, nothing more). */
    protected ReadinessEventLoop(LoopOptions options, java.util.function.Function<ReadinessEventLoop, StreamIo> io) {
        super(options);
        this.streamIo = io.apply(this);
        this.transports = new LoopTransports(this, streamIo);
    }

    /** How this loop moves stream bytes. */
    protected final StreamIo streamIo() {
        return streamIo;
    }

    // ------------------------------------------------------------------ readers and writers, by descriptor

    /**
     * A descriptor's reader and writer. A backend that tracks more per descriptor (polls in flight)
     * extends it and makes its own in {@link #newRegistration()}.
     */
    protected static class Registration {
        private CallbackHandle reader;
        private CallbackHandle writer;
        /** The file registered, to tell it from a later one with the same number. */
        private Descriptors.FileStat file;

        /** The reader ({@code write == false}) or the writer, or null. */
        public final CallbackHandle handle(boolean write) {
            return write ? writer : reader;
        }

        /** Whether a reader ({@code write == false}) or a writer is registered. */
        public final boolean watches(boolean write) {
            return handle(write) != null;
        }
    }

    private Registration[] registrations = new Registration[256];
    private int readers;
    private int writers;

    /** How many descriptors the backend can watch (FD_SETSIZE for select). */
    protected abstract long descriptorLimit();

    /** A new, empty registration of this backend's kind. */
    protected Registration newRegistration() {
        return new Registration();
    }

    /**
     * The backend starts watching {@code fd} for reading or writing, which it did not watch; {@code reg}
     * still shows the callbacks registered before. If it throws, nothing is registered. With
     * {@code resolveNow} (an application's registration, which it may close before the loop's next wait),
     * the backend binds the registration to the file {@code fd} names now, not at its next wait.
     */
    protected abstract void startWatching(int fd, Registration reg, boolean write, boolean resolveNow);

    /** The backend stops watching {@code fd} for reading or writing; {@code reg} shows what is left. */
    protected abstract void stopWatching(int fd, Registration reg, boolean write);

    /** The registration of {@code fd}, or null when it has no reader and no writer. */
    protected final Registration registration(int fd) {
        return fd >= 0 && fd < registrations.length ? registrations[fd] : null;
    }

    /**
     * Registers {@code callback} for readability or writability of {@code fd}, replacing an earlier one;
     * returns whether it is new (not a replacement). An application's registration ({@code checkFile})
     * first checks that a descriptor already registered is still the same file: one closed without its
     * reader or writer removed, whose number was then reused, is reported and forgotten (epoll forgets it
     * silently, and a poll in flight keeps the old file), so the new registration watches the new file.
     * The loop's own transports never close a descriptor behind its back, and skip the check.
     * <em>Loop thread.</em>
     */
    private boolean register(int fd, Runnable callback, boolean write, String method, boolean checkFile) {
        Objects.requireNonNull(callback, "callback");
        checkOpen();
        checkThread(method);
        if (fd < 0) {
            throw new IllegalArgumentException("Invalid file descriptor: " + fd);
        }
        Registration reg = registration(fd);
        if (reg != null && checkFile && !reg.file.sameFile(Descriptors.stat(fd))) {
            forgetClosed(fd, reg);
            reg = null;
        }
        boolean fresh = reg == null;
        if (fresh) {
            Descriptors.FileStat file = checkNewDescriptor(fd, method, descriptorLimit());
            reg = newRegistration();
            reg.file = file;
        }
        CallbackHandle old = reg.handle(write);
        if (old == null) {
            startWatching(fd, reg, write, checkFile);
        }
        if (fresh) {
            if (fd >= registrations.length) {
                registrations = Arrays.copyOf(registrations, Math.max(fd + 1, registrations.length * 2));
            }
            registrations[fd] = reg;
        }
        CallbackHandle handle = CallbackHandle.of(callback, isDebug() ? new Throwable("registered at") : null);
        if (write) {
            reg.writer = handle;
        } else {
            reg.reader = handle;
        }
        if (old != null) {
            old.cancel();
        } else if (write) {
            writers++;
        } else {
            readers++;
        }
        if (fd >= Linux.FD_SETSIZE) {
            recordUse(Capability.DESCRIPTORS_ABOVE_FD_SETSIZE, "descriptor");
        }
        return old == null;
    }

    /**
     * The file registered at {@code fd} was closed behind the loop's back and the number now names
     * another (or nothing): the backend stops watching the old one, and the loss is reported.
     */
    private void forgetClosed(int fd, Registration reg) {
        for (boolean write : new boolean[] {true, false}) {
            if (reg.watches(write)) {
                unregister(fd, write);
            }
        }
        reportClosed(fd, "was closed while registered and its number reused");
    }

    /** Removes the callback; returns whether there was one. */
    private boolean unregister(int fd, boolean write, String method) {
        if (isClosed()) {
            return false;
        }
        checkThread(method);
        Registration reg = registration(fd);
        if (reg == null || !reg.watches(write)) {
            return false;
        }
        unregister(fd, write);
        return true;
    }

    private void unregister(int fd, boolean write) {
        Registration reg = registrations[fd];
        reg.handle(write).cancel();
        if (write) {
            reg.writer = null;
            writers--;
        } else {
            reg.reader = null;
            readers--;
        }
        if (reg.reader == null && reg.writer == null) {
            registrations[fd] = null;
        }
        stopWatching(fd, reg, write);
    }

    /**
     * {@code fd} failed in the backend (closed while registered): its reader and writer are cancelled and
     * forgotten, and the exception handler is told {@code "Descriptor <fd> " + what}. Returns the
     * registration, emptied, or null when there was none.
     */
    protected final Registration dropRegistration(int fd, String what) {
        Registration reg = registration(fd);
        if (reg == null) {
            return null;
        }
        registrations[fd] = null;
        if (reg.reader != null) {
            reg.reader.cancel();
            reg.reader = null;
            readers--;
        }
        if (reg.writer != null) {
            reg.writer.cancel();
            reg.writer = null;
            writers--;
        }
        reportClosed(fd, what);
        return reg;
    }

    private void reportClosed(int fd, String what) {
        reportError("Descriptor " + fd + " " + what + "; its reader and writer were removed. Remove readers and "
                + "writers before closing a descriptor.", null, null, fd, null);
    }

    /** Forgets every reader and writer (the loop closes). */
    protected final void clearRegistrations() {
        Arrays.fill(registrations, null);
        readers = 0;
        writers = 0;
    }

    @Override
    protected final int readerCount() {
        return readers;
    }

    @Override
    protected final int writerCount() {
        return writers;
    }

    // ------------------------------------------------------------------ readiness API

    @Override
    public final void addReader(int fd, Runnable callback) {
        if (register(fd, callback, false, "addReader", true)) {
            recordUse(Capability.READINESS_CALLBACKS, "reader");
        }
    }

    @Override
    public final void addWriter(int fd, Runnable callback) {
        if (register(fd, callback, true, "addWriter", true)) {
            recordUse(Capability.READINESS_CALLBACKS, "writer");
        }
    }

    @Override
    public final boolean removeReader(int fd) {
        return unregister(fd, false, "removeReader");
    }

    @Override
    public final boolean removeWriter(int fd) {
        return unregister(fd, true, "removeWriter");
    }

    // The loop's own transports, servers and processes: not counted as the application's use.

    @Override
    public final void watchRead(int fd, Runnable callback) {
        register(fd, callback, false, "watchRead", false);
    }

    @Override
    public final boolean unwatchRead(int fd) {
        return unregister(fd, false, "unwatchRead");
    }

    @Override
    public final void watchWrite(int fd, Runnable callback) {
        register(fd, callback, true, "watchWrite", false);
    }

    @Override
    public final boolean unwatchWrite(int fd) {
        return unregister(fd, true, "unwatchWrite");
    }

    // ------------------------------------------------------------------ transports, processes, signals

    @Override
    public CompletableFuture<Server> createServer(Supplier<? extends Protocol> protocolFactory, String host, int port,
            ServerOptions options) {
        return transports.createServer(protocolFactory, host, port, options);
    }

    @Override
    public <P extends Protocol> CompletableFuture<Connection<Transport, P>> createConnection(Supplier<P> protocolFactory,
            String host, int port) {
        return transports.createConnection(protocolFactory, host, port);
    }

    @Override
    public CompletableFuture<Server> createUnixServer(Supplier<? extends Protocol> protocolFactory, Path path,
            ServerOptions options) {
        return transports.createUnixServer(protocolFactory, path, options);
    }

    @Override
    public <P extends Protocol> CompletableFuture<Connection<Transport, P>> createUnixConnection(
            Supplier<P> protocolFactory, Path path) {
        return transports.createUnixConnection(protocolFactory, path);
    }

    @Override
    public <P extends Protocol> CompletableFuture<Connection<Transport, P>> connectReadPipe(Supplier<P> protocolFactory,
            int fd) {
        return transports.connectReadPipe(protocolFactory, fd);
    }

    @Override
    public <P extends Protocol> CompletableFuture<Connection<Transport, P>> connectWritePipe(Supplier<P> protocolFactory,
            int fd) {
        return transports.connectWritePipe(protocolFactory, fd);
    }

    @Override
    public CompletableFuture<Accepted> sockAccept(int fd) {
        return transports.sockAccept(fd);
    }

    @Override
    public CompletableFuture<Void> sockConnect(int fd, SocketAddress address) {
        return transports.sockConnect(fd, address);
    }

    @Override
    public CompletableFuture<ByteBuffer> sockRecv(int fd, int maxBytes) {
        return transports.sockRecv(fd, maxBytes);
    }

    @Override
    public CompletableFuture<Integer> sockRecvInto(int fd, ByteBuffer buffer) {
        return transports.sockRecvInto(fd, buffer);
    }

    @Override
    public CompletableFuture<Void> sockSendAll(int fd, ByteBuffer data) {
        return transports.sockSendAll(fd, data);
    }

    @Override
    public <P extends SubprocessProtocol> CompletableFuture<Connection<SubprocessTransport, P>> subprocessExec(
            Supplier<P> protocolFactory, List<String> argv, ProcessOptions options) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        ProcessOptions opts = options == null ? ProcessOptions.DEFAULTS : options;
        List<String> args = List.copyOf(argv);
        checkOpen();
        capabilities().require(Capability.SUBPROCESSES, "subprocessExec(" + (args.isEmpty() ? "" : args.get(0)) + ")");
        recordUse(Capability.SUBPROCESSES, "subprocess");
        return onLoop(() -> {
            try {
                return PosixSubprocess.start(this, streamIo, protocolFactory, args, opts);
            } catch (java.io.IOException e) {
                return CompletableFuture.failedFuture(e);
            }
        });
    }

    @Override
    public <P extends SubprocessProtocol> CompletableFuture<Connection<SubprocessTransport, P>> subprocessShell(
            Supplier<P> protocolFactory, String command, ProcessOptions options) {
        Objects.requireNonNull(command, "command");
        return subprocessExec(protocolFactory, List.of("/bin/sh", "-c", command), options);
    }

    @Override
    public void addSignalHandler(String signal, Runnable callback, boolean chainJvmHandler) {
        SignalHandlers.add(this, signal, callback, chainJvmHandler);
    }

    @Override
    public boolean removeSignalHandler(String signal) {
        return SignalHandlers.remove(this, signal);
    }
}

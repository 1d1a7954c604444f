package dev.loop;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import dev.loop.capability.Capabilities;
import dev.loop.process.ProcessOptions;
import dev.loop.process.SubprocessProtocol;
import dev.loop.process.SubprocessTransport;
import dev.loop.transport.Accepted;
import dev.loop.transport.Connection;
import dev.loop.transport.Datagram;
import dev.loop.transport.DatagramOptions;
import dev.loop.transport.DatagramProtocol;
import dev.loop.transport.DatagramTransport;
import dev.loop.transport.Protocol;
import dev.loop.transport.ReceivedFrom;
import dev.loop.transport.Server;
import dev.loop.transport.ServerOptions;
import dev.loop.transport.Transport;

/**
 * An event loop in the manner of Python's asyncio: one thread runs callbacks, timers and I/O
 * readiness callbacks, one step at a time.
 *
 * <p>A step: wait in the backend (no longer than the earliest timer, not at all if callbacks are
 * ready); queue the callbacks of ready descriptors and of due timers; run exactly the callbacks that
 * were ready when the step began (callbacks scheduled during the step run in the next one).
 *
 * <p><b>Threads.</b> Methods marked <em>loop thread</em> may be called from any thread while the
 * loop is not running, and only from the loop thread while it runs: from another thread they throw
 * {@link NotInLoopThreadException}. Use {@link #callSoonThreadsafe(Runnable)} or
 * {@link #execute(Runnable)} to hand work to the loop. The other methods are thread-safe.
 *
 * <p><b>Errors.</b> A callback that throws goes to the {@link ExceptionHandler}; the loop keeps
 * running. Operations this backend cannot do on this platform throw
 * {@link dev.loop.capability.CapabilityNotSupportedException} before any native call; on a closed
 * loop they throw {@link LoopClosedException}; bad arguments (a negative or closed descriptor) throw
 * {@link IllegalArgumentException}. A future the loop was to complete (a {@code sock*} operation, a
 * connection, {@link #submit}, {@link #runInExecutor}) fails with {@link LoopClosedException} when the loop
 * closes first: it never stays pending on a closed loop.
 */
public interface EventLoop extends Executor, AutoCloseable {

    /** The loop's name (from {@link LoopOptions#name()}). */
    String name();

    // ---------------------------------------------------------------- lifecycle

    /** Starts the loop on a new thread of its own, named after the options; returns at once. */
    void start();

    /**
     * Runs the loop on the calling thread until {@link #stop()}. Callbacks already queued when stop is
     * called still run in the current step. If stop was called before, runs one step and returns.
     *
     * @throws IllegalStateException if the loop is already running
     * @throws LoopClosedException   if the loop is closed
     */
    void runForever();

    /**
     * Runs the loop on the calling thread until {@code future} completes, and returns its result.
     *
     * @throws IllegalStateException if the loop stopped before the future completed
     * @throws java.util.concurrent.CompletionException if the future completed exceptionally
     */
    <T> T runUntilComplete(CompletableFuture<T> future);

    /** Asks the loop to stop after the current step. Thread-safe; wakes a waiting loop. */
    void stop();

    /**
     * Stops the loop if it runs (waiting for the current step to end when called from another
     * thread), drops pending callbacks and timers, removes every reader and writer and releases every
     * descriptor the loop owns. Idempotent.
     *
     * @throws IllegalStateException if called from a callback of this loop
     */
    @Override
    void close();

    boolean isRunning();

    boolean isClosed();

    /**
     * Why the loop thread ended abnormally, or {@code null}. A callback or exception handler that throws
     * never ends the loop; only a failure of the loop itself does (the backend's wait failing, say). The
     * loop is then closed: everything it owned is released, and new work is refused.
     */
    Throwable failure();

    /** Whether the calling thread is the thread running this loop. */
    boolean inLoopThread();

    // ---------------------------------------------------------------- scheduling

    /** The loop's clock: monotonic nanoseconds ({@link System#nanoTime()}). */
    long time();

    /** Schedules {@code callback} to run in the next step, in FIFO order. <em>Loop thread.</em> */
    Handle callSoon(Runnable callback);

    /**
     * Schedules {@code callback} from any thread; wakes the loop if it waits (one write, only when
     * it is parked). From the loop thread it is the same as {@link #callSoon(Runnable)}.
     */
    Handle callSoonThreadsafe(Runnable callback);

    /**
     * Schedules {@code callback} after {@code delay} (zero or negative: as soon as possible, ordered by
     * due time). Timers with equal due times run in the order they were scheduled. A timer never runs
     * before its due time. <em>Loop thread.</em>
     */
    TimerHandle callLater(Duration delay, Runnable callback);

    /** Schedules {@code callback} at {@code whenNanos} on the {@link #time()} clock. <em>Loop thread.</em> */
    TimerHandle callAt(long whenNanos, Runnable callback);

    /** Same as {@link #callSoonThreadsafe(Runnable)}, but a closed loop throws {@link java.util.concurrent.RejectedExecutionException}. */
    @Override
    void execute(Runnable command);

    /**
     * Runs {@code task} on the loop thread in a coming step, from any thread, and returns a future completed
     * there with its result or exception: how code on another thread (a web request, say) reads or changes
     * what belongs to the loop. A future cancelled before the task ran keeps it from running. Never runs the
     * task in the caller, even on the loop thread.
     *
     * @throws LoopClosedException when the loop is closed
     */
    <T> CompletableFuture<T> submit(Callable<T> task);

    // ---------------------------------------------------------------- readiness

    /**
     * Calls {@code callback} on every step while {@code fd} is readable (level-triggered). Adding again
     * replaces the callback. Any pollable descriptor: pipes, sockets, eventfd, inotify, ttys, ...; a
     * regular file or directory is refused ({@code FILE_IO_MONITORING}). <em>Loop thread.</em>
     *
     * @throws IllegalArgumentException if {@code fd} is negative or not an open descriptor
     */
    void addReader(int fd, Runnable callback);

    /** Removes the reader of {@code fd}; returns whether one was registered. <em>Loop thread.</em> */
    boolean removeReader(int fd);

    /** Like {@link #addReader(int, Runnable)}, for writability. <em>Loop thread.</em> */
    void addWriter(int fd, Runnable callback);

    /** Removes the writer of {@code fd}; returns whether one was registered. <em>Loop thread.</em> */
    boolean removeWriter(int fd);

    // ---------------------------------------------------------------- servers and connections
    //
    // These may be called from any thread. Futures complete on the loop thread once the protocol's
    // connectionMade ran (or at once when the result is known without waiting). Kernel errors fail the
    // future with a NativeIOException naming the call, the errno and the address.

    /**
     * A TCP server on every address of {@code host} ({@code null} or empty: every interface, IPv4 and
     * IPv6) and {@code port} (0: one free port, the same for every address). Host names are resolved
     * off the loop thread.
     */
    CompletableFuture<Server> createServer(Supplier<? extends Protocol> protocolFactory, String host, int port,
            ServerOptions options);

    default CompletableFuture<Server> createServer(Supplier<? extends Protocol> protocolFactory, String host, int port) {
        return createServer(protocolFactory, host, port, ServerOptions.DEFAULTS);
    }

    /**
     * A TCP connection to {@code host}:{@code port}, trying each address of the host in turn (resolved off
     * the loop thread); TCP_NODELAY is set.
     */
    default <P extends Protocol> CompletableFuture<Connection<Transport, P>> createConnection(
            Supplier<P> protocolFactory, String host, int port) {
        return createConnection(protocolFactory, host, port, null);
    }

    /**
     * {@link #createConnection(Supplier, String, int)} from {@code localAddress} (asyncio's {@code local_addr}):
     * each socket is bound to the local address of the remote address's family before it connects (a host name
     * is resolved off the loop thread; port 0: any). {@code null}: no bind.
     */
    default <P extends Protocol> CompletableFuture<Connection<Transport, P>> createConnection(
            Supplier<P> protocolFactory, String host, int port, InetSocketAddress localAddress) {
        return createConnection(protocolFactory, host, port, localAddress, null);
    }

    /**
     * {@link #createConnection(Supplier, String, int, InetSocketAddress)} over TLS when {@code tls} is given
     * (asyncio's {@code ssl=}): the future completes once the handshake is done and the protocol's
     * {@code connectionMade} ran, with a transport that encrypts; a failed handshake (an untrusted certificate, a
     * name that does not match, the handshake timeout) fails it with the {@link javax.net.ssl.SSLException} and
     * closes the socket. {@code null}: plain TCP.
     */
    <P extends Protocol> CompletableFuture<Connection<Transport, P>> createConnection(Supplier<P> protocolFactory,
            String host, int port, InetSocketAddress localAddress, dev.loop.transport.TlsOptions tls);

    /**
     * asyncio's {@code start_tls}: upgrades {@code transport}, a stream transport of this loop, to TLS
     * ({@code serverSide}: as the server of the handshake). {@code protocol} gets the new transport's
     * {@code connectionMade} once the handshake is done; the old transport must not be used any more. The future
     * fails with the handshake's error, the connection aborted.
     */
    CompletableFuture<Transport> startTls(Transport transport, Protocol protocol, dev.loop.transport.TlsOptions tls,
            boolean serverSide);

    /**
     * A connection on {@code fd}, a connected stream socket (TCP or unix) the application already has: asyncio's
     * {@code create_connection(sock=...)}. The transport owns the socket from now on (made non-blocking;
     * TCP_NODELAY for TCP). Anything but a TCP or unix stream socket is an {@link IllegalArgumentException};
     * a descriptor a transport or server already owns, an {@link IllegalStateException}.
     */
    <P extends Protocol> CompletableFuture<Connection<Transport, P>> createConnectionOnSocket(
            Supplier<P> protocolFactory, int fd);

    /**
     * A connection on {@code fd}, a socket accepted outside the loop (asyncio's {@code connect_accepted_socket}),
     * as {@link #createConnectionOnSocket}.
     */
    <P extends Protocol> CompletableFuture<Connection<Transport, P>> connectAcceptedSocket(Supplier<P> protocolFactory,
            int fd);

    /**
     * A server on {@code fd}, a bound TCP or unix stream socket the application already has: asyncio's
     * {@code create_server(sock=...)}. The server listens on it with {@code options}' backlog (the socket
     * options it was bound with are the application's) and owns it from now on; closing it removes no file.
     */
    CompletableFuture<Server> createServerOnSocket(Supplier<? extends Protocol> protocolFactory, int fd,
            ServerOptions options);

    /**
     * A unix stream socket server at {@code path} (a leading NUL: an abstract name). A stale socket file
     * at {@code path} is replaced; any other file is refused ({@link java.nio.file.FileAlreadyExistsException}).
     * The file is removed when the server closes.
     */
    CompletableFuture<Server> createUnixServer(Supplier<? extends Protocol> protocolFactory, Path path,
            ServerOptions options);

    default CompletableFuture<Server> createUnixServer(Supplier<? extends Protocol> protocolFactory, Path path) {
        return createUnixServer(protocolFactory, path, ServerOptions.DEFAULTS);
    }

    default <P extends Protocol> CompletableFuture<Connection<Transport, P>> createUnixConnection(
            Supplier<P> protocolFactory, Path path) {
        return createUnixConnection(protocolFactory, path, null);
    }

    /** A unix socket connection over TLS when {@code tls} is given (its {@code serverName} names the server). */
    <P extends Protocol> CompletableFuture<Connection<Transport, P>> createUnixConnection(Supplier<P> protocolFactory,
            Path path, dev.loop.transport.TlsOptions tls);

    /**
     * A read transport on {@code fd}: a pipe, FIFO, socket, tty or pty, which the transport owns from now
     * on (made non-blocking). A regular file is refused ({@code FILE_IO_MONITORING}).
     */
    <P extends Protocol> CompletableFuture<Connection<Transport, P>> connectReadPipe(Supplier<P> protocolFactory,
            int fd);

    /** A write transport on {@code fd}, as {@link #connectReadPipe}; it notices the reader going away. */
    <P extends Protocol> CompletableFuture<Connection<Transport, P>> connectWritePipe(Supplier<P> protocolFactory,
            int fd);

    /**
     * Sends {@code count} bytes of {@code file} from {@code offset} (count 0: up to the end of the file) through
     * {@code transport}, a socket or write-pipe transport of this loop (asyncio's {@code loop.sendfile}); completes
     * with the count sent. What was written before goes first; meanwhile the transport does not read and refuses
     * writes. Uses the kernel's sendfile(2) where {@link dev.loop.capability.Capability#ZERO_COPY_SENDFILE} is
     * supported (no byte passes through the JVM), else, and where the kernel refuses this pair of files, reads the
     * file and sends it.
     */
    CompletableFuture<Long> sendfile(Transport transport, Path file, long offset, long count);

    // ---------------------------------------------------------------- datagrams

    /**
     * A datagram endpoint (asyncio's {@code create_datagram_endpoint}): a UDP socket for
     * {@link java.net.InetSocketAddress}es (IPv4 or IPv6, by the addresses' family) or a unix datagram socket for
     * {@link java.net.UnixDomainSocketAddress}es, bound to {@code localAddress} and connected to {@code remoteAddress}
     * where given (at least one of them; host names are resolved off the loop thread, IPv4 first). A unix socket
     * file left by an earlier run is replaced, and the file is removed when the endpoint closes. Requires
     * {@link dev.loop.capability.Capability#DATAGRAMS} (and {@code UNIX_SOCKETS} for unix ones).
     */
    <P extends DatagramProtocol> CompletableFuture<Connection<DatagramTransport, P>> createDatagramEndpoint(
            Supplier<P> protocolFactory, SocketAddress localAddress, SocketAddress remoteAddress,
            DatagramOptions options);

    default <P extends DatagramProtocol> CompletableFuture<Connection<DatagramTransport, P>> createDatagramEndpoint(
            Supplier<P> protocolFactory, SocketAddress localAddress, SocketAddress remoteAddress) {
        return createDatagramEndpoint(protocolFactory, localAddress, remoteAddress, DatagramOptions.DEFAULTS);
    }

    /**
     * An endpoint on {@code fd}, a UDP or unix datagram socket the application already has (asyncio's
     * {@code sock=}), bound and connected as it is. The endpoint owns it from now on (made non-blocking). Anything
     * but a datagram socket is an {@link IllegalArgumentException}; a descriptor a transport already owns, an
     * {@link IllegalStateException}.
     */
    <P extends DatagramProtocol> CompletableFuture<Connection<DatagramTransport, P>> createDatagramEndpointOnSocket(
            Supplier<P> protocolFactory, int fd);

    /** Sends {@code data} as one datagram from the non-blocking socket {@code fd} to {@code address} ({@code null}: its peer); the count sent. */
    CompletableFuture<Integer> sockSendto(int fd, ByteBuffer data, SocketAddress address);

    /** Receives one datagram of up to {@code maxBytes} on {@code fd}, with its sender. */
    CompletableFuture<Datagram> sockRecvfrom(int fd, int maxBytes);

    /** Receives one datagram into {@code buffer} (its position advances): the count and the sender. */
    CompletableFuture<ReceivedFrom> sockRecvfromInto(int fd, ByteBuffer buffer);

    // ---------------------------------------------------------------- low-level socket futures

    /** Accepts one connection on the listening, non-blocking socket {@code fd}. */
    CompletableFuture<Accepted> sockAccept(int fd);

    /** Connects the non-blocking socket {@code fd} (an unresolved host name is resolved first). */
    CompletableFuture<Void> sockConnect(int fd, SocketAddress address);

    /** Receives up to {@code maxBytes} from {@code fd}; an empty buffer means EOF. */
    CompletableFuture<ByteBuffer> sockRecv(int fd, int maxBytes);

    /** Receives into {@code buffer} (its position advances); the count, 0 at EOF. */
    CompletableFuture<Integer> sockRecvInto(int fd, ByteBuffer buffer);

    /** Sends every remaining byte of {@code data} (copied at the call). */
    CompletableFuture<Void> sockSendAll(int fd, ByteBuffer data);

    /**
     * Sends {@code count} bytes of {@code file} from {@code offset} (0: up to the end) to the connected,
     * non-blocking socket {@code fd} (asyncio's {@code sock_sendfile}), as {@link #sendfile}; completes with the
     * count sent. Cancelling stops it; what was sent before stays sent.
     */
    CompletableFuture<Long> sockSendfile(int fd, Path file, long offset, long count);

    // ---------------------------------------------------------------- subprocesses

    /**
     * Starts {@code argv} (looked up on PATH) with {@code posix_spawn}: the child gets its three standard
     * streams as the options say and no other descriptor. Its exit is noticed on the loop (a pidfd, or a
     * waiting thread where pidfds are missing) and it is always reaped.
     */
    <P extends SubprocessProtocol> CompletableFuture<Connection<SubprocessTransport, P>> subprocessExec(
            Supplier<P> protocolFactory, List<String> argv, ProcessOptions options);

    /** {@link #subprocessExec} of {@code /bin/sh -c command}. */
    <P extends SubprocessProtocol> CompletableFuture<Connection<SubprocessTransport, P>> subprocessShell(
            Supplier<P> protocolFactory, String command, ProcessOptions options);

    // ---------------------------------------------------------------- signals

    /**
     * Runs {@code callback} on the loop thread when the process receives {@code signal} ("USR1" or
     * "SIGUSR1"). Deliveries may coalesce. Adding again replaces the callback. One loop per signal in
     * the process. For INT, TERM and HUP the JVM's own handler (its shutdown) still runs after the
     * callback is queued: use {@link #addSignalHandler(String, Runnable, boolean)} to take over instead.
     *
     * @throws IllegalArgumentException for an unknown signal, or one the JVM reserves (QUIT, USR2, CHLD,
     *                                  KILL, STOP, SEGV, FPE, ILL, BUS), with the reason
     * @throws IllegalStateException    if another loop handles this signal
     */
    default void addSignalHandler(String signal, Runnable callback) {
        addSignalHandler(signal, callback, true);
    }

    /**
     * As {@link #addSignalHandler(String, Runnable)}; {@code chainJvmHandler false} replaces the JVM's
     * handler of INT, TERM or HUP, so the signal no longer shuts the JVM down.
     */
    void addSignalHandler(String signal, Runnable callback, boolean chainJvmHandler);

    /** Removes the handler and restores the previous one; returns whether there was one. */
    boolean removeSignalHandler(String signal);

    // ---------------------------------------------------------------- executors

    /**
     * Runs {@code task} on {@code executor} ({@code null}: the loop's default executor, shut down with the
     * loop) and completes the future on the loop thread. Cancelling the future does not interrupt a task
     * that started; after the loop closed nothing is posted back.
     */
    <T> CompletableFuture<T> runInExecutor(Executor executor, Callable<T> task);

    /**
     * Makes {@code executor} the default one of {@link #runInExecutor} (asyncio's {@code set_default_executor}).
     * The loop shuts it down in {@link #shutdownDefaultExecutor} and when it closes; the executor it replaces is
     * not shut down.
     *
     * @throws IllegalStateException once {@link #shutdownDefaultExecutor} was called
     */
    void setDefaultExecutor(java.util.concurrent.ExecutorService executor);

    /**
     * Shuts the default executor down and waits, off the loop thread, up to {@code timeout} for its tasks to
     * finish (asyncio's {@code shutdown_default_executor}); the future completes on the loop thread. Tasks still
     * running at the timeout are logged as a warning and left to finish. From then on {@code runInExecutor(null, ...)}
     * and the host names resolved for servers and connections are refused with {@link IllegalStateException}.
     */
    CompletableFuture<Void> shutdownDefaultExecutor(Duration timeout);

    /**
     * The addresses of {@code host} with {@code port} (asyncio's {@code getaddrinfo}), resolved in the default
     * executor and completed on the loop thread; a literal address needs no lookup.
     */
    CompletableFuture<java.util.List<InetSocketAddress>> getAddrInfo(String host, int port);

    /**
     * The host name of {@code address} by reverse lookup (asyncio's {@code getnameinfo}), in the default
     * executor; the literal address when it has no name.
     */
    CompletableFuture<String> getNameInfo(java.net.InetAddress address);

    // ---------------------------------------------------------------- errors and debug

    /** Sets the exception handler; {@code null} restores the default (logs through {@link System.Logger}). */
    void setExceptionHandler(ExceptionHandler handler);

    ExceptionHandler getExceptionHandler();

    /** Sends {@code context} to the exception handler, as the loop does for a callback that throws. */
    void callExceptionHandler(ExceptionContext context);

    boolean isDebug();

    /** Turns debug mode on or off (creation stacks of new handles, slow-callback warnings). */
    void setDebug(boolean debug);

    /** The slow-callback threshold. */
    Duration slowCallbackThreshold();

    // ---------------------------------------------------------------- introspection

    Backend backend();

    /** The poller of a selector loop ({@code null} for a proactor). */
    PollerKind poller();

    /** What this loop can do here, with limits, reasons and alternatives. */
    Capabilities capabilities();

    /**
     * Which capabilities the application has used through this loop, and by what ({@code "server"},
     * {@code "connection"}, {@code "reader"}, {@code "subprocess"}, ...) with counts since creation.
     * The loop's own use of readiness for its transports is not counted. Thread-safe.
     */
    java.util.Map<dev.loop.capability.Capability, java.util.Map<String, Long>> capabilityUsage();

    /**
     * Starts an orderly shutdown: servers stop accepting, signal handlers are removed, transports flush
     * and close, children get SIGTERM. The future completes once all of them are gone, or at the
     * timeout, and the loop is then stopped; call {@link #close()} next (from another thread) to release
     * whatever is left (children still running are killed and reaped). Thread-safe.
     */
    CompletableFuture<Void> shutdownGracefully(Duration timeout);

    /**
     * Stops the loop gracefully without closing anything (a Spring context that is stopped or paused): servers
     * stop accepting (new connections wait in their backlog) and transports write what they buffered, up to
     * {@code timeout}; then the loop stops. Connections, children, signal handlers and timers stay; the next
     * {@link #start()} or {@link #runForever()} goes on where it stopped, and the paused servers accept again.
     * The future completes once the loop is no longer running. Thread-safe.
     */
    CompletableFuture<Void> pauseGracefully(Duration timeout);

    /**
     * The loop delay now: the last delay sample, or the age of a sample still waiting for the loop
     * (which grows while a callback blocks the loop). 0 when delay sampling is off. Thread-safe.
     */
    long recentDelayNanos();

    /** Sets (or with {@code null} removes) the listener of delay samples and timer lateness. Thread-safe. */
    void setMetricsListener(LoopMetricsListener listener);

    /** A snapshot of the loop's counters; thread-safe. */
    LoopStatsSnapshot stats();

    /** The thread running the loop, or {@code null} if it is not running. */
    Thread thread();
}

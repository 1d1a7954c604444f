package dev.loop.stream;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

import dev.loop.EventLoop;
import dev.loop.internal.engine.Futures;
import dev.loop.internal.engine.Loop;
import dev.loop.process.ProcessOptions;
import dev.loop.process.SubprocessTransport;
import dev.loop.transport.Connection;
import dev.loop.transport.Server;
import dev.loop.transport.Transport;

/**
 * asyncio's high-level streams over the loop's transports: {@code openConnection} and {@code startServer}, for
 * TCP and unix sockets, on every backend. The futures complete on the loop thread; readers and writers may be
 * used from any thread.
 *
 * <pre>{@code
 * Streams.startServer(loop, (reader, writer) -> echoLines(reader, writer), "127.0.0.1", 7000);
 * StreamConnection c = Streams.openConnection(loop, "127.0.0.1", 7000).join();
 * c.writer().write("hello\n");
 * String line = c.reader().readLineText().join();   // on a virtual thread: blocks only that thread
 * }</pre>
 */
public final class Streams {

    private Streams() {
    }

    /** The loop's engine, whose hand-over to the loop thread the streams use; every loop EventLoops makes is one. */
    static Loop engine(EventLoop loop) {
        if (loop instanceof Loop engine) {
            return engine;
        }
        throw new IllegalArgumentException("streams run on loops made by EventLoops, not on " + loop.getClass());
    }

    /**
     * The streams of a connection being made: cancelling (or timing out) the future cancels the connect, and a
     * connection made after the caller gave up is closed.
     */
    private static CompletableFuture<StreamConnection> connection(
            CompletableFuture<Connection<Transport, StreamProtocol>> connecting) {
        return Futures.mapOwned(connecting, c -> c.protocol().connection());
    }

    /** The streams of a child being started: one started after the caller gave up is closed (killed if running). */
    private static CompletableFuture<StreamProcess> process(
            CompletableFuture<Connection<SubprocessTransport, SubprocessStreamProtocol>> starting) {
        return Futures.mapOwned(starting, c -> c.protocol().process());
    }

    public static CompletableFuture<StreamConnection> openConnection(EventLoop loop, String host, int port) {
        return openConnection(loop, host, port, StreamReader.DEFAULT_LIMIT);
    }

    /** @param limit the reader's limit ({@link StreamReader#DEFAULT_LIMIT}: 64 KiB) */
    public static CompletableFuture<StreamConnection> openConnection(EventLoop loop, String host, int port, int limit) {
        return connection(loop.createConnection(() -> new StreamProtocol(loop, limit, null), host, port));
    }

    public static CompletableFuture<StreamConnection> openUnixConnection(EventLoop loop, Path path) {
        return openUnixConnection(loop, path, StreamReader.DEFAULT_LIMIT);
    }

    public static CompletableFuture<StreamConnection> openUnixConnection(EventLoop loop, Path path, int limit) {
        return connection(loop.createUnixConnection(() -> new StreamProtocol(loop, limit, null), path));
    }

    /** A server that hands each connection's reader and writer to {@code clientConnected}, on the loop thread. */
    public static CompletableFuture<Server> startServer(EventLoop loop,
            BiConsumer<StreamReader, StreamWriter> clientConnected, String host, int port) {
        return startServer(loop, clientConnected, host, port, StreamReader.DEFAULT_LIMIT);
    }

    public static CompletableFuture<Server> startServer(EventLoop loop,
            BiConsumer<StreamReader, StreamWriter> clientConnected, String host, int port, int limit) {
        return loop.createServer(() -> new StreamProtocol(loop, limit, clientConnected), host, port);
    }

    public static CompletableFuture<Server> startUnixServer(EventLoop loop,
            BiConsumer<StreamReader, StreamWriter> clientConnected, Path path) {
        return startUnixServer(loop, clientConnected, path, StreamReader.DEFAULT_LIMIT);
    }

    public static CompletableFuture<Server> startUnixServer(EventLoop loop,
            BiConsumer<StreamReader, StreamWriter> clientConnected, Path path, int limit) {
        return loop.createUnixServer(() -> new StreamProtocol(loop, limit, clientConnected), path);
    }

    /**
     * A child with streams for its pipes (asyncio's {@code create_subprocess_exec}): {@code stdin} a writer,
     * {@code stdout} and {@code stderr} readers, where {@code options} asks for a pipe.
     */
    public static CompletableFuture<StreamProcess> subprocessExec(EventLoop loop, java.util.List<String> argv,
            ProcessOptions options) {
        return subprocessExec(loop, argv, options, StreamReader.DEFAULT_LIMIT);
    }

    public static CompletableFuture<StreamProcess> subprocessExec(EventLoop loop, java.util.List<String> argv,
            ProcessOptions options, int limit) {
        return process(loop.subprocessExec(() -> new SubprocessStreamProtocol(loop, options, limit), argv, options));
    }

    /** {@link #subprocessExec} of {@code /bin/sh -c command} (asyncio's {@code create_subprocess_shell}). */
    public static CompletableFuture<StreamProcess> subprocessShell(EventLoop loop, String command,
            ProcessOptions options) {
        return process(loop.subprocessShell(() -> new SubprocessStreamProtocol(loop, options, StreamReader.DEFAULT_LIMIT),
                command, options));
    }
}

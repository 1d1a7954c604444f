package dev.loop.stream;

import java.nio.ByteBuffer;
import java.util.function.BiConsumer;

import dev.loop.EventLoop;
import dev.loop.ExceptionContext;
import dev.loop.transport.Protocol;
import dev.loop.transport.Transport;

/**
 * asyncio's {@code StreamReaderProtocol}: feeds a {@link StreamReader} and gives a {@link StreamWriter} its
 * flow control. For a server, it hands each new connection's pair to the application's callback.
 */
final class StreamProtocol implements Protocol {

    private final EventLoop loop;
    private final StreamReader reader;
    private final BiConsumer<StreamReader, StreamWriter> clientConnected;
    private final WriteFlow flow = new WriteFlow();
    private StreamWriter writer;

    StreamProtocol(EventLoop loop, int limit, BiConsumer<StreamReader, StreamWriter> clientConnected) {
        this.loop = loop;
        this.reader = new StreamReader(loop, limit);
        this.clientConnected = clientConnected;
    }

    StreamConnection connection() {
        return new StreamConnection(reader, writer);
    }

    @Override
    public void connectionMade(Transport transport) {
        reader.setTransport(transport);
        writer = new StreamWriter(transport, flow, reader);
        if (clientConnected != null) {
            try {
                clientConnected.accept(reader, writer);
            } catch (RuntimeException e) {
                loop.callExceptionHandler(ExceptionContext.of("Unhandled exception in the client_connected_cb of a "
                        + "stream server; the connection is closed", e));
                transport.close();
            }
        }
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        reader.feedData(data);
    }

    /** Keeps the transport open after the peer's end of stream: the writer may still answer. */
    @Override
    public boolean eofReceived() {
        reader.feedEof();
        return true;
    }

    @Override
    public void connectionLost(Throwable cause) {
        if (cause == null) {
            reader.feedEof();
        } else {
            reader.setException(cause);
        }
        flow.lost(cause);
    }

    @Override
    public void pauseWriting() {
        flow.pause();
    }

    @Override
    public void resumeWriting() {
        flow.resume();
    }
}

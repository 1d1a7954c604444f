package dev.loop.internal.tls;

import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.security.cert.Certificate;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;

import dev.loop.EventLoop;
import dev.loop.TimerHandle;
import dev.loop.internal.engine.Loop;
import dev.loop.transport.BufferedProtocol;
import dev.loop.transport.Protocol;
import dev.loop.transport.TlsOptions;
import dev.loop.transport.Transport;
import dev.loop.transport.WriteBufferLimits;

/**
 * TLS as a layer over any stream transport (asyncio's {@code SSLProtocol} and {@code _SSLProtocolTransport}): the
 * stream below gets {@link #wire()}, a protocol that feeds the JDK's {@link SSLEngine}; the application's protocol
 * above gets this transport, with the same contract as a plain one. Loop thread only.
 *
 * <p>The handshake runs first, under its timeout; the application's {@code connectionMade} follows it, and writes
 * made before are kept until then. Reading: what arrives is unwrapped and handed over as plaintext; a pause stops
 * the stream below and keeps what was not yet unwrapped. Writing: each write is wrapped at once and written below,
 * so the stream's buffer and its marks are the flow control ({@code pauseWriting} comes from below). {@code
 * writeEof} sends close_notify (TLS 1.3 half-close: the peer may go on sending); {@code close} sends close_notify,
 * flushes and closes, or aborts after the shutdown timeout. A peer's close_notify is {@code eofReceived}; an end of
 * the stream without it is a truncation, reported as an {@link SSLException}. Renegotiation (TLS 1.2 and before)
 * is refused.
 */
public final class TlsTransport implements Transport {

    private static final System.Logger LOG = dev.loop.LoopLogging.getLogger("dev.loop.tls");
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final int LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5;

    private enum State { HANDSHAKING, WRAPPED, CLOSED }

    private final Loop loop;
    private final SSLEngine engine;
    private final Protocol app;
    private final TlsOptions options;
    private final Wire wire = new Wire();
    /** Completed with this transport once the application's {@code connectionMade} ran; failed with the cause. */
    private final CompletableFuture<TlsTransport> handshake = new CompletableFuture<>();
    /** Application writes made before the handshake finished. */
    private final ArrayDeque<ByteBuffer> early = new ArrayDeque<>();
    private long earlyBytes;
    private Transport raw;
    private ByteBuffer netIn;
    private ByteBuffer appIn;
    /** Records wrapped and not yet written below. */
    private ByteBuffer outbox;
    private State state = State.HANDSHAKING;
    private TimerHandle timer;
    private Throwable failure;
    private boolean appConnected;
    private boolean lostReported;
    private boolean readingPaused;
    private boolean eofRequested;
    private boolean peerClosed;
    private boolean closing;
    private boolean advancing;
    private int droppedWrites;

    private TlsTransport(Loop loop, SSLEngine engine, Protocol app, TlsOptions options) {
        this.loop = loop;
        this.engine = engine;
        this.app = app;
        this.options = options;
        int packet = engine.getSession().getPacketBufferSize();
        this.netIn = ByteBuffer.allocate(packet);
        this.outbox = ByteBuffer.allocate(2 * packet);
        this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
    }

    /**
     * A client's layer: SNI and the hostname check name {@code options.serverName()}, else {@code peerHost} (the
     * host connected to; for a unix socket null).
     */
    public static TlsTransport client(Loop loop, Protocol app, TlsOptions options, String peerHost, int peerPort) {
        String name = options.serverName() != null ? options.serverName() : peerHost;
        if (options.checkHostname() && name == null) {
            throw new IllegalArgumentException("checking the server's certificate needs a name: set "
                    + "TlsOptions.withServerName, or withCheckHostname(false)");
        }
        SSLEngine engine = name == null ? options.context().createSSLEngine()
                : options.context().createSSLEngine(name, peerPort);
        engine.setUseClientMode(true);
        SSLParameters p = engine.getSSLParameters();
        if (options.checkHostname()) {
            p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (name != null && !isAddressLiteral(name)) {
            p.setServerNames(List.of(new SNIHostName(name)));
        }
        return finish(loop, app, options, engine, p);
    }

    /** A server's layer. */
    public static TlsTransport server(Loop loop, Protocol app, TlsOptions options) {
        SSLEngine engine = options.context().createSSLEngine();
        engine.setUseClientMode(false);
        return finish(loop, app, options, engine, engine.getSSLParameters());
    }

    private static TlsTransport finish(Loop loop, Protocol app, TlsOptions options, SSLEngine engine, SSLParameters p) {
        if (!options.applicationProtocols().isEmpty()) {
            p.setApplicationProtocols(options.applicationProtocols().toArray(String[]::new));
        }
        engine.setSSLParameters(p);
        return new TlsTransport(loop, engine, java.util.Objects.requireNonNull(app, "protocol factory returned null"),
                options);
    }

    private static boolean isAddressLiteral(String name) {
        return name.indexOf(':') >= 0 || name.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    /** The protocol the stream below is given. */
    public Protocol wire() {
        return wire;
    }

    /** Completes with this transport once the handshake is done and the application's {@code connectionMade} ran. */
    public CompletableFuture<TlsTransport> handshake() {
        return handshake;
    }

    // ---------------------------------------------------------------- the stream below

    /** What the stream below reports: bytes to unwrap, its end, its loss, and its flow control. */
    private final class Wire implements Protocol {

        @Override
        public void connectionMade(Transport t) {
            raw = t;
            timer = loop.callLater(options.handshakeTimeout(), TlsTransport.this::handshakeTimedOut);
            try {
                engine.beginHandshake();
            } catch (SSLException e) {
                fatal(e);
                return;
            }
            advance();
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            if (state == State.CLOSED) {
                return;
            }
            if (netIn.remaining() < data.remaining()) {
                netIn = grow(netIn, netIn.position() + data.remaining());
            }
            netIn.put(data);
            advance();
        }

        @Override
        public boolean eofReceived() {
            if (state == State.HANDSHAKING) {
                fatal(new SSLHandshakeException("the peer closed the connection during the TLS handshake"));
                return false;
            }
            if (!peerClosed) {
                // The stream ended without close_notify: a truncation attack looks the same.
                try {
                    engine.closeInbound();
                } catch (SSLException e) {
                    fatal(e);
                    return false;
                }
                peerClosedTls();
            }
            // After close_notify: the application chose in its eofReceived; keep the stream open while it writes.
            return !closing && eofKeptOpen;
        }

        @Override
        public void connectionLost(Throwable cause) {
            cancelTimer();
            state = State.CLOSED;
            Throwable why = failure != null ? failure : cause;
            if (!handshake.isDone()) {
                handshake.completeExceptionally(why != null ? why
                        : new SSLHandshakeException("the connection closed during the TLS handshake"));
            }
            if (appConnected && !lostReported) {
                lostReported = true;
                app.connectionLost(why);
            }
        }

        @Override
        public void pauseWriting() {
            if (appConnected) {
                app.pauseWriting();
            }
        }

        @Override
        public void resumeWriting() {
            if (appConnected) {
                app.resumeWriting();
            }
        }
    }

    /** What the application's {@code eofReceived} answered to the peer's close_notify. */
    private boolean eofKeptOpen;

    // ---------------------------------------------------------------- the engine

    /** Runs the engine as far as the bytes at hand allow: handshake steps, then unwrapping application data. */
    private void advance() {
        if (advancing) {
            return; // a callback of the application re-entered: the outer loop goes on
        }
        advancing = true;
        try {
            while (state != State.CLOSED) {
                HandshakeStatus hs = engine.getHandshakeStatus();
                if (state == State.WRAPPED && hs != HandshakeStatus.NOT_HANDSHAKING && hs != HandshakeStatus.FINISHED
                        && !"TLSv1.3".equals(engine.getSession().getProtocol())) {
                    throw new SSLException("TLS renegotiation refused (" + engine.getSession().getProtocol() + ")");
                }
                switch (hs) {
                    case NEED_TASK -> runTasks();
                    case NEED_WRAP -> {
                        if (!wrap(EMPTY)) {
                            return;
                        }
                    }
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                        if (!unwrap()) {
                            return;
                        }
                    }
                    default -> { // NOT_HANDSHAKING, FINISHED
                        if (state == State.HANDSHAKING) {
                            handshakeDone();
                            continue;
                        }
                        if (readingPaused || netIn.position() == 0 || !unwrap()) {
                            return;
                        }
                    }
                }
            }
        } catch (SSLException e) {
            fatal(e);
        } catch (RuntimeException e) {
            // The JDK reports some malformed input as unchecked exceptions; the connection fails either way.
            fatal(new SSLException(e.getMessage(), e));
        } finally {
            advancing = false;
            flushOut();
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run(); // certificate checks: short, and asyncio runs them on the loop too
        }
    }

    /**
     * One unwrap: false when more bytes are needed (or the peer closed). Plaintext gathers in {@code appIn} while
     * records follow each other, and goes to the protocol in one call when the bytes at hand are used up (or the
     * buffer is full): an echo of sixteen small records answers with one write, one record, one send.
     */
    private boolean unwrap() throws SSLException {
        netIn.flip();
        SSLEngineResult r;
        try {
            r = engine.unwrap(netIn, appIn);
        } finally {
            netIn.compact();
        }
        switch (r.getStatus()) {
            case BUFFER_UNDERFLOW -> {
                deliverPlaintext();
                int packet = engine.getSession().getPacketBufferSize();
                if (netIn.capacity() < packet) {
                    netIn = grow(netIn, packet);
                }
                return false;
            }
            case BUFFER_OVERFLOW -> {
                if (appIn.position() > 0) {
                    deliverPlaintext();
                } else {
                    appIn = grow(appIn, engine.getSession().getApplicationBufferSize());
                }
                return true;
            }
            case CLOSED -> {
                deliverPlaintext();
                peerClosedTls();
                return engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP; // our close_notify, if owed
            }
            default -> {
                if (netIn.position() == 0) {
                    deliverPlaintext();
                }
                return r.bytesConsumed() > 0 || r.bytesProduced() > 0;
            }
        }
    }

    private void deliverPlaintext() {
        if (appIn.position() == 0 || !appConnected) {
            return;
        }
        appIn.flip();
        try {
            if (app instanceof BufferedProtocol b) {
                while (appIn.hasRemaining()) {
                    ByteBuffer into = b.getBuffer(appIn.remaining());
                    if (into == null || !into.hasRemaining() || into.isReadOnly()) {
                        throw new IllegalStateException("getBuffer() returned an empty or read-only buffer");
                    }
                    int n = Math.min(into.remaining(), appIn.remaining());
                    into.put(appIn.slice(appIn.position(), n));
                    appIn.position(appIn.position() + n);
                    b.bufferUpdated(n);
                }
            } else {
                byte[] copy = new byte[appIn.remaining()];
                appIn.get(copy);
                app.dataReceived(ByteBuffer.wrap(copy));
            }
        } catch (RuntimeException | Error e) {
            appIn.clear();
            protocolFailed(e, "Fatal error: protocol.dataReceived() call failed.");
            return;
        }
        appIn.clear();
    }

    /**
     * Wraps {@code src} (all of it) into the outbox: false once the engine is closed. The records leave in one
     * write below when the outermost call is done ({@link #flushOut}).
     */
    private boolean wrap(ByteBuffer src) throws SSLException {
        while (true) {
            SSLEngineResult r = engine.wrap(src, outbox);
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                outbox = grow(outbox, outbox.capacity() + engine.getSession().getPacketBufferSize());
                continue;
            }
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                return false;
            }
            if (!src.hasRemaining() && (src != EMPTY || engine.getHandshakeStatus() != HandshakeStatus.NEED_WRAP)) {
                return true;
            }
        }
    }

    /** Writes what the outbox holds below, in one write, unless an outer call of the engine will. */
    private void flushOut() {
        if (!advancing) {
            flushNow();
        }
    }

    /** Writes what the outbox holds below now (before the stream below is closed). */
    private void flushNow() {
        if (outbox.position() == 0) {
            return;
        }
        outbox.flip();
        if (raw != null && !raw.isClosing()) {
            raw.write(outbox);
        }
        outbox.clear();
    }

    private void handshakeDone() throws SSLException {
        state = State.WRAPPED;
        cancelTimer();
        try {
            app.connectionMade(this);
        } catch (RuntimeException | Error e) {
            handshake.completeExceptionally(e);
            protocolFailed(e, "Fatal error: protocol.connectionMade() call failed.");
            return;
        }
        appConnected = true;
        ByteBuffer b;
        while ((b = early.poll()) != null) {
            earlyBytes -= b.remaining();
            wrap(b);
        }
        if (readingPaused) {
            raw.pauseReading();
        }
        handshake.complete(this);
    }

    /** The peer's close_notify: the application's {@code eofReceived}, then a close unless it keeps writing. */
    private void peerClosedTls() {
        if (peerClosed) {
            return;
        }
        peerClosed = true;
        if (!appConnected) {
            return;
        }
        boolean keep;
        try {
            keep = app.eofReceived();
        } catch (RuntimeException | Error e) {
            protocolFailed(e, "Fatal error: protocol.eofReceived() call failed.");
            return;
        }
        eofKeptOpen = keep;
        if (!keep) {
            close();
        }
    }

    private void handshakeTimedOut() {
        timer = null;
        if (state == State.HANDSHAKING) {
            fatal(new SSLHandshakeException("TLS handshake is taking longer than " + options.handshakeTimeout()
                    + ": aborting the connection"));
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    /** A TLS failure: the connection is aborted; the cause goes to the handshake's waiter or to connectionLost. */
    private void fatal(Throwable e) {
        if (failure == null) {
            failure = e;
        }
        LOG.log(Level.DEBUG, () -> "TLS connection failed (" + this + "): " + e);
        if (!handshake.isDone()) {
            handshake.completeExceptionally(e);
        }
        outbox.clear();
        if (raw != null) {
            raw.abort();
        }
    }

    private void protocolFailed(Throwable e, String message) {
        loop.reportError(message + " (" + this + ")", e, null, fd(), null);
        fatal(e);
    }

    private static ByteBuffer grow(ByteBuffer b, int capacity) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(capacity, b.capacity() * 2));
        b.flip();
        bigger.put(b);
        return bigger;
    }

    // ---------------------------------------------------------------- Transport

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public Protocol protocol() {
        return app;
    }

    @Override
    public int fd() {
        return raw == null ? -1 : raw.fd();
    }

    @Override
    public void write(ByteBuffer data) {
        loop.checkThread("Transport.write");
        if (eofRequested) {
            throw new IllegalStateException("Cannot call write() after writeEof()");
        }
        if (!data.hasRemaining()) {
            return;
        }
        if (closing || state == State.CLOSED) {
            data.position(data.limit());
            if (++droppedWrites >= LOG_THRESHOLD_FOR_CONNLOST_WRITES) {
                LOG.log(Level.WARNING, "TLS write after close: " + droppedWrites + " writes dropped (" + this + ")");
            }
            return;
        }
        if (state == State.HANDSHAKING || !appConnected) {
            ByteBuffer copy = ByteBuffer.allocate(data.remaining());
            copy.put(data).flip();
            early.add(copy);
            earlyBytes += copy.remaining();
            return;
        }
        try {
            wrap(data);
        } catch (SSLException e) {
            fatal(e);
            return;
        }
        flushOut();
    }

    @Override
    public void writev(ByteBuffer... data) {
        for (ByteBuffer b : data) {
            write(b);
        }
    }

    /** Sends close_notify: the peer sees the end of the stream, and may go on sending (TLS 1.3). */
    @Override
    public void writeEof() {
        loop.checkThread("Transport.writeEof");
        if (closing || eofRequested || state != State.WRAPPED) {
            eofRequested = true;
            return;
        }
        eofRequested = true;
        sendCloseNotify();
    }

    private void sendCloseNotify() {
        engine.closeOutbound();
        try {
            wrap(EMPTY);
        } catch (SSLException e) {
            // the engine had failed already: nothing more to send
        }
        flushOut();
    }

    @Override
    public boolean canWriteEof() {
        return true;
    }

    /** close_notify, then the stream below is flushed and closed; aborted after the shutdown timeout. */
    @Override
    public void close() {
        loop.checkThread("Transport.close");
        if (closing) {
            return;
        }
        closing = true;
        if (raw == null) {
            return;
        }
        if (state != State.WRAPPED) {
            raw.abort(); // during the handshake there is nothing to flush
            return;
        }
        if (!eofRequested) {
            sendCloseNotify();
        }
        flushNow(); // even inside a callback of the engine: the stream below stops taking writes once closed
        raw.close();
        timer = loop.callLater(options.shutdownTimeout(), () -> {
            timer = null;
            if (!raw.isClosing() || state != State.CLOSED) {
                LOG.log(Level.DEBUG, () -> "TLS shutdown took longer than " + options.shutdownTimeout() + ": aborting");
                raw.abort();
            }
        });
    }

    @Override
    public void abort() {
        closing = true;
        if (raw != null) {
            raw.abort();
        }
    }

    @Override
    public boolean isClosing() {
        return closing || state == State.CLOSED;
    }

    @Override
    public void pauseReading() {
        loop.checkThread("Transport.pauseReading");
        if (closing || readingPaused) {
            return;
        }
        readingPaused = true;
        if (raw != null && state == State.WRAPPED) {
            raw.pauseReading();
        }
    }

    @Override
    public void resumeReading() {
        loop.checkThread("Transport.resumeReading");
        if (closing || !readingPaused) {
            return;
        }
        readingPaused = false;
        if (raw != null) {
            raw.resumeReading();
            loop.callSoon(this::advance); // what arrived before the pause and was not unwrapped yet
        }
    }

    @Override
    public boolean isReading() {
        return !readingPaused && !isClosing();
    }

    @Override
    public SocketAddress localAddress() {
        return raw == null ? null : raw.localAddress();
    }

    @Override
    public SocketAddress remoteAddress() {
        return raw == null ? null : raw.remoteAddress();
    }

    /**
     * asyncio's TLS extra info: {@code "peercert"} (the peer's certificate, or null), {@code "peercertchain"},
     * {@code "cipher"}, {@code "protocol"} (the TLS version), {@code "alpn"} (the negotiated application
     * protocol, or null), {@code "sslengine"}, {@code "sslcontext"}; anything else from the stream below.
     */
    @Override
    public Object extraInfo(String name) {
        return switch (name) {
            case "peercert" -> {
                Certificate[] chain = peerChain();
                yield chain == null || chain.length == 0 ? null : chain[0];
            }
            case "peercertchain" -> peerChain();
            case "cipher" -> engine.getSession().getCipherSuite();
            case "protocol" -> engine.getSession().getProtocol();
            case "alpn" -> {
                String p = engine.getApplicationProtocol();
                yield p == null || p.isEmpty() ? null : p;
            }
            case "sslengine" -> engine;
            case "sslcontext" -> options.context();
            default -> raw == null ? null : raw.extraInfo(name);
        };
    }

    private Certificate[] peerChain() {
        try {
            return engine.getSession().getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    @Override
    public void setWriteBufferLimits(long high, long low) {
        raw.setWriteBufferLimits(high, low);
    }

    @Override
    public WriteBufferLimits writeBufferLimits() {
        return raw == null ? WriteBufferLimits.DEFAULT : raw.writeBufferLimits();
    }

    /** Encrypted bytes the stream below has not yet sent, plus writes waiting for the handshake. */
    @Override
    public long writeBufferSize() {
        return earlyBytes + (raw == null ? 0 : raw.writeBufferSize());
    }

    @Override
    public String toString() {
        return "TlsTransport[" + (raw == null ? "not connected" : raw.toString()) + ", " + state
                + (closing ? ", closing" : "") + "]";
    }
}

package dev.loop.transport;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import javax.net.ssl.SSLContext;

/**
 * TLS for a connection, a server or {@code startTls} (asyncio's {@code ssl=}, {@code server_hostname},
 * {@code ssl_handshake_timeout}, {@code ssl_shutdown_timeout}), on the JDK's {@code SSLEngine}.
 *
 * @param context              where keys, trust and protocol versions come from
 * @param serverName           a client's name for the server: sent as SNI and checked against the server's
 *                             certificate; {@code null}: the host connected to (for a unix socket, nothing)
 * @param checkHostname        whether a client checks the server's certificate against {@code serverName} (or the
 *                             address connected to): on by default, as asyncio's default context
 * @param applicationProtocols ALPN protocols offered (client) or accepted (server), most preferred first
 * @param handshakeTimeout     how long the handshake may take before the connection is aborted (60 s)
 * @param shutdownTimeout      how long a close may wait for the close_notify and the buffered data to leave
 *                             before the connection is aborted (30 s)
 */
public record TlsOptions(SSLContext context, String serverName, boolean checkHostname,
        List<String> applicationProtocols, Duration handshakeTimeout, Duration shutdownTimeout) {

    public TlsOptions {
        Objects.requireNonNull(context, "context");
        applicationProtocols = applicationProtocols == null ? List.of() : List.copyOf(applicationProtocols);
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero() || shutdownTimeout.isNegative()
                || shutdownTimeout.isZero()) {
            throw new IllegalArgumentException("TLS timeouts must be positive: handshake " + handshakeTimeout
                    + ", shutdown " + shutdownTimeout);
        }
    }

    /** A client's options: the server's certificate is checked against the host connected to. */
    public static TlsOptions client(SSLContext context) {
        return new TlsOptions(context, null, true, List.of(), Duration.ofSeconds(60), Duration.ofSeconds(30));
    }

    /** A server's options. */
    public static TlsOptions server(SSLContext context) {
        return new TlsOptions(context, null, false, List.of(), Duration.ofSeconds(60), Duration.ofSeconds(30));
    }

    public TlsOptions withServerName(String serverName) {
        return new TlsOptions(context, serverName, checkHostname, applicationProtocols, handshakeTimeout,
                shutdownTimeout);
    }

    public TlsOptions withCheckHostname(boolean checkHostname) {
        return new TlsOptions(context, serverName, checkHostname, applicationProtocols, handshakeTimeout,
                shutdownTimeout);
    }

    public TlsOptions withApplicationProtocols(List<String> applicationProtocols) {
        return new TlsOptions(context, serverName, checkHostname, applicationProtocols, handshakeTimeout,
                shutdownTimeout);
    }

    public TlsOptions withHandshakeTimeout(Duration handshakeTimeout) {
        return new TlsOptions(context, serverName, checkHostname, applicationProtocols, handshakeTimeout,
                shutdownTimeout);
    }

    public TlsOptions withShutdownTimeout(Duration shutdownTimeout) {
        return new TlsOptions(context, serverName, checkHostname, applicationProtocols, handshakeTimeout,
                shutdownTimeout);
    }
}

package dev.loop.transport;

import java.net.SocketAddress;

/**
 * A connection taken by {@code sockAccept}: its descriptor (non-blocking, close-on-exec, owned by the
 * caller from now on) and the peer's address.
 */
public record Accepted(int fd, SocketAddress remoteAddress) {
}

package dev.loop.transport;

import java.net.SocketAddress;

/**
 * One listening socket of a {@link Server} (an entry of asyncio's {@code Server.sockets}): its descriptor,
 * which the server owns and closes, and the address it is bound to.
 *
 * @param fd      the listening socket's descriptor; read its options, never close or watch it
 * @param address the bound address (the port resolved when 0 was asked for), or the unix socket path
 */
public record Listener(int fd, SocketAddress address) {
}

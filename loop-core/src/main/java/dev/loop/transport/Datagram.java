package dev.loop.transport;

import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * A datagram received by {@code sockRecvfrom}: its bytes (a new heap buffer, ready to read) and the sender's
 * address (asyncio's {@code (data, address)}).
 */
public record Datagram(ByteBuffer data, SocketAddress address) {
}

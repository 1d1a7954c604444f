package dev.loop.transport;

import java.net.SocketAddress;

/** What {@code sockRecvfromInto} received: the byte count and the sender's address (asyncio's {@code (nbytes, address)}). */
public record ReceivedFrom(int bytes, SocketAddress address) {
}

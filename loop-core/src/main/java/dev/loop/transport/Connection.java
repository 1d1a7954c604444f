package dev.loop.transport;

/**
 * A connected transport and its protocol, as asyncio's {@code (transport, protocol)} pair. Delivered
 * after the protocol's {@code connectionMade} ran.
 */
public record Connection<T, P>(T transport, P protocol) {
}

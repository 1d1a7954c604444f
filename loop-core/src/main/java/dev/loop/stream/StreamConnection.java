package dev.loop.stream;

/** The two halves of a stream connection, asyncio's {@code (reader, writer)} pair. */
public record StreamConnection(StreamReader reader, StreamWriter writer) {
}

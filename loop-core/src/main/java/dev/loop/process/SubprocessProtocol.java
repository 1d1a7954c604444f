package dev.loop.process;

import java.nio.ByteBuffer;

/**
 * What a subprocess does with its events (asyncio's {@code SubprocessProtocol}), on the loop thread:
 * {@link #connectionMade} once every pipe is connected; {@link #pipeDataReceived} and
 * {@link #pipeConnectionLost} per pipe; {@link #processExited} when the child exited; then
 * {@link #connectionLost} once it has exited <em>and</em> every pipe is closed.
 */
public interface SubprocessProtocol {

    default void connectionMade(SubprocessTransport transport) {
    }

    /** Output of the child on {@code fd} 1 (stdout) or 2 (stderr); the buffer is the protocol's. */
    default void pipeDataReceived(int fd, ByteBuffer data) {
    }

    /** The pipe of child descriptor {@code fd} (0, 1 or 2) closed; {@code cause} null unless an error. */
    default void pipeConnectionLost(int fd, Throwable cause) {
    }

    /** The child exited; {@link SubprocessTransport#returnCode()} is known from now on. */
    default void processExited() {
    }

    default void connectionLost(Throwable cause) {
    }

    /** The stdin pipe's buffer went above its high-water mark. */
    default void pauseWriting() {
    }

    default void resumeWriting() {
    }
}

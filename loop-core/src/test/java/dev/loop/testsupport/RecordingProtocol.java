package dev.loop.testsupport;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.loop.EventLoop;
import dev.loop.transport.Protocol;
import dev.loop.transport.Transport;

/**
 * A protocol that records what happens and checks asyncio's state machine inside every callback
 * (connectionMade once, then data, then at most one EOF, then connectionLost once; all on the loop
 * thread), like CPython's MyProto: an ordering bug fails the test even when the bytes are right.
 */
public class RecordingProtocol implements Protocol {

    public enum State { INITIAL, CONNECTED, EOF, CLOSED }

    public final CompletableFuture<Transport> made = new CompletableFuture<>();
    public final CompletableFuture<Throwable> lost = new CompletableFuture<>();
    public final CompletableFuture<Void> eof = new CompletableFuture<>();
    public final List<String> violations = new ArrayList<>();
    public final ByteArrayOutputStream received = new ByteArrayOutputStream();
    public volatile State state = State.INITIAL;
    public volatile Transport transport;
    public int pauses;
    public int resumes;
    /** What {@link #eofReceived()} returns. */
    public boolean keepOpenOnEof;

    private void check(boolean ok, String what) {
        if (!ok) {
            violations.add(what + " in state " + state);
        }
        EventLoop loop = transport == null ? null : transport.loop();
        if (loop != null && loop.isRunning() && !loop.inLoopThread()) {
            violations.add(what + " off the loop thread: " + Thread.currentThread().getName());
        }
    }

    @Override
    public void connectionMade(Transport t) {
        transport = t;
        check(state == State.INITIAL, "connectionMade");
        state = State.CONNECTED;
        made.complete(t);
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        check(state == State.CONNECTED, "dataReceived");
        byte[] b = new byte[data.remaining()];
        data.get(b);
        received.writeBytes(b);
        onData(b);
    }

    /** Hook for subclasses. */
    protected void onData(byte[] data) {
    }

    @Override
    public boolean eofReceived() {
        check(state == State.CONNECTED, "eofReceived");
        state = State.EOF;
        eof.complete(null);
        return keepOpenOnEof;
    }

    @Override
    public void connectionLost(Throwable cause) {
        check(state == State.CONNECTED || state == State.EOF, "connectionLost");
        state = State.CLOSED;
        lost.complete(cause);
    }

    @Override
    public void pauseWriting() {
        check(pauses == resumes, "pauseWriting");
        pauses++;
    }

    @Override
    public void resumeWriting() {
        check(pauses == resumes + 1, "resumeWriting");
        resumes++;
    }

    public byte[] bytes() {
        return received.toByteArray();
    }

    /** How many bytes arrived (without copying them). */
    public int size() {
        return received.size();
    }

    /** An echo server's protocol: writes back what it receives; closes on EOF. */
    public static class Echo extends RecordingProtocol {
        @Override
        protected void onData(byte[] data) {
            transport.write(data);
        }
    }
}

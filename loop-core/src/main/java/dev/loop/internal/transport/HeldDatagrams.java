package dev.loop.internal.transport;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

import dev.loop.internal.engine.Loop;

/**
 * Datagrams received after the protocol paused reading (in the middle of a batch, or before a multishot receive
 * was cancelled): copied, and delivered first on resume in a callback of their own, so that a pause loses nothing.
 * Loop thread.
 */
public final class HeldDatagrams {

    private record Held(byte[] data, SocketAddress sender) {
    }

    private final Loop loop;
    private final DatagramSocketTransport owner;
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private boolean deliveryScheduled;

    public HeldDatagrams(Loop loop, DatagramSocketTransport owner) {
        this.loop = loop;
        this.owner = owner;
    }

    /** Keeps a copy of {@code length} bytes of {@code data} at {@code offset}, from {@code sender}. */
    public void hold(ByteBuffer data, int offset, int length, SocketAddress sender) {
        byte[] copy = new byte[length];
        data.get(offset, copy);
        held.add(new Held(copy, sender));
    }

    /** Whether a pause left datagrams to deliver before receiving goes on. */
    public boolean any() {
        return !held.isEmpty();
    }

    /**
     * On resume: what a pause held goes to the protocol in its own callback (as long as it keeps reading), then
     * {@code thenReceive} runs if it still reads.
     */
    public void deliverSoon(Runnable thenReceive) {
        if (deliveryScheduled) {
            return;
        }
        deliveryScheduled = true;
        loop.callSoon(() -> {
            deliveryScheduled = false;
            Held h;
            while (owner.isReading() && (h = held.poll()) != null) {
                owner.datagramRead(ByteBuffer.wrap(h.data()), 0, h.data().length, h.sender());
            }
            if (owner.isReading()) {
                thenReceive.run();
            }
        });
    }

    /** Drops what is held (the endpoint closes). */
    public void clear() {
        held.clear();
    }
}

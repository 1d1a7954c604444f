package dev.loop.internal.signal;

import dev.loop.internal.engine.Loop;

/** One loop's signal handlers, kept in the process-wide {@link SignalHandlers}. */
public record LoopSignals(Loop loop) {

    /** {@link dev.loop.EventLoop#addSignalHandler(String, Runnable, boolean)}. */
    public void add(String signal, Runnable callback, boolean chainJvmHandler) {
        SignalHandlers.add(loop, signal, callback, chainJvmHandler);
    }

    /** {@link dev.loop.EventLoop#removeSignalHandler(String)}. */
    public boolean remove(String signal) {
        return SignalHandlers.remove(loop, signal);
    }
}

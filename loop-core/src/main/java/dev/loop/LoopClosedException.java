package dev.loop;

/** The loop was closed: nothing can be scheduled or registered on it any more. */
public class LoopClosedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public LoopClosedException(String loopName) {
        super("Event loop '" + loopName + "' is closed");
    }
}

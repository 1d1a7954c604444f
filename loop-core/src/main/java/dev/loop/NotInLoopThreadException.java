package dev.loop;

/**
 * A loop-thread-only method was called from another thread while the loop runs. Use
 * {@link EventLoop#callSoonThreadsafe(Runnable)} (or the loop as an {@code Executor}) to hand work
 * to the loop thread.
 */
public class NotInLoopThreadException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public NotInLoopThreadException(String loopName, String method, Thread loopThread) {
        super("Non-thread-safe operation " + method + " invoked on event loop '" + loopName
                + "' from thread '" + Thread.currentThread().getName() + "'; the loop runs on thread '"
                + (loopThread == null ? "?" : loopThread.getName()) + "'. Use callSoonThreadsafe.");
    }
}

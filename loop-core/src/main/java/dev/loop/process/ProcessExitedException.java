package dev.loop.process;

/** A signal was sent to a child that is known to have exited (asyncio's {@code ProcessLookupError}). */
public class ProcessExitedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public ProcessExitedException(int pid, int returnCode) {
        super("process " + pid + " has exited (return code " + returnCode + ")");
    }
}

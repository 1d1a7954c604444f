package dev.loop;

/**
 * Receives errors that have no caller to go to: a callback that threw, a descriptor that was closed
 * while registered. Runs on the loop thread; if it throws, the default handler logs that too.
 */
@FunctionalInterface
public interface ExceptionHandler {

    void handle(EventLoop loop, ExceptionContext context);
}

package dev.loop;

import java.util.Optional;

/**
 * What the loop knows about an error it could not hand to anyone else (asyncio's exception context).
 *
 * @param message     what happened, for people
 * @param exception   the exception, if any
 * @param handle      the callback's handle, if the error came from a callback
 * @param fd          the descriptor concerned, or -1
 * @param scheduledAt in debug mode, where the callback was scheduled; otherwise {@code null}
 */
public record ExceptionContext(String message, Throwable exception, Handle handle, int fd, Throwable scheduledAt) {

    public static ExceptionContext of(String message, Throwable exception) {
        return new ExceptionContext(message, exception, null, -1, null);
    }

    public Optional<Throwable> exceptionIfAny() {
        return Optional.ofNullable(exception);
    }
}

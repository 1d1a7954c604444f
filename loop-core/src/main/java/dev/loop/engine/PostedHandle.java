package dev.loop.engine;

/** A callback posted from another thread: it carries its own link in the {@link Inbox}. */
final class PostedHandle extends CallbackHandle {

    @SuppressWarnings("unused") // through Inbox.NEXT
    volatile PostedHandle next;

    PostedHandle(Runnable callback, Throwable scheduledAt) {
        super(callback, scheduledAt);
    }
}

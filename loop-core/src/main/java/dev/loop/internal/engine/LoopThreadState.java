package dev.loop.internal.engine;

/**
 * Fields the loop thread writes all the time, padded away from those posting threads read (no false
 * sharing): the padding is a superclass's fields before and this class's last fields after.
 */
final class LoopThreadState extends LoopThreadStatePad {
    /** Start of the running callback group for the watchdog (0: none); opaque through CALLBACK_START. */
    long callbackStart;
    /** End of the previous poll, for busy time. */
    long lastPollEnd;
    /** Start of a callback group not yet timed (0: none). */
    long openGroupStart;
    boolean ranLastStep;
    /** The running step's clock: last reading, callbacks since, whether each callback is timed. */
    long mark;
    int sinceMark;
    boolean timeEach;
    long p10, p11, p12, p13, p14, p15, p16, p17;
}

/** The padding before {@link LoopThreadState}'s fields. */
abstract class LoopThreadStatePad {
    long p00, p01, p02, p03, p04, p05, p06, p07;
}

package dev.loop.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Random schedule/cancel/advance sequences against a plain model of the timer queue. */
class TimerQueueProperties {

    sealed interface Op permits Schedule, Cancel, Advance, Defer {
    }

    /** Turns the deferral of new timers (a step running its callbacks) on or off. */
    record Defer(boolean on) implements Op {
    }

    record Schedule(long offset) implements Op {
    }

    record Cancel(int pick) implements Op {
    }

    record Advance(long by) implements Op {
    }

    /** What the model knows of one timer. */
    static final class ModelTimer {
        final long when;
        final long seq;
        final TimerEntry entry;
        boolean cancelled;
        boolean fired;
        boolean deferred;

        ModelTimer(long when, long seq, TimerEntry entry) {
            this.when = when;
            this.seq = seq;
            this.entry = entry;
        }
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> schedule = Arbitraries.longs().between(-20, 200).map(Schedule::new);
        Arbitrary<Op> cancel = Arbitraries.integers().between(0, 10_000).map(Cancel::new);
        Arbitrary<Op> advance = Arbitraries.longs().between(0, 60).map(Advance::new);
        Arbitrary<Op> defer = Arbitraries.of(true, false).map(Defer::new);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, schedule), net.jqwik.api.Tuple.of(3, cancel),
                net.jqwik.api.Tuple.of(2, advance), net.jqwik.api.Tuple.of(1, defer)).list().ofMaxSize(400);
    }

    @Property(tries = 300)
    void theQueueFiresExactlyTheLiveDueTimersInOrder(@ForAll("ops") List<Op> ops) {
        TimerQueue q = new TimerQueue();
        List<ModelTimer> model = new ArrayList<>();
        long now = 1_000;
        long seq = 0;
        boolean deferring = false;
        for (Op op : ops) {
            if (op instanceof Defer d) {
                q.deferNewTimers(d.on());
                deferring = d.on();
                if (!d.on()) {
                    model.forEach(t -> t.deferred = false);
                }
            } else if (op instanceof Schedule s) {
                long when = now + s.offset();
                ModelTimer t = new ModelTimer(when, seq++, q.schedule(when, () -> { }, null));
                t.deferred = deferring;
                model.add(t);
            } else if (op instanceof Cancel c && !model.isEmpty()) {
                ModelTimer t = model.get(c.pick() % model.size());
                t.entry.cancel();
                if (!t.fired) {
                    t.cancelled = true;
                }
            } else if (op instanceof Advance a) {
                now += a.by();
                if (!deferring) {
                    TimerEntry head = q.purgeAndPeek();
                    ModelTimer expectedHead = model.stream().filter(t -> !t.cancelled && !t.fired)
                            .min(Comparator.<ModelTimer>comparingLong(t -> t.when).thenComparingLong(t -> t.seq))
                            .orElse(null);
                    assertThat(head).isSameAs(expectedHead == null ? null : expectedHead.entry);
                }
                List<TimerEntry> fired = new ArrayList<>();
                TimerEntry e;
                while ((e = q.pollDueOne(now)) != null) {
                    fired.add(e);
                }
                final long t0 = now;
                List<ModelTimer> due = model.stream().filter(t -> !t.cancelled && !t.fired && !t.deferred && t.when <= t0)
                        .sorted(Comparator.<ModelTimer>comparingLong(t -> t.when).thenComparingLong(t -> t.seq)).toList();
                assertThat(fired).containsExactlyElementsOf(due.stream().map(t -> t.entry).toList());
                due.forEach(t -> t.fired = true);
            }
            long live = model.stream().filter(t -> !t.cancelled && !t.fired).count();
            assertThat(q.liveCount()).isEqualTo(live);
            assertThat(q.size()).isEqualTo(live + q.cancelledCount());
            assertThat(q.cancelledCount()).isBetween(0, (int) model.stream().filter(t -> t.cancelled).count());
        }
    }

    @Property(tries = 50)
    void purgingLeavesNoCancelledTimerWhenMostAreCancelled(@ForAll @net.jqwik.api.constraints.IntRange(min = 101, max = 2000) int n) {
        TimerQueue q = new TimerQueue();
        List<TimerEntry> entries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            entries.add(q.schedule(10_000 - i, () -> { }, null));
        }
        int cancelled = n / 2 + 1;
        for (int i = 0; i < cancelled; i++) {
            entries.get(i * 2 % n).cancel();
        }
        int actuallyCancelled = (int) entries.stream().filter(TimerEntry::isCancelled).count();
        assertThat(q.cancelledCount()).isEqualTo(actuallyCancelled);
        q.purgeAndPeek();
        if (actuallyCancelled * 2 > n) {
            assertThat(q.cancelledCount()).isZero();
            assertThat(q.size()).isEqualTo(n - actuallyCancelled);
        }
    }
}

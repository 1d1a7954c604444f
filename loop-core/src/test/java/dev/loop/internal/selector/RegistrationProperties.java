package dev.loop.internal.selector;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import dev.loop.EventLoop;
import dev.loop.LoopOptions;
import dev.loop.PollerKind;
import dev.loop.testsupport.TestFds;

/**
 * Random add/remove reader/writer sequences on real socket pairs, against a model of the
 * registrations; then one real step must fire exactly the registered callbacks.
 */
class RegistrationProperties {

    enum Kind { ADD_READER, REMOVE_READER, ADD_WRITER, REMOVE_WRITER }

    record Op(Kind kind, int socket) {
    }

    private static final int SOCKETS = 6;

    @Provide
    Arbitrary<List<Op>> ops() {
        return Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.integers().between(0, SOCKETS - 1))
                .as(Op::new).list().ofMaxSize(60);
    }

    @Provide
    Arbitrary<PollerKind> pollers() {
        return Arbitraries.of(PollerKind.EPOLL, PollerKind.POLL, PollerKind.SELECT);
    }

    @Property(tries = 150)
    void registrationsFollowTheModelAndFireExactlyAsRegistered(@ForAll("pollers") PollerKind kind,
            @ForAll("ops") List<Op> ops) {
        try (TestFds fds = new TestFds();
                EventLoop loop = SelectorBackend.newLoop(LoopOptions.builder().delaySamplingInterval(Duration.ZERO)
                        .blockedThreshold(Duration.ZERO).build(), Pollers.open(kind))) {
            int[][] pairs = new int[SOCKETS][];
            for (int i = 0; i < SOCKETS; i++) {
                pairs[i] = fds.socketPair();
            }
            Set<Integer> readers = new HashSet<>();
            Set<Integer> writers = new HashSet<>();
            Set<String> fired = new HashSet<>();
            for (Op op : ops) {
                int fd = pairs[op.socket()][0];
                switch (op.kind()) {
                    case ADD_READER -> {
                        loop.addReader(fd, () -> fired.add("r" + fd));
                        readers.add(fd);
                    }
                    case ADD_WRITER -> {
                        loop.addWriter(fd, () -> fired.add("w" + fd));
                        writers.add(fd);
                    }
                    case REMOVE_READER -> assertThat(loop.removeReader(fd)).isEqualTo(readers.remove(fd));
                    case REMOVE_WRITER -> assertThat(loop.removeWriter(fd)).isEqualTo(writers.remove(fd));
                }
                assertThat(loop.stats().handles().readers()).isEqualTo(readers.size());
                assertThat(loop.stats().handles().writers()).isEqualTo(writers.size());
            }
            for (int[] pair : pairs) {
                TestFds.write(pair[1], new byte[] {1}); // every registered side is now readable and writable
            }
            loop.stop();
            loop.runForever(); // exactly one step
            Set<String> expected = new HashSet<>();
            readers.forEach(fd -> expected.add("r" + fd));
            writers.forEach(fd -> expected.add("w" + fd));
            assertThat(fired).isEqualTo(expected);
        }
    }
}

package dev.loop.internal.uring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.loop.LoopClosedException;
import dev.loop.LoopOptions;
import dev.loop.internal.engine.Loop;
import dev.loop.testsupport.TestFds;

/**
 * Closing a proactor loop while operations are in flight that nothing else will end: a {@code sockRecv} on a socket
 * nobody writes to keeps an io_uring poll in flight. The close fails the future (the loop owes it) and must cancel
 * the operation: waiting for it would take the close's whole drain time and then leave its memory allocated.
 */
class ProactorCloseTest {

    @Test
    void closingTheLoopCancelsOperationsNothingElseWouldEnd() throws Exception {
        try (TestFds fds = new TestFds()) {
            int[] idle = fds.socketPair();
            Loop loop = UringBackend.newLoop(LoopOptions.builder().name("closing").build());
            loop.start();
            UringBackend backend = UringBackend.of(loop);
            CompletableFuture<ByteBuffer> receiving = loop.sockRecv(idle[0], 1);
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> loop.submit(backend::operationsInFlight).get(10, TimeUnit.SECONDS) == 1);
            loop.close();
            assertThat(backend.operationsInFlight()).as("operations left in flight after close").isZero();
            assertThatThrownBy(receiving::join).isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(LoopClosedException.class);
        }
    }
}

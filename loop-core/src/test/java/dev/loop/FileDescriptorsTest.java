package dev.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.loop.testsupport.TestFds;

/** The public descriptor helpers on real pipes: what a user of addReader needs without loop internals. */
class FileDescriptorsTest {

    private final List<Integer> open = new ArrayList<>();

    /** A pipe whose ends are closed after the test. */
    private Pipe pipe() {
        Pipe pipe = Pipe.open();
        open.add(pipe.readFd());
        open.add(pipe.writeFd());
        return pipe;
    }

    @AfterEach
    void closeEnds() throws NativeIOException {
        for (int fd : open) {
            FileDescriptors.close(fd);
        }
    }

    @Test
    void aPipeIsNonBlockingAndCloseOnExecAndCarriesHeapAndDirectBuffers() throws Exception {
        Pipe pipe = pipe();
        assertThat(TestFds.isCloseOnExec(pipe.readFd())).isTrue();
        assertThat(TestFds.isCloseOnExec(pipe.writeFd())).isTrue();
        ByteBuffer empty = ByteBuffer.allocate(8);
        assertThat(FileDescriptors.read(pipe.readFd(), empty)).as("nothing to read: EAGAIN, not a block").isZero();

        ByteBuffer heap = ByteBuffer.wrap("xxhello".getBytes(StandardCharsets.US_ASCII)).position(2);
        assertThat(FileDescriptors.write(pipe.writeFd(), heap)).isEqualTo(5);
        assertThat(heap.hasRemaining()).isFalse();
        ByteBuffer direct = ByteBuffer.allocateDirect(16).put((byte) '>');
        assertThat(FileDescriptors.read(pipe.readFd(), direct)).isEqualTo(5);
        assertThat(direct.position()).isEqualTo(6);
        assertThat(StandardCharsets.US_ASCII.decode(direct.flip()).toString()).isEqualTo(">hello");

        ByteBuffer out = ByteBuffer.allocateDirect(3).put("abc".getBytes(StandardCharsets.US_ASCII)).flip();
        assertThat(FileDescriptors.write(pipe.writeFd(), out)).isEqualTo(3);
        ByteBuffer in = ByteBuffer.allocate(2);
        assertThat(FileDescriptors.read(pipe.readFd(), in)).isEqualTo(2);
        assertThat(FileDescriptors.read(pipe.readFd(), in)).as("a full buffer reads nothing").isZero();
        assertThat(new String(in.array(), StandardCharsets.US_ASCII)).isEqualTo("ab");
    }

    @Test
    void aFullPipeWritesNothingRatherThanBlocking() throws Exception {
        Pipe pipe = pipe();
        ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
        long total = 0;
        int n;
        while ((n = FileDescriptors.write(pipe.writeFd(), chunk.clear())) > 0) {
            total += n;
        }
        assertThat(n).isZero();
        assertThat(total).as("the pipe's capacity").isPositive();
    }

    @Test
    void endOfFileErrorsAndClosingTwiceAreTold() throws Exception {
        Pipe pipe = Pipe.open();
        FileDescriptors.close(pipe.writeFd());
        assertThat(FileDescriptors.read(pipe.readFd(), ByteBuffer.allocate(4))).as("every writer closed").isEqualTo(-1);
        FileDescriptors.close(pipe.readFd());
        assertThatThrownBy(() -> FileDescriptors.close(pipe.readFd())).isInstanceOf(NativeIOException.class)
                .satisfies(e -> assertThat(((NativeIOException) e).errnoName()).isEqualTo("EBADF"));

        Pipe other = Pipe.open();
        FileDescriptors.close(other.readFd());
        // SIGPIPE is ignored by the JVM: the write fails with EPIPE instead of killing the process.
        assertThatThrownBy(() -> FileDescriptors.write(other.writeFd(), ByteBuffer.wrap(new byte[] {1})))
                .isInstanceOf(NativeIOException.class)
                .satisfies(e -> assertThat(((NativeIOException) e).errnoName()).isEqualTo("EPIPE"));
        FileDescriptors.close(other.writeFd());
    }

    @Test
    void theReadmeExampleRunsAsWritten() throws Exception {
        try (EventLoop loop = EventLoops.create()) {
            Pipe pipe = pipe();
            CompletableFuture<String> got = new CompletableFuture<>();
            loop.addReader(pipe.readFd(), () -> {
                ByteBuffer buf = ByteBuffer.allocate(64);
                try {
                    FileDescriptors.read(pipe.readFd(), buf);
                } catch (NativeIOException e) {
                    got.completeExceptionally(e);
                }
                got.complete(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8));
                loop.removeReader(pipe.readFd());
                loop.stop();
            });
            loop.callLater(Duration.ofMillis(10), () -> {
                try {
                    FileDescriptors.write(pipe.writeFd(), StandardCharsets.UTF_8.encode("ping"));
                } catch (NativeIOException e) {
                    got.completeExceptionally(e);
                }
            });
            loop.runForever();
            assertThat(got.join()).isEqualTo("ping");
        }
    }
}

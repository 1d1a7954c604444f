package dev.loop.stream;

import java.util.concurrent.CompletableFuture;

import dev.loop.process.SubprocessTransport;

/**
 * A child process with streams for its pipes, asyncio's {@code asyncio.subprocess.Process}: {@code stdin} a
 * {@link StreamWriter}, {@code stdout} and {@code stderr} {@link StreamReader}s (null where the options did not ask
 * for a pipe).
 */
public record StreamProcess(SubprocessTransport transport, StreamWriter stdin, StreamReader stdout,
        StreamReader stderr) {

    /** What {@link #communicate} collected. */
    public record Output(byte[] stdout, byte[] stderr, int exitCode) {
    }

    public int pid() {
        return transport.pid();
    }

    /** The exit status once the child exited (a negative number: killed by that signal). */
    public CompletableFuture<Integer> waitFor() {
        return transport.exitStatus();
    }

    /**
     * Writes {@code input} (if any, and if stdin is a pipe) and closes stdin, reads stdout and stderr to their
     * end, and waits for the child to exit, as asyncio's {@code communicate}. Signals go through
     * {@link #transport()} ({@code terminate}, {@code kill}, {@code sendSignal}).
     */
    public CompletableFuture<Output> communicate(byte[] input) {
        CompletableFuture<Void> fed = CompletableFuture.completedFuture(null);
        if (stdin != null) {
            if (input != null && input.length > 0) {
                stdin.write(input);
            }
            fed = stdin.drain().handle((v, e) -> null); // a child that exits without reading is not an error here
            fed = fed.thenRun(stdin::close);
        }
        CompletableFuture<byte[]> out = stdout == null ? CompletableFuture.completedFuture(null) : stdout.read(-1);
        CompletableFuture<byte[]> err = stderr == null ? CompletableFuture.completedFuture(null) : stderr.read(-1);
        CompletableFuture<Void> fedFinal = fed;
        CompletableFuture<Output> result = new CompletableFuture<>();
        // Given up on (cancelled, timed out), it stops reading: what the reads gathered goes back to the readers.
        result.whenComplete((v, e) -> {
            out.cancel(false);
            err.cancel(false);
        });
        dev.loop.internal.engine.Futures.follow(out.thenCombine(err, (o, e) -> new Output(o, e, 0))
                .thenCompose(o -> fedFinal.thenCompose(v -> waitFor())
                        .thenApply(code -> new Output(o.stdout(), o.stderr(), code))), result);
        return result;
    }
}

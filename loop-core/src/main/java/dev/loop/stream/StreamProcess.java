package dev.loop.stream;

import java.util.concurrent.CompletableFuture;

import dev.loop.process.SubprocessTransport;

/**
 * A child process with streams for its pipes, asyncio's {@code asyncio.subprocess.Process}: {@link #stdin()} a
 * {@link StreamWriter}, {@link #stdout()} and {@link #stderr()} {@link StreamReader}s (null where the options did
 * not ask for a pipe).
 */
public final class StreamProcess {

    /** What {@link #communicate} collected. */
    public record Output(byte[] stdout, byte[] stderr, int exitCode) {
    }

    private final SubprocessTransport transport;
    private final StreamWriter stdin;
    private final StreamReader stdout;
    private final StreamReader stderr;

    StreamProcess(SubprocessTransport transport, StreamWriter stdin, StreamReader stdout, StreamReader stderr) {
        this.transport = transport;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    public int pid() {
        return transport.pid();
    }

    public StreamWriter stdin() {
        return stdin;
    }

    public StreamReader stdout() {
        return stdout;
    }

    public StreamReader stderr() {
        return stderr;
    }

    public SubprocessTransport transport() {
        return transport;
    }

    /** The exit status once the child exited (a negative number: killed by that signal). */
    public CompletableFuture<Integer> waitFor() {
        return transport.exitStatus();
    }

    public void sendSignal(int signal) {
        transport.sendSignal(signal);
    }

    public void terminate() {
        transport.terminate();
    }

    public void kill() {
        transport.kill();
    }

    /**
     * Writes {@code input} (if any, and if stdin is a pipe) and closes stdin, reads stdout and stderr to their
     * end, and waits for the child to exit, as asyncio's {@code communicate}.
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
        return out.thenCombine(err, (o, e) -> new Output(o, e, 0))
                .thenCompose(o -> fedFinal.thenCompose(v -> waitFor())
                        .thenApply(code -> new Output(o.stdout(), o.stderr(), code)));
    }
}

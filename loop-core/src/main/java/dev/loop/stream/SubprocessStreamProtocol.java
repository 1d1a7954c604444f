package dev.loop.stream;

import java.nio.ByteBuffer;

import dev.loop.EventLoop;
import dev.loop.process.ProcessOptions;
import dev.loop.process.SubprocessProtocol;
import dev.loop.process.SubprocessTransport;
import dev.loop.transport.Transport;

/** asyncio's {@code SubprocessStreamProtocol}: a reader per output pipe, a writer for stdin. */
final class SubprocessStreamProtocol implements SubprocessProtocol {

    private final StreamReader stdout;
    private final StreamReader stderr;
    private final WriteFlow stdinFlow = new WriteFlow();
    private StreamProcess process;

    SubprocessStreamProtocol(EventLoop loop, ProcessOptions options, int limit) {
        this.stdout = options.stdout() == ProcessOptions.Redirect.PIPE ? new StreamReader(loop, limit) : null;
        this.stderr = options.stderr() == ProcessOptions.Redirect.PIPE ? new StreamReader(loop, limit) : null;
    }

    StreamProcess process() {
        return process;
    }

    @Override
    public void connectionMade(SubprocessTransport transport) {
        if (stdout != null) {
            stdout.setTransport(transport.pipeTransport(1));
        }
        if (stderr != null) {
            stderr.setTransport(transport.pipeTransport(2));
        }
        Transport in = transport.pipeTransport(0);
        StreamWriter stdin = in == null ? null : new StreamWriter(in, stdinFlow, null);
        process = new StreamProcess(transport, stdin, stdout, stderr);
    }

    @Override
    public void pipeDataReceived(int fd, ByteBuffer data) {
        StreamReader r = fd == 1 ? stdout : fd == 2 ? stderr : null;
        if (r != null) {
            r.feedData(data);
        }
    }

    @Override
    public void pipeConnectionLost(int fd, Throwable cause) {
        if (fd == 0) {
            stdinFlow.lost(cause);
            return;
        }
        StreamReader r = fd == 1 ? stdout : fd == 2 ? stderr : null;
        if (r == null) {
            return;
        }
        if (cause == null) {
            r.feedEof();
        } else {
            r.setException(cause);
        }
    }

    @Override
    public void pauseWriting() {
        stdinFlow.pause();
    }

    @Override
    public void resumeWriting() {
        stdinFlow.resume();
    }
}

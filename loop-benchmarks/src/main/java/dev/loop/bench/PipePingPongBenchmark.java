package dev.loop.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.loop.EventLoop;
import dev.loop.PollerKind;
import dev.loop.internal.nativeio.Descriptors;
import dev.loop.internal.nativeio.LibC;
import dev.loop.internal.nativeio.NativeMemory;

/**
 * One byte bounced between two pipes by readiness callbacks on one thread: each hop is a poll, a
 * read and a write. Reported per round trip (two hops). Peer: JDK NIO's Pipe with a Selector doing
 * exactly the same.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = BenchLoops.NATIVE_ACCESS)
public class PipePingPongBenchmark {

    static final int ROUND_TRIPS = 1000;

    @Param({"epoll"})
    public String poller;

    // ---- loop
    EventLoop loop;
    int[] a;
    int[] b;
    NativeMemory buf;
    int hops;
    // ---- JDK NIO
    Selector selector;
    Pipe pa;
    Pipe pb;
    ByteBuffer one;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        loop = BenchLoops.create(PollerKind.valueOf(poller.toUpperCase()));
        a = Descriptors.pipe(true);
        b = Descriptors.pipe(true);
        buf = new NativeMemory(8);
        loop.addReader(a[0], () -> hop(a[0], b[1]));
        loop.addReader(b[0], () -> hop(b[0], a[1]));

        selector = Selector.open();
        pa = Pipe.open();
        pb = Pipe.open();
        for (Pipe p : new Pipe[] {pa, pb}) {
            p.source().configureBlocking(false);
            p.sink().configureBlocking(false);
            p.source().register(selector, SelectionKey.OP_READ, p == pa ? pb.sink() : pa.sink());
        }
        one = ByteBuffer.allocateDirect(1);
    }

    private void hop(int from, int to) {
        LibC.read(from, buf.address(), 1);
        if (++hops == 2 * ROUND_TRIPS) {
            loop.stop();
            return;
        }
        LibC.write(to, buf.address(), 1);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        loop.close();
        for (int fd : new int[] {a[0], a[1], b[0], b[1]}) {
            LibC.close(fd);
        }
        buf.close();
        selector.close();
        pa.source().close();
        pa.sink().close();
        pb.source().close();
        pb.sink().close();
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public int loopAddReader() {
        hops = 0;
        LibC.write(a[1], buf.address(), 1);
        loop.runForever();
        return hops;
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public int jdkNioSelector() throws IOException {
        int hopCount = 0;
        one.clear();
        pa.sink().write(one);
        while (true) {
            selector.select();
            Iterator<SelectionKey> it = selector.selectedKeys().iterator();
            while (it.hasNext()) {
                SelectionKey k = it.next();
                it.remove();
                one.clear();
                ((Pipe.SourceChannel) k.channel()).read(one);
                if (++hopCount == 2 * ROUND_TRIPS) {
                    return hopCount;
                }
                one.flip();
                ((Pipe.SinkChannel) k.attachment()).write(one);
            }
        }
    }
}

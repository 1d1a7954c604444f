package dev.loop.demo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.loop.EventLoop;
import dev.loop.TimerHandle;
import dev.loop.process.ProcessOptions;
import dev.loop.process.SubprocessProtocol;
import dev.loop.stream.StreamReader;
import dev.loop.stream.StreamWriter;
import dev.loop.stream.Streams;
import dev.loop.transport.DatagramProtocol;
import dev.loop.transport.DatagramTransport;
import dev.loop.transport.Protocol;
import dev.loop.transport.Server;
import dev.loop.transport.Transport;

/**
 * What the demo runs on the loops, started after them and stopped before them: the echo servers (TCP, unix, UDP), the SIGHUP
 * reload and the heartbeat on {@code eventLoop}; the directory watch on the second loop, {@code files}
 * ({@code loop.loops.files} in application.yml: the poll poller, a thread of its own).
 */
@Component
public class LoopServices implements SmartLifecycle {

    private static final System.Logger LOG = dev.loop.LoopLogging.getLogger(LoopServices.class.getName());

    private final EventLoop loop;
    private final EventLoop files;
    private final DemoProperties properties;
    private final AtomicLong reloads = new AtomicLong();
    private final AtomicLong heartbeats = new AtomicLong();
    private volatile Instant lastReload;
    private volatile String motd = "";
    private final List<Server> servers = new ArrayList<>();
    private Server motdServer;
    private volatile DatagramTransport udpEcho;
    private volatile SocketAddress udpAddress;
    private DirectoryWatch watch;
    private TimerHandle heartbeat;
    private volatile boolean running;

    public LoopServices(EventLoop loop, @Qualifier("files") EventLoop files, DemoProperties properties) {
        this.loop = loop;
        this.files = files;
        this.properties = properties;
    }

    /**
     * The TCP echo, with streams: what arrives goes back, and the next read waits until the peer has taken it
     * (drain), so a client that sends without reading slows itself down instead of filling the server's memory.
     */
    static void echo(StreamReader reader, StreamWriter writer) {
        reader.read(64 * 1024)
                .thenCompose(data -> {
                    if (data.length == 0) {
                        return CompletableFuture.completedFuture(false); // the end of the stream
                    }
                    writer.write(data);
                    return writer.drain().thenApply(drained -> true);
                })
                .whenComplete((more, failure) -> {
                    if (failure == null && more) {
                        echo(reader, writer); // the peer took it all: read on
                    } else {
                        writer.close(); // the end of the stream, or a connection gone wrong
                    }
                });
    }

    /** The unix-socket echo, as a protocol: every byte back as it arrives. */
    static final class Echo implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            transport.write(data);
        }
    }

    /** The UDP echo: every datagram back to its sender. */
    static final class DatagramEcho implements DatagramProtocol {
        private DatagramTransport transport;

        @Override
        public void connectionMade(DatagramTransport t) {
            transport = t;
        }

        @Override
        public void datagramReceived(ByteBuffer data, SocketAddress sender) {
            transport.sendto(data, sender);
        }

        @Override
        public void errorReceived(Exception error) {
            LOG.log(System.Logger.Level.DEBUG, "UDP echo: " + error.getMessage()); // e.g. a sender gone (ICMP)
        }
    }

    /** Sends the motd file as it is now with sendfile (no byte through the JVM), then closes. */
    final class MotdSender implements Protocol {
        @Override
        public void connectionMade(Transport t) {
            loop.callSoon(() -> { // after the transport's start-up
                var file = properties.watch().dirOrDefault().resolve("motd");
                if (!Files.isRegularFile(file)) {
                    t.close();
                    return;
                }
                loop.sendfile(t, file, 0, 0).whenComplete((sent, e) -> {
                    if (e != null) {
                        LOG.log(System.Logger.Level.WARNING, "sending motd failed", e);
                    }
                    t.close();
                });
            });
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            // the client has nothing to say
        }
    }

    @Override
    public void start() {
        try {
            servers.add(Streams.startServer(loop, LoopServices::echo, "127.0.0.1", properties.echo().port())
                    .get(10, TimeUnit.SECONDS));
            motdServer = loop.createServer(MotdSender::new, "127.0.0.1", properties.motd().port())
                    .get(10, TimeUnit.SECONDS);
            servers.add(loop.createUnixServer(Echo::new, properties.echo().unixPathOrDefault()).get(10, TimeUnit.SECONDS));
            udpEcho = loop.createDatagramEndpoint(DatagramEcho::new,
                    new InetSocketAddress("127.0.0.1", properties.udp().port()), null).get(10, TimeUnit.SECONDS).transport();
            udpAddress = onLoop(udpEcho::localAddress);
            Files.createDirectories(properties.watch().dirOrDefault());
            watch = files.submit(() -> new DirectoryWatch(files, properties.watch().dirOrDefault()))
                    .get(10, TimeUnit.SECONDS);
            if (!properties.worker().command().isEmpty()) {
                startWorker(properties.worker().command());
            }
            onLoop(() -> {
                // Not chained to the JVM's handler: SIGHUP reloads here instead of shutting the JVM down.
                loop.addSignalHandler("HUP", this::reload, false);
                heartbeat = loop.callLater(properties.heartbeat(), this::beat);
                return null;
            });
        } catch (Exception e) {
            throw new IllegalStateException("starting the demo's loop services failed", e);
        }
        running = true;
        LOG.log(System.Logger.Level.INFO, "echo servers on " + addresses() + ", UDP echo on " + udpAddress + ", watching "
                + watch.dir());
    }

    /**
     * The worker child: left to the loop's graceful shutdown (SIGTERM to its whole process group, SIGKILL at the
     * deadline), which logs what it waits for and what it had to kill.
     */
    private void startWorker(List<String> command) throws Exception {
        var started = loop.subprocessExec(WorkerOutput::new, command, ProcessOptions.DEFAULTS
                .withStdin(ProcessOptions.Redirect.DEVNULL).withStderr(ProcessOptions.Redirect.STDOUT)
                .withProcessGroup(true)).get(10, TimeUnit.SECONDS);
        LOG.log(System.Logger.Level.INFO, "worker started: pid " + started.transport().pid() + ", " + command);
    }

    /** Logs what the worker prints, line by line. */
    static final class WorkerOutput implements SubprocessProtocol {
        private final StringBuilder line = new StringBuilder();

        @Override
        public void pipeDataReceived(int fd, ByteBuffer data) {
            while (data.hasRemaining()) {
                char c = (char) data.get();
                if (c == '\n') {
                    LOG.log(System.Logger.Level.INFO, "worker: " + line);
                    line.setLength(0);
                } else {
                    line.append(c);
                }
            }
        }

        @Override
        public void processExited() {
            LOG.log(System.Logger.Level.INFO, "worker exited");
        }
    }

    private void beat() {
        heartbeats.incrementAndGet();
        heartbeat = loop.callLater(properties.heartbeat(), this::beat);
    }

    /** SIGHUP: re-read the message of the day from the watched directory, and count. */
    private void reload() {
        try {
            var file = properties.watch().dirOrDefault().resolve("motd");
            motd = Files.exists(file) ? Files.readString(file).trim() : "";
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "reload could not read motd", e);
        }
        lastReload = Instant.now();
        reloads.incrementAndGet();
        LOG.log(System.Logger.Level.INFO, "reloaded on SIGHUP (" + reloads.get() + ")");
    }

    @Override
    public void stop() {
        running = false;
        try {
            onLoop(() -> {
                if (heartbeat != null) {
                    heartbeat.cancel();
                }
                loop.removeSignalHandler("HUP");
                return null;
            });
            if (watch != null) {
                files.submit(() -> {
                    watch.close();
                    return null;
                }).get(10, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "stopping the demo's loop services", e);
        }
        servers.forEach(Server::close);
        servers.clear();
        DatagramTransport udp = udpEcho;
        udpEcho = null;
        udpAddress = null;
        if (udp != null) {
            loop.execute(udp::close);
        }
        if (motdServer != null) {
            motdServer.close();
            motdServer = null;
        }
    }

    /** Runs {@code action} on the loop thread and waits for its result. */
    private <T> T onLoop(java.util.concurrent.Callable<T> action) throws Exception {
        return loop.submit(action).get(10, TimeUnit.SECONDS);
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** After the loop (which starts in a lower phase) and before the web server stops. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 3072;
    }

    /** Where the motd server listens, or null when stopped. */
    public SocketAddress motdAddress() {
        Server s = motdServer;
        return s == null || s.addresses().isEmpty() ? null : s.addresses().get(0);
    }

    /** Where the UDP echo listens, or null when stopped. */
    public SocketAddress udpAddress() {
        return udpAddress;
    }

    public List<SocketAddress> addresses() {
        return servers.stream().flatMap(s -> s.addresses().stream()).toList();
    }

    public long reloads() {
        return reloads.get();
    }

    public Instant lastReload() {
        return lastReload;
    }

    public String motd() {
        return motd;
    }

    public long heartbeats() {
        return heartbeats.get();
    }

    public DirectoryWatch watch() {
        return watch;
    }

    Duration heartbeatInterval() {
        return properties.heartbeat();
    }
}

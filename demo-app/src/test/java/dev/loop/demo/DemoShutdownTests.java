package dev.loop.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Starting and stopping the whole demo leaves no descriptor and no thread of ours behind. */
class DemoShutdownTests {

    /** Open descriptors that are sockets, pipes or anonymous inodes (epoll, eventfd, inotify, pidfd). */
    static Map<Integer, String> ioDescriptors() throws IOException {
        Map<Integer, String> out = new TreeMap<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    if (target.startsWith("socket:") || target.startsWith("pipe:") || target.startsWith("anon_inode:")) {
                        out.put(Integer.parseInt(p.getFileName().toString()), target);
                    }
                } catch (IOException e) {
                    // closed meanwhile (the directory stream's own fd)
                }
            }
        }
        return out;
    }

    /** The /proc/net lines of leaked sockets, to say what they are. */
    static String describe(Map<Integer, String> fds) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String target : fds.values()) {
            sb.append(target).append('\n');
            if (!target.startsWith("socket:")) {
                continue;
            }
            String inode = target.replaceAll("\\D", "");
            for (String table : new String[] {"tcp", "tcp6", "udp", "udp6", "unix", "netlink"}) {
                for (String line : Files.readAllLines(Path.of("/proc/net/" + table))) {
                    if (line.matches(".*\\s" + inode + "(\\s.*|$)")) {
                        sb.append(table).append(": ").append(line.trim()).append('\n');
                    }
                }
            }
        }
        try {
            Process ss = new ProcessBuilder("ss", "-xpna").redirectErrorStream(true).start();
            String all = new String(ss.getInputStream().readAllBytes());
            for (String target : fds.values()) {
                String inode = target.replaceAll("\\D", "");
                if (inode.isEmpty()) {
                    continue;
                }
                all.lines().filter(l -> l.contains(" " + inode + " ")).forEach(l -> sb.append("ss: ").append(l).append('\n'));
            }
        } catch (IOException e) {
            sb.append("(ss: ").append(e.getMessage()).append(')');
        }
        return sb.toString();
    }

    static Set<String> loopThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("eventloop") || n.startsWith("eventLoop") || n.startsWith("loop-"))
                .collect(Collectors.toSet());
    }

    @Test
    void shutdownLeavesNoDescriptorOrThreadBehind(@TempDir Path dir) throws Exception {
        // A first start and stop, because the JDK keeps one socket of its own for good once its socket
        // classes start (the "pre-close" descriptor: one end of a socketpair whose other end it closed); it
        // shows even with the loop's auto-configuration excluded. The second start and stop is measured.
        new SpringApplicationBuilder(DemoApplication.class).run("--server.port=0", "--demo.echo.port=0", "--demo.motd.port=0", "--demo.udp.port=0",
                "--demo.echo.unix-path=" + dir.resolve("warm.sock"), "--demo.watch.dir=" + dir.resolve("w"),
                "--spring.jmx.enabled=false").close();
        Map<Integer, String> fdsBefore = ioDescriptors();
        Set<String> threadsBefore = loopThreads();
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(DemoApplication.class).run(
                "--server.port=0", "--demo.echo.port=0", "--demo.motd.port=0", "--demo.udp.port=0", "--demo.echo.unix-path=" + dir.resolve("e.sock"),
                "--demo.watch.dir=" + dir.resolve("w"), "--spring.jmx.enabled=false");
        assertThat(loopThreads()).contains("eventloop");
        assertThat(ioDescriptors().size()).isGreaterThan(fdsBefore.size());
        ctx.close();
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(loopThreads()).isEqualTo(threadsBefore);
            Map<Integer, String> leaked = new TreeMap<>(ioDescriptors());
            leaked.keySet().removeAll(fdsBefore.keySet());
            assertThat(leaked).as("descriptors left open: " + describe(leaked)).isEmpty();
        });
        assertThat(Files.exists(dir.resolve("e.sock"))).as("unix socket file removed").isFalse();
    }
}

package dev.loop.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The demo's settings ({@code demo.*}).
 *
 * @param echo      the echo servers
 * @param motd      the server that sends the message of the day with sendfile
 * @param udp       the UDP echo endpoint
 * @param watch     the directory watched through inotify
 * @param heartbeat how often the heartbeat timer fires
 * @param worker    a long-running child process the demo keeps (none by default)
 */
@ConfigurationProperties("demo")
public record DemoProperties(Echo echo, Motd motd, Udp udp, Watch watch, Duration heartbeat, Worker worker) {

    public DemoProperties {
        echo = echo != null ? echo : new Echo(7007, null);
        motd = motd != null ? motd : new Motd(7008);
        udp = udp != null ? udp : new Udp(7009);
        watch = watch != null ? watch : new Watch(null);
        heartbeat = heartbeat != null ? heartbeat : Duration.ofSeconds(1);
        worker = worker != null ? worker : new Worker(List.of());
    }

    /**
     * @param command a child started with the demo (argv; empty: none), in a process group of its own so that
     *                the shutdown's signals reach its own children too; its output is logged line by line
     */
    public record Worker(List<String> command) {
        public Worker {
            command = command == null ? List.of() : List.copyOf(command);
        }
    }

    /**
     * @param port     TCP port of the echo server on 127.0.0.1 (0: any free port)
     * @param unixPath path of the unix-socket echo server (default: loop-demo-echo.sock in the temp directory)
     */
    public record Echo(int port, Path unixPath) {
        public Path unixPathOrDefault() {
            return unixPath != null ? unixPath : Path.of(System.getProperty("java.io.tmpdir"), "loop-demo-echo.sock");
        }
    }

    /**
     * @param port TCP port on 127.0.0.1 that sends the watched directory's {@code motd} file to each client
     *             with the kernel's sendfile, then closes (0: any free port)
     */
    public record Motd(int port) {
    }

    /** @param port UDP port on 127.0.0.1 that sends every datagram back to its sender (0: any free port) */
    public record Udp(int port) {
    }

    /** @param dir the directory to watch (default: loop-demo-watch in the temp directory, created if missing) */
    public record Watch(Path dir) {
        public Path dirOrDefault() {
            return dir != null ? dir : Path.of(System.getProperty("java.io.tmpdir"), "loop-demo-watch");
        }
    }
}

package dev.loop.bench.echo;

import java.util.HashMap;
import java.util.Map;

import dev.loop.Backend;
import dev.loop.PollerKind;

/**
 * {@code java -jar loop-echo.jar --backend selector --poller epoll --port 7000}: an echo server on
 * one loop thread, which prints one line when listening and runs until killed. {@code --server
 * netty-epoll|netty-io_uring|netty-nio|jdk-nio} starts one of the peers instead, for the comparison.
 */
public final class EchoMain {

    private EchoMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parse(args);
        String kind = opts.getOrDefault("server", "loop");
        Backend backend = opts.containsKey("backend") && !opts.get("backend").equals("auto")
                ? Backend.valueOf(opts.get("backend").toUpperCase(java.util.Locale.ROOT)) : null;
        PollerKind poller = opts.containsKey("poller") && !opts.get("poller").equals("auto")
                ? PollerKind.valueOf(opts.get("poller").toUpperCase(java.util.Locale.ROOT)) : null;
        int port = Integer.parseInt(opts.getOrDefault("port", "7000"));
        EchoServers.Running server = EchoServers.start(kind, backend, poller, port);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        System.out.println("echo server listening on 127.0.0.1:" + server.port() + " (" + server.describe() + ")");
        System.out.flush();
        Thread.currentThread().join(); // until killed
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got " + String.join(" ", args));
            }
            m.put(args[i].substring(2), args[++i]);
        }
        return m;
    }
}

package dev.loop.demo;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.loop.EventLoop;
import dev.loop.process.ProcessOptions;
import dev.loop.stream.Streams;

/** The demo's HTTP API. */
@RestController
@RequestMapping("/api")
public class DemoController {

    /** The command behind /api/system: a fixed argument list; nothing from a request ever reaches it. */
    static final List<String> SYSTEM_COMMAND = List.of("uname", "-a");

    private final EventLoop loop;
    private final LoopServices services;

    public DemoController(EventLoop loop, LoopServices services) {
        this.loop = loop;
        this.services = services;
    }

    public record SystemInfo(List<String> command, int exitCode, String output) {
    }

    /**
     * Runs {@code uname -a} as a child of the loop (posix_spawn, pidfd exit), its output read as a stream, and
     * answers when it finished.
     */
    @GetMapping("/system")
    public CompletableFuture<SystemInfo> system() {
        return Streams.subprocessExec(loop, SYSTEM_COMMAND, ProcessOptions.DEFAULTS
                .withStdin(ProcessOptions.Redirect.DEVNULL).withStderr(ProcessOptions.Redirect.STDOUT))
                .thenCompose(p -> p.communicate(null))
                .thenApply(out -> new SystemInfo(SYSTEM_COMMAND, out.exitCode(),
                        new String(out.stdout(), StandardCharsets.UTF_8).trim()));
    }

    /** Recent changes in the watched directory, newest first. */
    @GetMapping("/files")
    public Map<String, Object> files() {
        return Map.of("dir", services.watch().dir().toString(), "changes", services.watch().recent());
    }

    /** The echo servers' addresses, reloads, heartbeats. */
    @GetMapping("/status")
    public Map<String, Object> status() {
        return Map.of("echoServers", services.addresses().stream().map(Object::toString).toList(),
                "motdServer", String.valueOf(services.motdAddress()), "udpEcho", String.valueOf(services.udpAddress()), "reloads", services.reloads(), "motd",
                services.motd(), "heartbeats", services.heartbeats());
    }
}

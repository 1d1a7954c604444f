package dev.loop.internal.transport;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

import dev.loop.NativeIOException;
import dev.loop.internal.engine.Loop;

/** Host names to addresses for a loop's servers and connections, never blocking the loop thread. */
record NameResolver(Loop loop) {

    private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /**
     * The addresses of {@code host}: literals at once, names through {@link InetAddress#getAllByName}
     * in the loop's default executor (never on the loop thread). {@code null} or empty for a server
     * means every interface, IPv4 and IPv6.
     */
    CompletableFuture<List<InetAddress>> resolve(String host, boolean passive) {
        try {
            if (host == null || host.isEmpty()) {
                if (!passive) {
                    throw new IllegalArgumentException("a host is required to connect");
                }
                return CompletableFuture.completedFuture(List.of(InetAddress.getByName("0.0.0.0"),
                        InetAddress.getByName("::")));
            }
            if (host.indexOf(':') >= 0 || IPV4_LITERAL.matcher(host).matches()) {
                return CompletableFuture.completedFuture(List.of(InetAddress.getByName(host))); // a literal: no lookup
            }
        } catch (java.net.UnknownHostException e) {
            return CompletableFuture.failedFuture(e);
        }
        return loop.runInExecutor(null, () -> {
            InetAddress[] all = InetAddress.getAllByName(host);
            if (all.length == 0) {
                throw new NativeIOException("getaddrinfo() returned empty list for " + host, null);
            }
            return List.copyOf(new LinkedHashSet<>(Arrays.asList(all)));
        });
    }

    /** {@code getAddrInfo}: the addresses of {@code host}, each with {@code port}. */
    CompletableFuture<List<java.net.InetSocketAddress>> addresses(String host, int port) {
        Objects.requireNonNull(host, "host");
        checkPort(port);
        return resolve(host, false).thenApply(ips -> ips.stream().map(ip -> new java.net.InetSocketAddress(ip, port)).toList());
    }

    /** {@code getNameInfo}: the name of {@code address} by reverse lookup, or its literal when it has none. */
    CompletableFuture<String> name(InetAddress address) {
        Objects.requireNonNull(address, "address");
        return loop.runInExecutor(null, () -> InetAddress.getByAddress(address.getAddress()).getHostName());
    }

    static void checkPort(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }
}

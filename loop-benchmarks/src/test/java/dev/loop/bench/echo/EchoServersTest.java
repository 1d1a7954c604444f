package dev.loop.bench.echo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.loop.PollerKind;

/**
 * Every server of the echo comparison echoes every byte, and the load client checks what comes back,
 * so the comparison cannot report round trips of a server that drops or corrupts data. No timing is
 * asserted here: the numbers come from EchoComparison runs.
 */
class EchoServersTest {

    @ParameterizedTest
    @ValueSource(strings = {"loop", "loop-proactor", "netty-epoll", "netty-io_uring", "netty-nio", "jdk-nio"})
    void echoesEveryByteUnderThePingPongClient(String kind) throws Exception {
        EchoServers.Running started = kind.equals("loop-proactor")
                ? EchoServers.start("loop", dev.loop.Backend.PROACTOR, null, 0)
                : EchoServers.start(kind, null, kind.equals("loop") ? PollerKind.EPOLL : null, 0);
        try (EchoServers.Running server = started) {
            assertThat(server.describe()).isNotBlank();
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                byte[] big = new byte[1 << 20];
                for (int i = 0; i < big.length; i++) {
                    big[i] = (byte) (i * 13);
                }
                Thread writer = new Thread(() -> {
                    try {
                        out.write(big);
                        out.write("end".getBytes(StandardCharsets.US_ASCII));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                writer.start();
                byte[] back = in.readNBytes(big.length + 3);
                writer.join();
                assertThat(back).hasSize(big.length + 3);
                for (int i = 0; i < big.length; i++) {
                    if (back[i] != big[i]) {
                        throw new AssertionError("byte " + i + " differs");
                    }
                }
            }
            EchoClient.Result r = EchoClient.run(server.port(), 8, 1024, 0.05, 0.2);
            assertThat(r.roundTrips()).isPositive();
            assertThat(r.bytesChecked()).isGreaterThanOrEqualTo(r.roundTrips() * 1024);
        }
    }
}

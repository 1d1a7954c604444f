package dev.loop.internal.transport;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.loop.capability.Capability;
import dev.loop.internal.engine.Loop;
import dev.loop.internal.nativeio.Descriptors;
import dev.loop.internal.nativeio.Descriptors.FileType;
import dev.loop.transport.Connection;
import dev.loop.transport.Protocol;
import dev.loop.transport.Transport;

/**
 * Transports on an application's descriptor: a pipe, FIFO, socket or character device (tty, pty), read or
 * written; regular files and directories are refused (no backend can watch them).
 */
record PipeTransports(Loop loop, StreamIo io) {

    public <P extends Protocol> CompletableFuture<Connection<Transport, P>> connectReadPipe(Supplier<P> factory, int fd) {
        return connectPipe(factory, fd, false, "connectReadPipe");
    }

    public <P extends Protocol> CompletableFuture<Connection<Transport, P>> connectWritePipe(Supplier<P> factory,
            int fd) {
        return connectPipe(factory, fd, true, "connectWritePipe");
    }

    private <P extends Protocol> CompletableFuture<Connection<Transport, P>> connectPipe(Supplier<P> factory, int fd,
            boolean write, String method) {
        Objects.requireNonNull(factory, "protocolFactory");
        return loop.onLoop(() -> {
            String what = method + "(fd " + fd + ")";
            loop.capabilities().require(Capability.PIPES, what);
            FileType type = Descriptors.type(fd);
            if (type == null) {
                throw new IllegalArgumentException("Invalid file descriptor: " + fd + " is not open (EBADF)");
            }
            switch (type) {
                case REGULAR_FILE, DIRECTORY -> {
                    loop.capabilities().require(Capability.FILE_IO_MONITORING, what + ": a "
                            + (type == FileType.DIRECTORY ? "directory" : "regular file"));
                    throw new IllegalArgumentException("Pipe transport is for pipes, sockets and character devices");
                }
                case CHARACTER_DEVICE -> {
                    loop.capabilities().require(Capability.CHARACTER_DEVICES, what);
                    loop.recordUse(Capability.CHARACTER_DEVICES, "device");
                }
                case FIFO, SOCKET -> {
                }
                default -> throw new IllegalArgumentException(
                        "Pipe transport is for pipes, sockets and character devices, not " + type + " (fd " + fd + ")");
            }
            loop.recordUse(Capability.PIPES, "pipe");
            CompletableFuture<Connection<Transport, P>> made = new CompletableFuture<>();
            P protocol = factory.get();
            StreamTransport t = write ? new WritePipeTransport(loop, io, fd, protocol, type != FileType.CHARACTER_DEVICE)
                    : new ReadPipeTransport(loop, io, fd, protocol);
            t.start(made, () -> new Connection<>(t, protocol));
            return made;
        });
    }
}

package dev.loop.transport;

import java.net.NetworkInterface;

/**
 * Options of {@code createDatagramEndpoint}, with asyncio's defaults. {@code SO_REUSEADDR} is not offered: for
 * UDP it lets another process take over the port (asyncio removed it for that reason); use {@code reusePort}.
 *
 * @param reusePort          {@code SO_REUSEPORT}: several sockets bound to one port share its datagrams (false)
 * @param allowBroadcast     {@code SO_BROADCAST}: sending to broadcast addresses (false)
 * @param receiveBufferSize  {@code SO_RCVBUF} in bytes (0: the kernel's default); what does not fit while the
 *                           application does not read is dropped by the kernel
 * @param sendBufferSize     {@code SO_SNDBUF} in bytes (0: the kernel's default)
 * @param multicastInterface the interface multicast datagrams are sent from ({@code IP_MULTICAST_IF},
 *                           {@code IPV6_MULTICAST_IF}); {@code null}: the route's
 */
public record DatagramOptions(boolean reusePort, boolean allowBroadcast, int receiveBufferSize, int sendBufferSize,
        NetworkInterface multicastInterface) {

    public static final DatagramOptions DEFAULTS = new DatagramOptions(false, false, 0, 0, null);

    public DatagramOptions {
        if (receiveBufferSize < 0 || sendBufferSize < 0) {
            throw new IllegalArgumentException("buffer sizes must be >= 0 (0: the kernel's default): receive "
                    + receiveBufferSize + ", send " + sendBufferSize);
        }
    }

    public DatagramOptions withReusePort(boolean reusePort) {
        return new DatagramOptions(reusePort, allowBroadcast, receiveBufferSize, sendBufferSize, multicastInterface);
    }

    public DatagramOptions withAllowBroadcast(boolean allowBroadcast) {
        return new DatagramOptions(reusePort, allowBroadcast, receiveBufferSize, sendBufferSize, multicastInterface);
    }

    public DatagramOptions withReceiveBufferSize(int receiveBufferSize) {
        return new DatagramOptions(reusePort, allowBroadcast, receiveBufferSize, sendBufferSize, multicastInterface);
    }

    public DatagramOptions withSendBufferSize(int sendBufferSize) {
        return new DatagramOptions(reusePort, allowBroadcast, receiveBufferSize, sendBufferSize, multicastInterface);
    }

    public DatagramOptions withMulticastInterface(NetworkInterface multicastInterface) {
        return new DatagramOptions(reusePort, allowBroadcast, receiveBufferSize, sendBufferSize, multicastInterface);
    }
}

package dev.loop.internal.engine;

import dev.loop.capability.Capabilities;
import dev.loop.capability.Capability;
import dev.loop.internal.nativeio.Descriptors;
import dev.loop.internal.nativeio.Descriptors.FileType;
import dev.loop.internal.nativeio.Linux;

/**
 * What a backend can watch, checked before anything is done with a descriptor, so that an unsupported one is
 * refused with a {@link dev.loop.capability.CapabilityNotSupportedException} naming the capability.
 */
final class DescriptorChecks {

    private DescriptorChecks() {
    }

    /** Refuses a descriptor this backend cannot watch at all (select: FD_SETSIZE and above). */
    static void requireWatchable(Capabilities capabilities, int fd, String what) {
        if (fd >= Linux.FD_SETSIZE) {
            capabilities.require(Capability.DESCRIPTORS_ABOVE_FD_SETSIZE, what + " (>= FD_SETSIZE)");
        }
    }

    /**
     * The checks of a new registration, before the backend's native call: descriptor range (select), then
     * what the descriptor is (statx): not open, regular file or directory, character device. Returns what
     * statx said of it.
     */
    static Descriptors.FileStat checkNew(Capabilities capabilities, int fd, String method, long descriptorLimit) {
        capabilities.require(Capability.READINESS_CALLBACKS, method + "(fd " + fd + ")");
        if (fd >= descriptorLimit) {
            capabilities.require(Capability.DESCRIPTORS_ABOVE_FD_SETSIZE,
                    method + "(fd " + fd + "): descriptor " + fd + " >= " + descriptorLimit);
            throw new IllegalArgumentException("descriptor " + fd + " is above this poller's limit");
        }
        Descriptors.FileStat stat = Descriptors.stat(fd);
        if (stat == null) {
            throw new IllegalArgumentException("Invalid file descriptor: " + fd + " is not open (EBADF)");
        }
        FileType type = stat.type();
        if (type == FileType.REGULAR_FILE || type == FileType.DIRECTORY) {
            capabilities.require(Capability.FILE_IO_MONITORING,
                    method + "(fd " + fd + "): a " + (type == FileType.DIRECTORY ? "directory" : "regular file"));
            // Supported nowhere, but if a row ever says yes, epoll would still refuse with EPERM.
        }
        if (type == FileType.CHARACTER_DEVICE) {
            capabilities.require(Capability.CHARACTER_DEVICES, method + "(fd " + fd + "): a character device");
        }
        return stat;
    }
}

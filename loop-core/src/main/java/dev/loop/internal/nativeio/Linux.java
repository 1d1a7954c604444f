package dev.loop.internal.nativeio;

/**
 * Linux constants and per-architecture layouts (the same on x86_64 and aarch64 unless said).
 * Checked against the C headers by {@code NativeLayoutTest}, which compiles a probe with gcc.
 */
public final class Linux {

    private Linux() {
    }

    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0x40;
    public static final int O_NOCTTY = 0x100;
    /** Differs by architecture (asm-generic values on aarch64). */
    public static final int O_DIRECTORY = oDirectory(Arch.current());
    public static final int IN_CLOEXEC = 0x80000;
    public static final int IN_NONBLOCK = 0x800;
    public static final int IN_CREATE = 0x100;
    public static final int IN_CLOSE_WRITE = 0x8;
    public static final int IN_DELETE = 0x200;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;

    public static final int F_DUPFD_CLOEXEC = 1030;
    public static final int F_GETFD = 1;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int FD_CLOEXEC = 1;

    public static final int EFD_NONBLOCK = 0x800;
    public static final int EFD_CLOEXEC = 0x80000;
    public static final int TFD_NONBLOCK = 0x800;
    public static final int TFD_CLOEXEC = 0x80000;
    public static final int EPOLL_CLOEXEC = 0x80000;

    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_TYPE = 3;
    public static final int SO_DOMAIN = 39;
    public static final int SO_ERROR = 4;
    public static final int SO_KEEPALIVE = 9;
    public static final int SO_LINGER = 13;
    public static final int SO_REUSEPORT = 15;
    public static final int SO_BROADCAST = 6;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int IPPROTO_IP = 0;
    public static final int IP_MULTICAST_IF = 32;
    public static final int IP_MULTICAST_LOOP = 34;
    public static final int IP_ADD_MEMBERSHIP = 35;
    public static final int IP_DROP_MEMBERSHIP = 36;
    /** {@code struct ip_mreqn}: group, local address, interface index. */
    public static final int IP_MREQN_SIZE = 12;
    public static final int IPV6_MULTICAST_IF = 17;
    public static final int IPV6_MULTICAST_LOOP = 19;
    public static final int IPV6_ADD_MEMBERSHIP = 20;
    public static final int IPV6_DROP_MEMBERSHIP = 21;
    /** {@code struct ipv6_mreq}: group, interface index. */
    public static final int IPV6_MREQ_SIZE = 20;
    public static final int IPPROTO_TCP = 6;
    public static final int TCP_NODELAY = 1;
    public static final int IPPROTO_IPV6 = 41;
    public static final int IPV6_V6ONLY = 26;
    public static final int SHUT_WR = 1;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int SOCKADDR_IN_SIZE = 16;
    public static final int SOCKADDR_IN6_SIZE = 28;
    public static final int SOCKADDR_UN_SIZE = 110;
    public static final int SOCKADDR_UN_PATH_OFFSET = 2;
    public static final int SOCKADDR_STORAGE_SIZE = 128;
    public static final int IOVEC_SIZE = 16;
    public static final int IOV_MAX = 1024;
    /** {@code struct msghdr}: the gather list of a vectored send. */
    public static final int MSGHDR_SIZE = 56;
    public static final int MSGHDR_IOV = 16;
    public static final int MSGHDR_IOVLEN = 24;
    public static final int MSGHDR_NAME = 0;
    public static final int MSGHDR_NAMELEN = 8;
    public static final int MSGHDR_FLAGS = 48;
    /** {@code struct mmsghdr} (recvmmsg, sendmmsg): a msghdr and the datagram's length. */
    public static final int MMSGHDR_SIZE = 64;
    public static final int MMSGHDR_LEN = 56;

    /** io_uring (syscall numbers are the same on x86_64 and aarch64). */
    public static final long SYS_IO_URING_SETUP = 425;
    public static final long SYS_IO_URING_ENTER = 426;
    public static final long SYS_IO_URING_REGISTER = 427;
    public static final int IO_URING_PARAMS_SIZE = 120;
    public static final int IO_URING_SQE_SIZE = 64;
    public static final int IO_URING_CQE_SIZE = 16;
    public static final int IO_URING_GETEVENTS_ARG_SIZE = 24;
    public static final long IORING_OFF_SQ_RING = 0;
    public static final long IORING_OFF_CQ_RING = 0x8000000L;
    public static final long IORING_OFF_SQES = 0x10000000L;
    public static final int IORING_SETUP_COOP_TASKRUN = 1 << 8;
    /** In a RECV/SEND SQE's ioprio: arm the poll first instead of trying the transfer at once (5.19+). */
    public static final int IORING_RECVSEND_POLL_FIRST = 1;
    public static final int IORING_FEAT_SINGLE_MMAP = 1;
    public static final int IORING_FEAT_NODROP = 2;
    public static final int IORING_FEAT_EXT_ARG = 0x100;
    public static final int IORING_ENTER_GETEVENTS = 1;
    public static final int IORING_ENTER_EXT_ARG = 8;
    public static final int IORING_REGISTER_PROBE = 8;
    /** Registers a ring of provided buffers ({@code struct io_uring_buf_reg}, 40 bytes; 5.19+). */
    public static final int IORING_REGISTER_PBUF_RING = 22;
    public static final int IORING_UNREGISTER_PBUF_RING = 23;
    public static final int IO_URING_BUF_REG_SIZE = 40;
    /** {@code struct io_uring_buf}: addr (u64), len (u32), bid (u16), resv (u16); the ring's tail is bufs[0].resv. */
    public static final int IO_URING_BUF_SIZE = 16;
    public static final int IO_URING_BUF_RING_TAIL = 14;
    /** {@code struct io_uring_recvmsg_out}, first in a multishot RECVMSG's buffer: namelen, controllen, payloadlen, flags. */
    public static final int IO_URING_RECVMSG_OUT_SIZE = 16;
    /** CQE flags: a provided buffer was used (its id in the upper 16 bits); more completions follow. */
    public static final int IORING_CQE_F_BUFFER = 1;
    public static final int IORING_CQE_F_MORE = 2;
    public static final int IORING_CQE_BUFFER_SHIFT = 16;
    public static final int IO_URING_OP_SUPPORTED = 1;
    public static final int IORING_OP_NOP = 0;
    public static final int IORING_OP_WRITEV = 2;
    public static final int IORING_OP_POLL_ADD = 6;
    public static final int IORING_OP_POLL_REMOVE = 7;
    public static final int IORING_OP_SENDMSG = 9;
    public static final int IORING_OP_RECVMSG = 10;
    /** {@code sqe->ioprio} of RECV/RECVMSG: one request delivers every datagram (5.19 RECV, 6.0 RECVMSG). */
    public static final int IORING_RECV_MULTISHOT = 2;
    /** {@code sqe->flags}: the kernel picks the buffer from group {@code buf_group}. */
    public static final int IOSQE_BUFFER_SELECT = 32;
    public static final int IORING_OP_TIMEOUT = 11;
    public static final int IORING_OP_ACCEPT = 13;
    public static final int IORING_OP_ASYNC_CANCEL = 14;
    public static final int IORING_OP_CONNECT = 16;
    public static final int IORING_OP_READ = 22;
    public static final int IORING_OP_WRITE = 23;
    public static final int IORING_OP_SEND = 26;
    public static final int IORING_OP_RECV = 27;
    public static final int PROT_READ_WRITE = 3;
    public static final int MAP_SHARED_POPULATE = 0x1 | 0x8000;
    public static final int MAP_PRIVATE_ANONYMOUS = 0x2 | 0x20;
    public static final int ECANCELED = 125;
    /** connect(2): the socket is already connected. */
    public static final int EISCONN = 106;
    public static final int ETIME = 62;

    /** Process waiting (waitid) and spawning. */
    public static final int P_PID = 1;
    public static final int P_PIDFD = 3;
    public static final int WEXITED = 4;
    /** waitid: leave the child waitable (a zombie keeps its pid from being reused). */
    public static final int WNOWAIT = 0x01000000;
    public static final int WNOHANG = 1;
    public static final int CLD_EXITED = 1;
    public static final int CLD_KILLED = 2;
    public static final int CLD_DUMPED = 3;
    public static final int SIGINFO_SIZE = 128;
    public static final int SIGINFO_CODE_OFFSET = 8;
    public static final int SIGINFO_PID_OFFSET = 16;
    public static final int SIGINFO_STATUS_OFFSET = 24;
    /** glibc's {@code struct sigaction}: the handler at offset 0, 152 bytes in all. */
    public static final int SIGACTION_SIZE = 152;
    /** {@code sa_handler} values that are not functions. */
    public static final long SIG_DFL = 0;
    public static final long SIG_IGN = 1;
    public static final int POSIX_SPAWN_SETPGROUP = 0x02;
    public static final int POSIX_SPAWN_SETSIGDEF = 0x04;
    public static final int POSIX_SPAWN_SETSIGMASK = 0x08;
    public static final int POSIX_SPAWN_SETSID = 0x80;
    /** glibc's opaque spawn structures are 80 and 336 bytes; 512 leaves room everywhere. */
    public static final int SPAWN_STRUCT_SIZE = 512;
    public static final int SIGSET_SIZE = 128;
    public static final long SYS_PIDFD_OPEN = 434;
    public static final long SYS_PIDFD_SEND_SIGNAL = 424;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;

    public static final int EPOLLIN = 0x1;
    public static final int EPOLLOUT = 0x4;
    public static final int EPOLLERR = 0x8;
    public static final int EPOLLHUP = 0x10;
    public static final int EPOLLRDHUP = 0x2000;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;

    public static final short POLLIN = 0x1;
    public static final short POLLOUT = 0x4;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;
    public static final short POLLNVAL = 0x20;

    public static final int CLOCK_MONOTONIC = 1;
    public static final int RLIMIT_NOFILE = 7;
    public static final int FD_SETSIZE = 1024;
    public static final int PR_SET_TIMERSLACK = 29;
    public static final int PR_GET_TIMERSLACK = 30;

    public static final int AT_EMPTY_PATH = 0x1000;
    public static final int STATX_TYPE = 0x1;
    public static final int STATX_SIZE = 256;
    public static final int STATX_MODE_OFFSET = 28;
    public static final int STATX_INO = 0x100;
    public static final int STATX_INO_OFFSET = 32;
    /** {@code stx_dev_major}, then {@code stx_dev_minor} (u32 each); always filled in. */
    public static final int STATX_DEV_MAJOR_OFFSET = 136;

    public static final int S_IFMT = 0xF000;
    public static final int S_IFIFO = 0x1000;
    public static final int S_IFCHR = 0x2000;
    public static final int S_IFDIR = 0x4000;
    public static final int S_IFBLK = 0x6000;
    public static final int S_IFREG = 0x8000;
    public static final int S_IFSOCK = 0xC000;

    /** Sizes of structures passed by address. */
    public static final int POLLFD_SIZE = 8;
    public static final int TIMESPEC_SIZE = 16;
    public static final int TIMEVAL_SIZE = 16;
    public static final int ITIMERSPEC_SIZE = 32;
    public static final int RLIMIT_SIZE = 16;
    public static final int FD_SET_SIZE_BYTES = FD_SETSIZE / 8;

    /** {@code struct epoll_event}: packed (12 bytes, data at 4) on x86_64, 16 bytes with data at 8 on aarch64. */
    public static final int EPOLL_EVENT_SIZE = epollEventSize(Arch.current());
    public static final int EPOLL_EVENT_DATA_OFFSET = epollEventDataOffset(Arch.current());

    /** Raw syscall numbers for calls without a libc wrapper on older glibc. */
    public static final long SYS_EPOLL_PWAIT2 = sysEpollPwait2(Arch.current());
    public static final long SYS_STATX = sysStatx(Arch.current());

    public static int epollEventSize(Arch arch) {
        return arch == Arch.X86_64 ? 12 : 16;
    }

    public static int epollEventDataOffset(Arch arch) {
        return arch == Arch.X86_64 ? 4 : 8;
    }

    public static int oDirectory(Arch arch) {
        return arch == Arch.AARCH64 ? 0x4000 : 0x10000;
    }

    public static long sysEpollPwait2(Arch arch) {
        return 441;
    }

    public static long sysStatx(Arch arch) {
        return arch == Arch.AARCH64 ? 291 : 332;
    }

    /** The architectures whose layouts are known; anything else is refused by the probe. */
    public enum Arch {
        X86_64, AARCH64, OTHER;

        private static final Arch CURRENT = detect();

        public static Arch current() {
            return CURRENT;
        }

        private static Arch detect() {
            String arch = System.getProperty("os.arch", "").toLowerCase(java.util.Locale.ROOT);
            return switch (arch) {
                case "amd64", "x86_64" -> X86_64;
                case "aarch64", "arm64" -> AARCH64;
                default -> OTHER;
            };
        }
    }
}

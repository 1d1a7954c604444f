package dev.loop.internal.nativeio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.loop.internal.nativeio.Linux.Arch;
import dev.loop.testsupport.NativeHelpers;

/**
 * Every layout and constant {@link Linux} hard-codes, against the C headers: the probe in
 * {@code src/test/native/layout_probe.c} is compiled with gcc for this machine and run, and compiled
 * with the aarch64 cross compiler and read back through symbol sizes, so both architectures are
 * checked here. {@code .ci/run} installs the cross compiler.
 */
class NativeLayoutTest {

    private static final Path SOURCE = NativeHelpers.SOURCES.resolve("layout_probe.c");
    private static final Path WORK = NativeHelpers.WORK;

    static Map<String, Long> expected(Arch arch) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("epoll_event_size", (long) Linux.epollEventSize(arch));
        m.put("epoll_event_data_offset", (long) Linux.epollEventDataOffset(arch));
        m.put("pollfd_size", (long) Linux.POLLFD_SIZE);
        m.put("pollfd_revents_offset", 6L);
        m.put("fd_set_size", (long) Linux.FD_SET_SIZE_BYTES);
        m.put("fd_setsize", (long) Linux.FD_SETSIZE);
        m.put("timespec_size", (long) Linux.TIMESPEC_SIZE);
        m.put("timeval_size", (long) Linux.TIMEVAL_SIZE);
        m.put("itimerspec_size", (long) Linux.ITIMERSPEC_SIZE);
        m.put("itimerspec_value_offset", 16L);
        m.put("rlimit_size", (long) Linux.RLIMIT_SIZE);
        m.put("statx_size", (long) Linux.STATX_SIZE);
        m.put("statx_mode_offset", (long) Linux.STATX_MODE_OFFSET);
        m.put("statx_ino_offset", (long) Linux.STATX_INO_OFFSET);
        m.put("statx_dev_major_offset", (long) Linux.STATX_DEV_MAJOR_OFFSET);
        m.put("statx_dev_minor_offset", (long) Linux.STATX_DEV_MAJOR_OFFSET + 4);
        m.put("statx_ino", (long) Linux.STATX_INO);
        m.put("sys_statx", Linux.sysStatx(arch));
        m.put("sys_epoll_pwait2", Linux.sysEpollPwait2(arch));
        m.put("o_nonblock", (long) Linux.O_NONBLOCK);
        m.put("o_cloexec", (long) Linux.O_CLOEXEC);
        m.put("o_noctty", (long) Linux.O_NOCTTY);
        m.put("o_directory", (long) Linux.oDirectory(arch));
        m.put("o_creat", (long) Linux.O_CREAT);
        m.put("f_dupfd_cloexec", (long) Linux.F_DUPFD_CLOEXEC);
        m.put("f_getfd", (long) Linux.F_GETFD);
        m.put("efd_nonblock", (long) Linux.EFD_NONBLOCK);
        m.put("efd_cloexec", (long) Linux.EFD_CLOEXEC);
        m.put("tfd_nonblock", (long) Linux.TFD_NONBLOCK);
        m.put("tfd_cloexec", (long) Linux.TFD_CLOEXEC);
        m.put("epoll_cloexec", (long) Linux.EPOLL_CLOEXEC);
        m.put("sock_nonblock", (long) Linux.SOCK_NONBLOCK);
        m.put("sock_cloexec", (long) Linux.SOCK_CLOEXEC);
        m.put("af_unix", (long) Linux.AF_UNIX);
        m.put("sock_stream", (long) Linux.SOCK_STREAM);
        m.put("epollin", (long) Linux.EPOLLIN);
        m.put("epollout", (long) Linux.EPOLLOUT);
        m.put("epollerr", (long) Linux.EPOLLERR);
        m.put("epollhup", (long) Linux.EPOLLHUP);
        m.put("epollrdhup", (long) Linux.EPOLLRDHUP);
        m.put("epoll_ctl_add", (long) Linux.EPOLL_CTL_ADD);
        m.put("epoll_ctl_del", (long) Linux.EPOLL_CTL_DEL);
        m.put("epoll_ctl_mod", (long) Linux.EPOLL_CTL_MOD);
        m.put("pollin", (long) Linux.POLLIN);
        m.put("pollout", (long) Linux.POLLOUT);
        m.put("pollerr", (long) Linux.POLLERR);
        m.put("pollhup", (long) Linux.POLLHUP);
        m.put("pollnval", (long) Linux.POLLNVAL);
        m.put("clock_monotonic", (long) Linux.CLOCK_MONOTONIC);
        m.put("rlimit_nofile", (long) Linux.RLIMIT_NOFILE);
        m.put("at_empty_path", (long) Linux.AT_EMPTY_PATH);
        m.put("statx_type", (long) Linux.STATX_TYPE);
        m.put("s_ifmt", (long) Linux.S_IFMT);
        m.put("s_ififo", (long) Linux.S_IFIFO);
        m.put("s_ifchr", (long) Linux.S_IFCHR);
        m.put("s_ifdir", (long) Linux.S_IFDIR);
        m.put("s_ifreg", (long) Linux.S_IFREG);
        m.put("s_ifsock", (long) Linux.S_IFSOCK);
        m.put("in_cloexec", (long) Linux.IN_CLOEXEC);
        m.put("in_nonblock", (long) Linux.IN_NONBLOCK);
        m.put("in_create", (long) Linux.IN_CREATE);
        m.put("pr_set_timerslack", (long) Linux.PR_SET_TIMERSLACK);
        m.put("eperm", (long) Errno.EPERM);
        m.put("enoent", (long) Errno.ENOENT);
        m.put("eintr", (long) Errno.EINTR);
        m.put("ebadf", (long) Errno.EBADF);
        m.put("eexist", (long) Errno.EEXIST);
        m.put("eagain", (long) Errno.EAGAIN);
        m.put("enosys", (long) Errno.ENOSYS);
        m.put("emfile", (long) Errno.EMFILE);
        m.put("af_inet", (long) Linux.AF_INET);
        m.put("af_inet6", (long) Linux.AF_INET6);
        m.put("sol_socket", (long) Linux.SOL_SOCKET);
        m.put("so_reuseaddr", (long) Linux.SO_REUSEADDR);
        m.put("so_error", (long) Linux.SO_ERROR);
        m.put("so_reuseport", (long) Linux.SO_REUSEPORT);
        m.put("ipproto_tcp", (long) Linux.IPPROTO_TCP);
        m.put("tcp_nodelay", (long) Linux.TCP_NODELAY);
        m.put("ipproto_ipv6", (long) Linux.IPPROTO_IPV6);
        m.put("ipv6_v6only", (long) Linux.IPV6_V6ONLY);
        m.put("shut_wr", (long) Linux.SHUT_WR);
        m.put("msg_nosignal", (long) Linux.MSG_NOSIGNAL);
        m.put("sockaddr_in_size", (long) Linux.SOCKADDR_IN_SIZE);
        m.put("sockaddr_in6_size", (long) Linux.SOCKADDR_IN6_SIZE);
        m.put("sockaddr_in6_addr_offset", (long) 8);
        m.put("sockaddr_in6_scope_offset", (long) 24);
        m.put("sockaddr_un_size", (long) Linux.SOCKADDR_UN_SIZE);
        m.put("sockaddr_un_path_offset", (long) Linux.SOCKADDR_UN_PATH_OFFSET);
        m.put("sockaddr_storage_size", (long) Linux.SOCKADDR_STORAGE_SIZE);
        m.put("p_pid", (long) Linux.P_PID);
        m.put("p_pidfd", (long) Linux.P_PIDFD);
        m.put("wexited", (long) Linux.WEXITED);
        m.put("wnohang", (long) Linux.WNOHANG);
        m.put("cld_exited", (long) Linux.CLD_EXITED);
        m.put("cld_killed", (long) Linux.CLD_KILLED);
        m.put("siginfo_size", (long) Linux.SIGINFO_SIZE);
        m.put("siginfo_code_offset", (long) Linux.SIGINFO_CODE_OFFSET);
        m.put("siginfo_status_offset", (long) Linux.SIGINFO_STATUS_OFFSET);
        m.put("prot_read_write", (long) Linux.PROT_READ_WRITE);
        m.put("map_shared_populate", (long) Linux.MAP_SHARED_POPULATE);
        m.put("map_private_anonymous", (long) Linux.MAP_PRIVATE_ANONYMOUS);
        m.put("sigaction_size", (long) Linux.SIGACTION_SIZE);
        m.put("sigaction_handler_offset", 0L);
        m.put("posix_spawn_setsigdef", (long) Linux.POSIX_SPAWN_SETSIGDEF);
        m.put("posix_spawn_setsigmask", (long) Linux.POSIX_SPAWN_SETSIGMASK);
        m.put("posix_spawn_setsid", (long) Linux.POSIX_SPAWN_SETSID);
        m.put("spawn_fa_fits", (long) 1);
        m.put("spawn_attr_fits", (long) 1);
        m.put("sigset_size", (long) Linux.SIGSET_SIZE);
        m.put("sys_pidfd_open", (long) Linux.SYS_PIDFD_OPEN);
        m.put("sys_pidfd_send_signal", (long) Linux.SYS_PIDFD_SEND_SIGNAL);
        m.put("econnrefused", (long) Errno.ECONNREFUSED);
        m.put("econnreset", (long) Errno.ECONNRESET);
        m.put("einprogress", (long) Errno.EINPROGRESS);
        m.put("eaddrinuse", (long) Errno.EADDRINUSE);
        m.put("eaddrnotavail", (long) Errno.EADDRNOTAVAIL);
        m.put("econnaborted", (long) Errno.ECONNABORTED);
        m.put("enobufs", (long) Errno.ENOBUFS);
        m.put("enfile", (long) Errno.ENFILE);
        m.put("enomem", (long) Errno.ENOMEM);
        m.put("epipe", (long) Errno.EPIPE);
        m.put("eio", (long) Errno.EIO);
        m.put("esrch", (long) Errno.ESRCH);
        m.put("enotconn", (long) Errno.ENOTCONN);
        m.put("ebusy", (long) Errno.EBUSY);
        m.put("eafnosupport", (long) Errno.EAFNOSUPPORT);
        m.put("io_uring_params_size", (long) Linux.IO_URING_PARAMS_SIZE);
        m.put("io_uring_params_sq_off", (long) 40);
        m.put("io_uring_params_cq_off", (long) 80);
        m.put("io_uring_params_features", (long) 20);
        m.put("io_sqring_array", (long) 24);
        m.put("io_cqring_cqes", (long) 20);
        m.put("io_uring_sqe_size", (long) Linux.IO_URING_SQE_SIZE);
        m.put("io_uring_sqe_user_data", (long) 32);
        m.put("io_uring_sqe_op_flags", (long) 28);
        m.put("io_uring_sqe_len", (long) 24);
        m.put("io_uring_cqe_size", (long) Linux.IO_URING_CQE_SIZE);
        m.put("io_uring_cqe_res", (long) 8);
        m.put("io_uring_getevents_arg_size", (long) Linux.IO_URING_GETEVENTS_ARG_SIZE);
        m.put("io_uring_getevents_arg_ts", (long) 16);
        m.put("io_uring_probe_size", (long) 16);
        m.put("io_uring_probe_op_size", (long) 8);
        m.put("sys_io_uring_setup", (long) Linux.SYS_IO_URING_SETUP);
        m.put("sys_io_uring_enter", (long) Linux.SYS_IO_URING_ENTER);
        m.put("sys_io_uring_register", (long) Linux.SYS_IO_URING_REGISTER);
        m.put("ioring_off_cq_ring", (long) Linux.IORING_OFF_CQ_RING);
        m.put("ioring_off_sqes", (long) Linux.IORING_OFF_SQES);
        m.put("ioring_feat_single_mmap", (long) Linux.IORING_FEAT_SINGLE_MMAP);
        m.put("ioring_feat_nodrop", (long) Linux.IORING_FEAT_NODROP);
        m.put("ioring_feat_ext_arg", (long) Linux.IORING_FEAT_EXT_ARG);
        m.put("ioring_enter_getevents", (long) Linux.IORING_ENTER_GETEVENTS);
        m.put("ioring_enter_ext_arg", (long) Linux.IORING_ENTER_EXT_ARG);
        m.put("ioring_register_probe", (long) Linux.IORING_REGISTER_PROBE);
        m.put("io_uring_op_supported", (long) Linux.IO_URING_OP_SUPPORTED);
        m.put("ioring_op_poll_add", (long) Linux.IORING_OP_POLL_ADD);
        m.put("ioring_op_poll_remove", (long) Linux.IORING_OP_POLL_REMOVE);
        m.put("ioring_op_async_cancel", (long) Linux.IORING_OP_ASYNC_CANCEL);
        m.put("ioring_op_accept", (long) Linux.IORING_OP_ACCEPT);
        m.put("ioring_op_connect", (long) Linux.IORING_OP_CONNECT);
        m.put("ioring_op_read", (long) Linux.IORING_OP_READ);
        m.put("ioring_op_write", (long) Linux.IORING_OP_WRITE);
        m.put("ioring_op_send", (long) Linux.IORING_OP_SEND);
        m.put("ioring_op_recv", (long) Linux.IORING_OP_RECV);
        m.put("ioring_op_timeout", (long) Linux.IORING_OP_TIMEOUT);
        m.put("ioring_op_writev", (long) Linux.IORING_OP_WRITEV);
        m.put("ioring_setup_coop_taskrun", (long) Linux.IORING_SETUP_COOP_TASKRUN);
        m.put("io_uring_params_flags", 8L);
        m.put("ioring_recvsend_poll_first", (long) Linux.IORING_RECVSEND_POLL_FIRST);
        m.put("ioring_op_sendmsg", (long) Linux.IORING_OP_SENDMSG);
        m.put("sock_dgram", (long) Linux.SOCK_DGRAM);
        m.put("so_broadcast", (long) Linux.SO_BROADCAST);
        m.put("so_sndbuf", (long) Linux.SO_SNDBUF);
        m.put("so_rcvbuf", (long) Linux.SO_RCVBUF);
        m.put("ipproto_ip", (long) Linux.IPPROTO_IP);
        m.put("ip_multicast_if", (long) Linux.IP_MULTICAST_IF);
        m.put("ip_multicast_loop", (long) Linux.IP_MULTICAST_LOOP);
        m.put("ip_add_membership", (long) Linux.IP_ADD_MEMBERSHIP);
        m.put("ip_drop_membership", (long) Linux.IP_DROP_MEMBERSHIP);
        m.put("ip_mreqn_size", (long) Linux.IP_MREQN_SIZE);
        m.put("ipv6_multicast_if", (long) Linux.IPV6_MULTICAST_IF);
        m.put("ipv6_multicast_loop", (long) Linux.IPV6_MULTICAST_LOOP);
        m.put("ipv6_add_membership", (long) Linux.IPV6_ADD_MEMBERSHIP);
        m.put("ipv6_drop_membership", (long) Linux.IPV6_DROP_MEMBERSHIP);
        m.put("ipv6_mreq_size", (long) Linux.IPV6_MREQ_SIZE);
        m.put("msg_trunc", (long) Linux.MSG_TRUNC);
        m.put("msg_dontwait", (long) Linux.MSG_DONTWAIT);
        m.put("msghdr_size", (long) Linux.MSGHDR_SIZE);
        m.put("msghdr_iov", (long) Linux.MSGHDR_IOV);
        m.put("msghdr_iovlen", (long) Linux.MSGHDR_IOVLEN);
        m.put("msghdr_name", (long) Linux.MSGHDR_NAME);
        m.put("msghdr_namelen", (long) Linux.MSGHDR_NAMELEN);
        m.put("msghdr_flags", (long) Linux.MSGHDR_FLAGS);
        m.put("mmsghdr_size", (long) Linux.MMSGHDR_SIZE);
        m.put("mmsghdr_len", (long) Linux.MMSGHDR_LEN);
        m.put("ioring_op_recvmsg", (long) Linux.IORING_OP_RECVMSG);
        m.put("ioring_recv_multishot", (long) Linux.IORING_RECV_MULTISHOT);
        m.put("iosqe_buffer_select", (long) Linux.IOSQE_BUFFER_SELECT);
        m.put("iovec_size", (long) Linux.IOVEC_SIZE);
        m.put("ecanceled", (long) Linux.ECANCELED);
        m.put("etime", (long) Linux.ETIME);
        return m;
    }

    @Test
    void thisArchitectureMatchesTheHeaders() throws Exception {
        Files.createDirectories(WORK);
        Path exe = WORK.resolve("layout_probe");
        NativeHelpers.run(List.of("gcc", "-O0", "-Wall", "-o", exe.toString(), SOURCE.toString()));
        Map<String, Long> actual = new LinkedHashMap<>();
        for (String line : NativeHelpers.run(List.of(exe.toString())).split("\n")) {
            String[] kv = line.split("=");
            actual.put(kv[0], Long.parseLong(kv[1].trim()));
        }
        assertThat(actual).isEqualTo(expected(Arch.current()));
    }

    @Test
    void aarch64MatchesTheHeaders() throws Exception {
        assumeTrue(onPath("aarch64-linux-gnu-gcc") && onPath("aarch64-linux-gnu-nm"),
                "the aarch64 cross compiler is not installed (.ci/run installs gcc-aarch64-linux-gnu)");
        Files.createDirectories(WORK);
        Path obj = WORK.resolve("layout_probe_aarch64.o");
        NativeHelpers.run(List.of("aarch64-linux-gnu-gcc", "-DEMIT_SYMBOLS", "-fno-common", "-c", "-o", obj.toString(),
                SOURCE.toString()));
        Map<String, Long> actual = new LinkedHashMap<>();
        for (String line : NativeHelpers.run(List.of("aarch64-linux-gnu-nm", "-S", obj.toString())).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 4 && f[3].startsWith("v_")) {
                actual.put(f[3].substring(2), Long.parseLong(f[1], 16) - 1);
            }
        }
        Map<String, Long> expected = expected(Arch.AARCH64);
        assertThat(actual).containsExactlyInAnyOrderEntriesOf(expected);
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}

/*
 * Test helper (never shipped): prints, or encodes as symbol sizes, the C headers' view of every
 * structure layout and constant that dev.loop.nativeio.Linux hard-codes. NativeLayoutTest compiles
 * it natively (run, printf) and with the aarch64 cross compiler (-DEMIT_SYMBOLS: each value v becomes
 * an array of v+1 bytes, read back with nm -S), so both architectures are checked on one machine.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <spawn.h>
#include <linux/io_uring.h>
#include <linux/stat.h>
#include <time.h>

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

#define VALUES(V) \
    V(epoll_event_size, sizeof(struct epoll_event)) \
    V(epoll_event_data_offset, offsetof(struct epoll_event, data)) \
    V(pollfd_size, sizeof(struct pollfd)) \
    V(pollfd_revents_offset, offsetof(struct pollfd, revents)) \
    V(fd_set_size, sizeof(fd_set)) \
    V(fd_setsize, FD_SETSIZE) \
    V(timespec_size, sizeof(struct timespec)) \
    V(timeval_size, sizeof(struct timeval)) \
    V(itimerspec_size, sizeof(struct itimerspec)) \
    V(itimerspec_value_offset, offsetof(struct itimerspec, it_value)) \
    V(rlimit_size, sizeof(struct rlimit)) \
    V(statx_size, sizeof(struct statx)) \
    V(statx_mode_offset, offsetof(struct statx, stx_mode)) \
    V(statx_ino_offset, offsetof(struct statx, stx_ino)) \
    V(statx_dev_major_offset, offsetof(struct statx, stx_dev_major)) \
    V(statx_dev_minor_offset, offsetof(struct statx, stx_dev_minor)) \
    V(statx_ino, STATX_INO) \
    V(sys_statx, SYS_statx) \
    V(sys_epoll_pwait2, SYS_epoll_pwait2) \
    V(o_nonblock, O_NONBLOCK) \
    V(o_cloexec, O_CLOEXEC) \
    V(o_noctty, O_NOCTTY) \
    V(o_directory, O_DIRECTORY) \
    V(o_creat, O_CREAT) \
    V(f_dupfd_cloexec, F_DUPFD_CLOEXEC) \
    V(f_getfd, F_GETFD) \
    V(efd_nonblock, EFD_NONBLOCK) \
    V(efd_cloexec, EFD_CLOEXEC) \
    V(tfd_nonblock, TFD_NONBLOCK) \
    V(tfd_cloexec, TFD_CLOEXEC) \
    V(epoll_cloexec, EPOLL_CLOEXEC) \
    V(sock_nonblock, SOCK_NONBLOCK) \
    V(sock_cloexec, SOCK_CLOEXEC) \
    V(af_unix, AF_UNIX) \
    V(sock_stream, SOCK_STREAM) \
    V(epollin, EPOLLIN) \
    V(epollout, EPOLLOUT) \
    V(epollerr, EPOLLERR) \
    V(epollhup, EPOLLHUP) \
    V(epollrdhup, EPOLLRDHUP) \
    V(epoll_ctl_add, EPOLL_CTL_ADD) \
    V(epoll_ctl_del, EPOLL_CTL_DEL) \
    V(epoll_ctl_mod, EPOLL_CTL_MOD) \
    V(pollin, POLLIN) \
    V(pollout, POLLOUT) \
    V(pollerr, POLLERR) \
    V(pollhup, POLLHUP) \
    V(pollnval, POLLNVAL) \
    V(clock_monotonic, CLOCK_MONOTONIC) \
    V(rlimit_nofile, RLIMIT_NOFILE) \
    V(at_empty_path, AT_EMPTY_PATH) \
    V(statx_type, STATX_TYPE) \
    V(s_ifmt, S_IFMT) \
    V(s_ififo, S_IFIFO) \
    V(s_ifchr, S_IFCHR) \
    V(s_ifdir, S_IFDIR) \
    V(s_ifreg, S_IFREG) \
    V(s_ifsock, S_IFSOCK) \
    V(in_cloexec, IN_CLOEXEC) \
    V(in_nonblock, IN_NONBLOCK) \
    V(in_create, IN_CREATE) \
    V(pr_set_timerslack, PR_SET_TIMERSLACK) \
    V(eperm, EPERM) \
    V(enoent, ENOENT) \
    V(eintr, EINTR) \
    V(ebadf, EBADF) \
    V(eexist, EEXIST) \
    V(eagain, EAGAIN) \
    V(enosys, ENOSYS) \
    V(emfile, EMFILE) \
    V(af_inet, AF_INET) \
    V(af_inet6, AF_INET6) \
    V(sol_socket, SOL_SOCKET) \
    V(so_reuseaddr, SO_REUSEADDR) \
    V(so_error, SO_ERROR) \
    V(so_reuseport, SO_REUSEPORT) \
    V(sock_dgram, SOCK_DGRAM) \
    V(so_broadcast, SO_BROADCAST) \
    V(so_sndbuf, SO_SNDBUF) \
    V(so_rcvbuf, SO_RCVBUF) \
    V(ipproto_ip, IPPROTO_IP) \
    V(ip_multicast_if, IP_MULTICAST_IF) \
    V(ip_multicast_loop, IP_MULTICAST_LOOP) \
    V(ip_add_membership, IP_ADD_MEMBERSHIP) \
    V(ip_drop_membership, IP_DROP_MEMBERSHIP) \
    V(ip_mreqn_size, sizeof(struct ip_mreqn)) \
    V(ipv6_multicast_if, IPV6_MULTICAST_IF) \
    V(ipv6_multicast_loop, IPV6_MULTICAST_LOOP) \
    V(ipv6_add_membership, IPV6_ADD_MEMBERSHIP) \
    V(ipv6_drop_membership, IPV6_DROP_MEMBERSHIP) \
    V(ipv6_mreq_size, sizeof(struct ipv6_mreq)) \
    V(msg_trunc, MSG_TRUNC) \
    V(msg_dontwait, MSG_DONTWAIT) \
    V(ipproto_tcp, IPPROTO_TCP) \
    V(tcp_nodelay, TCP_NODELAY) \
    V(ipproto_ipv6, IPPROTO_IPV6) \
    V(ipv6_v6only, IPV6_V6ONLY) \
    V(shut_wr, SHUT_WR) \
    V(msg_nosignal, MSG_NOSIGNAL) \
    V(sockaddr_in_size, sizeof(struct sockaddr_in)) \
    V(sockaddr_in6_size, sizeof(struct sockaddr_in6)) \
    V(sockaddr_in6_addr_offset, offsetof(struct sockaddr_in6, sin6_addr)) \
    V(sockaddr_in6_scope_offset, offsetof(struct sockaddr_in6, sin6_scope_id)) \
    V(sockaddr_un_size, sizeof(struct sockaddr_un)) \
    V(sockaddr_un_path_offset, offsetof(struct sockaddr_un, sun_path)) \
    V(sockaddr_storage_size, sizeof(struct sockaddr_storage)) \
    V(p_pid, P_PID) \
    V(p_pidfd, P_PIDFD) \
    V(wexited, WEXITED) \
    V(wnohang, WNOHANG) \
    V(cld_exited, CLD_EXITED) \
    V(cld_killed, CLD_KILLED) \
    V(siginfo_size, sizeof(siginfo_t)) \
    V(siginfo_code_offset, offsetof(siginfo_t, si_code)) \
    V(siginfo_status_offset, offsetof(siginfo_t, si_status)) \
    V(sigaction_size, sizeof(struct sigaction)) \
    V(sigaction_handler_offset, offsetof(struct sigaction, sa_handler)) \
    V(posix_spawn_setsigdef, POSIX_SPAWN_SETSIGDEF) \
    V(posix_spawn_setsigmask, POSIX_SPAWN_SETSIGMASK) \
    V(posix_spawn_setsid, POSIX_SPAWN_SETSID) \
    V(spawn_fa_fits, sizeof(posix_spawn_file_actions_t) <= 512) \
    V(spawn_attr_fits, sizeof(posix_spawnattr_t) <= 512) \
    V(sigset_size, sizeof(sigset_t)) \
    V(sys_pidfd_open, SYS_pidfd_open) \
    V(sys_pidfd_send_signal, SYS_pidfd_send_signal) \
    V(econnrefused, ECONNREFUSED) \
    V(econnreset, ECONNRESET) \
    V(einprogress, EINPROGRESS) \
    V(eaddrinuse, EADDRINUSE) \
    V(eaddrnotavail, EADDRNOTAVAIL) \
    V(econnaborted, ECONNABORTED) \
    V(enobufs, ENOBUFS) \
    V(enfile, ENFILE) \
    V(enomem, ENOMEM) \
    V(epipe, EPIPE) \
    V(eio, EIO) \
    V(esrch, ESRCH) \
    V(enotconn, ENOTCONN) \
    V(ebusy, EBUSY) \
    V(eafnosupport, EAFNOSUPPORT) \
    V(io_uring_params_size, sizeof(struct io_uring_params)) \
    V(io_uring_params_sq_off, offsetof(struct io_uring_params, sq_off)) \
    V(io_uring_params_cq_off, offsetof(struct io_uring_params, cq_off)) \
    V(io_uring_params_features, offsetof(struct io_uring_params, features)) \
    V(io_sqring_array, offsetof(struct io_sqring_offsets, array)) \
    V(io_cqring_cqes, offsetof(struct io_cqring_offsets, cqes)) \
    V(io_uring_sqe_size, sizeof(struct io_uring_sqe)) \
    V(io_uring_sqe_user_data, offsetof(struct io_uring_sqe, user_data)) \
    V(io_uring_sqe_op_flags, offsetof(struct io_uring_sqe, poll32_events)) \
    V(io_uring_sqe_len, offsetof(struct io_uring_sqe, len)) \
    V(io_uring_cqe_size, sizeof(struct io_uring_cqe)) \
    V(io_uring_cqe_res, offsetof(struct io_uring_cqe, res)) \
    V(io_uring_getevents_arg_size, sizeof(struct io_uring_getevents_arg)) \
    V(io_uring_getevents_arg_ts, offsetof(struct io_uring_getevents_arg, ts)) \
    V(io_uring_probe_size, sizeof(struct io_uring_probe)) \
    V(io_uring_probe_op_size, sizeof(struct io_uring_probe_op)) \
    V(sys_io_uring_setup, SYS_io_uring_setup) \
    V(sys_io_uring_enter, SYS_io_uring_enter) \
    V(sys_io_uring_register, SYS_io_uring_register) \
    V(ioring_off_cq_ring, IORING_OFF_CQ_RING) \
    V(ioring_off_sqes, IORING_OFF_SQES) \
    V(ioring_setup_coop_taskrun, IORING_SETUP_COOP_TASKRUN) \
    V(ioring_recvsend_poll_first, IORING_RECVSEND_POLL_FIRST) \
    V(io_uring_params_flags, offsetof(struct io_uring_params, flags)) \
    V(ioring_feat_single_mmap, IORING_FEAT_SINGLE_MMAP) \
    V(ioring_feat_nodrop, IORING_FEAT_NODROP) \
    V(ioring_feat_ext_arg, IORING_FEAT_EXT_ARG) \
    V(ioring_enter_getevents, IORING_ENTER_GETEVENTS) \
    V(ioring_enter_ext_arg, IORING_ENTER_EXT_ARG) \
    V(ioring_register_probe, IORING_REGISTER_PROBE) \
    V(io_uring_op_supported, IO_URING_OP_SUPPORTED) \
    V(ioring_op_poll_add, IORING_OP_POLL_ADD) \
    V(ioring_op_poll_remove, IORING_OP_POLL_REMOVE) \
    V(ioring_op_async_cancel, IORING_OP_ASYNC_CANCEL) \
    V(ioring_op_accept, IORING_OP_ACCEPT) \
    V(ioring_op_connect, IORING_OP_CONNECT) \
    V(ioring_op_read, IORING_OP_READ) \
    V(ioring_op_write, IORING_OP_WRITE) \
    V(ioring_op_send, IORING_OP_SEND) \
    V(ioring_op_recv, IORING_OP_RECV) \
    V(ioring_op_timeout, IORING_OP_TIMEOUT) \
    V(ioring_op_writev, IORING_OP_WRITEV) \
    V(ioring_op_sendmsg, IORING_OP_SENDMSG) \
    V(prot_read_write, PROT_READ | PROT_WRITE) \
    V(map_shared_populate, MAP_SHARED | MAP_POPULATE) \
    V(map_private_anonymous, MAP_PRIVATE | MAP_ANONYMOUS) \
    V(msghdr_size, sizeof(struct msghdr)) \
    V(msghdr_iov, offsetof(struct msghdr, msg_iov)) \
    V(msghdr_iovlen, offsetof(struct msghdr, msg_iovlen)) \
    V(msghdr_name, offsetof(struct msghdr, msg_name)) \
    V(msghdr_namelen, offsetof(struct msghdr, msg_namelen)) \
    V(msghdr_flags, offsetof(struct msghdr, msg_flags)) \
    V(mmsghdr_size, sizeof(struct mmsghdr)) \
    V(mmsghdr_len, offsetof(struct mmsghdr, msg_len)) \
    V(ioring_op_recvmsg, IORING_OP_RECVMSG) \
    V(ioring_recv_multishot, IORING_RECV_MULTISHOT) \
    V(iosqe_buffer_select, IOSQE_BUFFER_SELECT) \
    V(iovec_size, sizeof(struct iovec)) \
    V(ecanceled, ECANCELED) \
    V(etime, ETIME)

#ifdef EMIT_SYMBOLS
#define DECLARE(name, expr) char v_##name[(expr) + 1];
VALUES(DECLARE)
#else
#define PRINT(name, expr) printf("%s=%ld\n", #name, (long) (expr));
int main(void) {
    VALUES(PRINT)
    return 0;
}
#endif

/*
 * Test helper: runs a command with one system call refused by a seccomp filter, with a chosen errno.
 *
 *   seccomp_errno SYSCALL_NR ERRNO COMMAND [ARG...]
 *
 * What a process sees under a container's seccomp profile (EPERM) or on a kernel that lacks the call
 * (ENOSYS). The filter is inherited across exec and by every thread of the command.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#if defined(__x86_64__)
#define THIS_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define THIS_ARCH AUDIT_ARCH_AARCH64
#else
#error "seccomp_errno: add this architecture's AUDIT_ARCH"
#endif

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s SYSCALL_NR ERRNO COMMAND [ARG...]\n", argv[0]);
        return 2;
    }
    unsigned int nr = (unsigned int) strtoul(argv[1], NULL, 10);
    unsigned int err = (unsigned int) strtoul(argv[2], NULL, 10);
    struct sock_filter filter[] = {
        /* another architecture's calls (none expected): allowed, this filter does not know their numbers */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, THIS_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (err & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {
        .len = (unsigned short) (sizeof filter / sizeof filter[0]),
        .filter = filter,
    };
    /* Unprivileged processes may install a filter only once they can gain no privileges. */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        perror("prctl(PR_SET_NO_NEW_PRIVS)");
        return 2;
    }
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
        perror("prctl(PR_SET_SECCOMP)");
        return 2;
    }
    execvp(argv[3], argv + 3);
    perror(argv[3]);
    return 127;
}

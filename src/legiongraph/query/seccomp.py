"""A kernel-level refusal of network sockets for query workers.

The audit hook of :mod:`legiongraph.query.guard` sees only what goes through Python; Oxigraph's SERVICE
client and libc's DNS lookups do not. A seccomp filter makes the kernel refuse every thread of the
process a new IPv4 or IPv6 socket, for good, and closes the side doors around that rule: system
calls made through another ABI (i386 ``int 0x80``, x32, 32-bit ARM), whose numbers the rule would
not recognise, and ``io_uring_setup``, whose rings make socket calls the filter never sees.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import socket
import struct
import sys

__all__ = ["FilterUnavailable", "deny_ip_sockets"]

# seccomp: (audit arch, socket syscall number, io_uring_setup number, seccomp number) per machine.
_SECCOMP_ARCH = {
    "x86_64": (0xC000003E, 41, 425, 317),
    "aarch64": (0xC00000B7, 198, 425, 277),
}
# x86_64 marks x32 system calls by this bit in the number, under the x86_64 audit arch.
_X32_SYSCALL_BIT = 0x40000000
_BPF_LD_ABS, _BPF_JEQ, _BPF_JGE, _BPF_RET = 0x20, 0x15, 0x35, 0x06
_RET_ALLOW, _RET_ERRNO = 0x7FFF0000, 0x00050000
_PR_SET_NO_NEW_PRIVS, _SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC = 38, 1, 1


class FilterUnavailable(OSError):
    """The kernel filter could not be installed; the message says why."""


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _op(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def _program(audit_arch: int, socket_nr: int | None, io_uring_nr: int) -> bytes:
    """Return the filter; ``socket_nr`` None leaves IP sockets allowed."""
    deny = _RET_ERRNO | errno.EACCES
    if socket_nr is None:
        socket_nr = 0x3FFFFFFF  # a system call number no machine has: the socket() rule never matches
    # seccomp_data: nr at offset 0, arch at 4, args[0] (low half, little-endian) at 16.
    # Jump offsets count instructions after the current one; DENY is the last instruction.
    return b"".join([
        _op(_BPF_LD_ABS, 0, 0, 4),                   # 0: arch
        _op(_BPF_JEQ, 0, 9, audit_arch),             # 1: another ABI (i386, arm32): deny
        _op(_BPF_LD_ABS, 0, 0, 0),                   # 2: nr
        _op(_BPF_JGE, 7, 0, _X32_SYSCALL_BIT),       # 3: an x32 call: deny
        _op(_BPF_JEQ, 6, 0, io_uring_nr),            # 4: io_uring_setup: deny
        _op(_BPF_JEQ, 0, 4, socket_nr),              # 5: not socket(): allow
        _op(_BPF_LD_ABS, 0, 0, 16),                  # 6: domain
        _op(_BPF_JEQ, 3, 0, socket.AF_INET),         # 7: AF_INET: deny
        _op(_BPF_JEQ, 2, 0, socket.AF_INET6),        # 8: AF_INET6: deny
        _op(_BPF_RET, 0, 0, _RET_ALLOW),             # 9 (reached from 8)
        _op(_BPF_RET, 0, 0, _RET_ALLOW),             # 10 (reached from 5)
        _op(_BPF_RET, 0, 0, deny),                   # 11
    ])


def deny_ip_sockets(ip_sockets: bool = False) -> None:
    """Have the kernel refuse every thread of this process a new IPv4 or IPv6 socket, for good.

    Native code included (Oxigraph's HTTP client, a DNS lookup in libc): ``socket(AF_INET…)``
    fails with EACCES, as does any system call through a foreign ABI and ``io_uring_setup``. Unix
    sockets and already open descriptors keep working. With ``ip_sockets`` (a worker whose store
    is a remote server) only the foreign ABIs and ``io_uring_setup`` are refused. Raise
    FilterUnavailable where this cannot be done (not Linux, another machine, seccomp unavailable):
    the caller must not go on.
    """
    arch = _SECCOMP_ARCH.get(platform.machine())
    if arch is None or not sys.platform.startswith("linux"):
        raise FilterUnavailable(f"no seccomp filter for {sys.platform} on {platform.machine()}")
    audit_arch, socket_nr, io_uring_nr, seccomp_nr = arch
    program = _program(audit_arch, None if ip_sockets else socket_nr, io_uring_nr)
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise FilterUnavailable(f"prctl(PR_SET_NO_NEW_PRIVS) failed: "
                                    f"{errno.errorcode.get(ctypes.get_errno(), '?')}")
        # TSYNC: every thread of the process, including RocksDB's and any Oxigraph starts.
        if libc.syscall(seccomp_nr, _SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC,
                        ctypes.byref(fprog)) != 0:
            raise FilterUnavailable(f"seccomp(SET_MODE_FILTER) failed: "
                                    f"{errno.errorcode.get(ctypes.get_errno(), '?')}")
    except (OSError, AttributeError) as exc:
        if isinstance(exc, FilterUnavailable):
            raise
        raise FilterUnavailable(f"seccomp cannot be called here: {exc}") from None

"""A kernel-level refusal of network sockets for query workers that need no network.

The audit hook of :mod:`legiongraph.guard` sees only what goes through Python; Oxigraph's SERVICE
client and libc's DNS lookups do not. A seccomp filter makes the kernel refuse every thread of the
process a new IPv4 or IPv6 socket, for good.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import socket
import struct
import sys

__all__ = ["deny_ip_sockets"]

# seccomp: (audit arch, socket syscall number, seccomp syscall number) per machine.
_SECCOMP_ARCH = {
    "x86_64": (0xC000003E, 41, 317),
    "aarch64": (0xB7 | 0xC0000000, 198, 277),
}
_BPF_LD_ABS, _BPF_JEQ, _BPF_RET = 0x20, 0x15, 0x06
_RET_ALLOW, _RET_ERRNO = 0x7FFF0000, 0x00050000
_PR_SET_NO_NEW_PRIVS, _SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC = 38, 1, 1


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def deny_ip_sockets() -> bool:
    """Have the kernel refuse every thread of this process a new IPv4 or IPv6 socket, for good.

    Native code included (Oxigraph's HTTP client, a DNS lookup in libc): ``socket(AF_INET…)``
    fails with EACCES. Unix sockets and already open descriptors keep working. Return False where
    this cannot be done (not Linux, another machine, seccomp unavailable); the audit hook remains.
    """
    arch = _SECCOMP_ARCH.get(platform.machine())
    if arch is None or not sys.platform.startswith("linux"):
        return False
    audit_arch, socket_nr, seccomp_nr = arch
    deny = _RET_ERRNO | errno.EACCES

    def op(code: int, jt: int, jf: int, k: int) -> bytes:
        return struct.pack("HBBI", code, jt, jf, k)

    # seccomp_data: nr at offset 0, arch at 4, args[0] (low half, little-endian) at 16.
    program = b"".join([
        op(_BPF_LD_ABS, 0, 0, 4),
        op(_BPF_JEQ, 0, 5, audit_arch),          # another ABI: allow (jump to 7)
        op(_BPF_LD_ABS, 0, 0, 0),
        op(_BPF_JEQ, 0, 3, socket_nr),           # not socket(): allow
        op(_BPF_LD_ABS, 0, 0, 16),
        op(_BPF_JEQ, 2, 0, socket.AF_INET),      # AF_INET: deny (jump to 8)
        op(_BPF_JEQ, 1, 0, socket.AF_INET6),     # AF_INET6: deny
        op(_BPF_RET, 0, 0, _RET_ALLOW),
        op(_BPF_RET, 0, 0, deny),
    ])
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return False
        # TSYNC: every thread of the process, including RocksDB's and any Oxigraph starts.
        return libc.syscall(seccomp_nr, _SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC,
                            ctypes.byref(fprog)) == 0
    except (OSError, AttributeError):
        return False

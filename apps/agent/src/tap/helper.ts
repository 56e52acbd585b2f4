// The TAP helper: a short python3 program, run with the agent's own open /dev/net/tun descriptor as its fd 3.
//
// Why this mechanism (tried on this machine before choosing): Node has no ioctl, so it cannot issue
// TUNSETIFF. But TUNSETIFF attaches the device to the *open file description*, not to the process: the agent
// opens /dev/net/tun itself, hands that descriptor to this helper as an inherited fd, the helper attaches it
// to a new TAP and brings the device up, and from then on the agent's own descriptor is the device. The
// agent writes frames to it directly (one write(2) per frame, no copy through another process, EIO while
// the device is down). Reading is the helper's job, because a blocking read in Node would hold one of the
// four libuv pool threads per device for good: the helper waits in poll(2), drains every frame that is
// ready and passes them up its stdout as [u16 big-endian length][frame] records, several per pipe write;
// Node reads that pipe on its event loop. The helper sets O_NONBLOCK on the shared descriptor to drain
// without an extra poll per frame; a TAP write never waits for room anyway (its send buffer is unbounded),
// so the agent's writes are unaffected, and an EAGAIN would be counted like any refused write. When the
// agent goes away the helper sees its stdin close and exits, and when the agent closes the descriptor the
// kernel deletes the device (not persistent).
// python3 is in CI and on most Linux hosts; without it `tapSupported()` says so and callers fall back to
// in-process workloads. A C helper would need a compiler at install time, which `pnpm install` must not.
//
// Protocol: argv = [name]. stderr, first line: `ready <name>` or `error <errno> <message>`; stdout: records.

export const TAP_HELPER_PY = String.raw`
import fcntl, os, select, socket, struct, sys
TUNSETIFF = 0x400454CA
IFF_TAP, IFF_NO_PI, IFF_UP = 0x0002, 0x1000, 0x0001
SIOCGIFFLAGS, SIOCSIFFLAGS = 0x8913, 0x8914
TAP, OUT = 3, 1
name = sys.argv[1]
try:
    ifr = fcntl.ioctl(TAP, TUNSETIFF, struct.pack('16sH22x', name.encode(), IFF_TAP | IFF_NO_PI))
    name = ifr[:16].rstrip(b'\0').decode()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    req = struct.pack('16sH22x', name.encode(), 0)
    flags = struct.unpack('16sH22x', fcntl.ioctl(s, SIOCGIFFLAGS, req))[1]
    fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack('16sH22x', name.encode(), flags | IFF_UP))
    s.close()
    fcntl.fcntl(TAP, fcntl.F_SETFL, fcntl.fcntl(TAP, fcntl.F_GETFL) | os.O_NONBLOCK)
except OSError as e:
    sys.stderr.write('error %d %s\n' % (e.errno or 0, e.strerror or e))
    sys.exit(2)
sys.stderr.write('ready %s\n' % name)
sys.stderr.flush()
p = select.poll()
p.register(TAP, select.POLLIN)
p.register(0, select.POLLIN)
pack = struct.Struct('>H').pack
while True:
    for fd, ev in p.poll():
        if fd == 0:
            sys.exit(0)
        if ev & (select.POLLERR | select.POLLHUP | select.POLLNVAL):
            sys.stderr.write('device gone\n')
            sys.exit(3)
    parts = []
    size = 0
    while size < 60000:
        try:
            f = os.read(TAP, 65535)
        except BlockingIOError:
            break
        if not f:
            break
        parts.append(pack(len(f)))
        parts.append(f)
        size += len(f) + 2
    if parts:
        out = memoryview(b''.join(parts))
        while out:
            out = out[os.write(OUT, out):]
`;

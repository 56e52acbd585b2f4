// The per-VRF MAC table (the bridge table of a VN on this host): 48-bit MAC, read in place from a frame
// as one number, to a next hop id; plus the IP -> MAC bindings learnt from routes (EVPN MAC/IP), which the
// ARP proxy answers from. Lookups read six bytes and do one Map probe with a number key: no allocation.

/** The MAC at `buf[at, at + 6)` as a 48-bit number. */
export function macAt(buf: Uint8Array, at: number): number {
  return (
    (buf[at]! * 0x10000 + ((buf[at + 1]! << 8) | buf[at + 2]!)) * 0x1000000 +
    ((buf[at + 3]! << 16) | (buf[at + 4]! << 8) | buf[at + 5]!)
  );
}

/** Writes a 48-bit MAC number into `buf` at `at`. */
export function putMac(buf: Uint8Array, at: number, mac: number): void {
  const hi = Math.floor(mac / 0x1000000);
  const lo = mac % 0x1000000;
  buf[at] = hi >>> 16;
  buf[at + 1] = (hi >>> 8) & 0xff;
  buf[at + 2] = hi & 0xff;
  buf[at + 3] = lo >>> 16;
  buf[at + 4] = (lo >>> 8) & 0xff;
  buf[at + 5] = lo & 0xff;
}

/** `02:00:00:00:00:01` to a number. */
export function macFromText(text: string): number {
  const parts = text.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p)))
    throw new TypeError(`bad MAC ${text}`);
  return parts.reduce((n, p) => n * 256 + Number.parseInt(p, 16), 0);
}

/** A number to `02:00:00:00:00:01`. */
export function macText(mac: number): string {
  const b = new Uint8Array(6);
  putMac(b, 0, mac);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
}

export const BROADCAST_MAC = 0xffffffffffff;

/** True for group (broadcast/multicast) addresses: the I/G bit of the first octet. */
export function isGroupMac(buf: Uint8Array, at: number): boolean {
  return (buf[at]! & 1) === 1;
}

export class MacTable {
  private readonly macs = new Map<number, number>();
  private readonly ipToMac = new Map<number, number>();

  get size(): number {
    return this.macs.size;
  }

  set(mac: number, nextHop: number): number | undefined {
    const old = this.macs.get(mac);
    this.macs.set(mac, nextHop);
    return old;
  }

  delete(mac: number): number | undefined {
    const old = this.macs.get(mac);
    this.macs.delete(mac);
    return old;
  }

  /** Next hop id for the MAC, or -1. */
  lookup(mac: number): number {
    return this.macs.get(mac) ?? -1;
  }

  /** Binds an IPv4 address to a MAC (for the ARP proxy). */
  bindIp(ip4: number, mac: number): void {
    this.ipToMac.set(ip4, mac);
  }

  unbindIp(ip4: number): void {
    this.ipToMac.delete(ip4);
  }

  /** The MAC bound to this IPv4 address, or -1. */
  macOf(ip4: number): number {
    return this.ipToMac.get(ip4) ?? -1;
  }

  entries(): IterableIterator<[number, number]> {
    return this.macs.entries();
  }

  bindings(): IterableIterator<[number, number]> {
    return this.ipToMac.entries();
  }
}

// The per-VRF MAC table (the bridge table of a VN on this host): 48-bit MAC, read in place from a frame
// to a next hop id; plus the IP -> MAC bindings learnt from routes (EVPN MAC/IP), which the ARP proxy
// answers from.

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

/** True when the MAC at `buf[at, at + 6)` is `hi:16 | lo:32` (compares as integers: no number boxing). */
export function macEquals(buf: Uint8Array, at: number, hi: number, lo: number): boolean {
  return (
    ((buf[at]! << 8) | buf[at + 1]!) === hi &&
    ((buf[at + 2]! << 24) | (buf[at + 3]! << 16) | (buf[at + 4]! << 8) | buf[at + 5]!) === lo
  );
}

/** The high 16 bits and low 32 bits (as a signed 32-bit integer) of a 48-bit MAC number. */
export function macHi(mac: number): number {
  return Math.floor(mac / 0x100000000);
}
export function macLo(mac: number): number {
  return (mac % 0x100000000) | 0;
}

/**
 * MAC -> next hop id in an open-addressing hash table over typed arrays (linear probing, tombstones on
 * delete, doubling at 50% load), so the per-packet lookup reads the MAC bytes in place and allocates
 * nothing. The IP -> MAC bindings the ARP proxy answers from sit beside it (control path).
 */
export class MacTable {
  private hi: Int32Array;
  private lo: Int32Array;
  /** next hop id + 1; 0 empty, -1 deleted. */
  private val: Int32Array;
  private count = 0;
  private used = 0;
  private readonly ipToMac = new Map<number, number>();

  constructor(capacity = 64) {
    let n = 16;
    while (n < capacity * 2) n *= 2;
    this.hi = new Int32Array(n);
    this.lo = new Int32Array(n);
    this.val = new Int32Array(n);
  }

  get size(): number {
    return this.count;
  }

  private static hash(hi: number, lo: number): number {
    let h = Math.imul(lo ^ (hi << 16) ^ (hi >>> 3), 0x9e3779b1);
    h ^= h >>> 15;
    h = Math.imul(h, 0x85ebca6b);
    return h ^ (h >>> 13);
  }

  private find(hi: number, lo: number): number {
    const mask = this.val.length - 1;
    for (let i = MacTable.hash(hi, lo) & mask, n = 0; n <= mask; i = (i + 1) & mask, n++) {
      const v = this.val[i]!;
      if (v === 0) return -1;
      if (v > 0 && this.hi[i] === hi && this.lo[i] === lo) return i;
    }
    return -1;
  }

  /** Sets `mac -> nextHop`; returns the next hop it replaced. */
  set(mac: number, nextHop: number): number | undefined {
    const hi = macHi(mac);
    const lo = macLo(mac);
    const at = this.find(hi, lo);
    if (at >= 0) {
      const old = this.val[at]! - 1;
      this.val[at] = nextHop + 1;
      return old;
    }
    if ((this.used + 1) * 2 > this.val.length)
      this.rehash(this.count * 2 + 2 > this.val.length / 2 ? this.val.length * 2 : this.val.length);
    const mask = this.val.length - 1;
    let i = MacTable.hash(hi, lo) & mask;
    while (this.val[i]! > 0) i = (i + 1) & mask;
    if (this.val[i] === 0) this.used++;
    this.hi[i] = hi;
    this.lo[i] = lo;
    this.val[i] = nextHop + 1;
    this.count++;
    return undefined;
  }

  delete(mac: number): number | undefined {
    const at = this.find(macHi(mac), macLo(mac));
    if (at < 0) return undefined;
    const old = this.val[at]! - 1;
    this.val[at] = -1;
    this.count--;
    return old;
  }

  /** Next hop id for the MAC number, or -1. */
  lookup(mac: number): number {
    const at = this.find(macHi(mac), macLo(mac));
    return at < 0 ? -1 : this.val[at]! - 1;
  }

  /** Next hop id for the MAC at `buf[at, at + 6)`, or -1: the per-packet lookup. */
  lookupAt(buf: Uint8Array, at: number): number {
    const i = this.find(
      (buf[at]! << 8) | buf[at + 1]!,
      (buf[at + 2]! << 24) | (buf[at + 3]! << 16) | (buf[at + 4]! << 8) | buf[at + 5]!,
    );
    return i < 0 ? -1 : this.val[i]! - 1;
  }

  private rehash(n: number): void {
    const { hi, lo, val } = this;
    this.hi = new Int32Array(n);
    this.lo = new Int32Array(n);
    this.val = new Int32Array(n);
    this.count = 0;
    this.used = 0;
    for (let i = 0; i < val.length; i++) {
      if (val[i]! > 0) this.set(hi[i]! * 0x100000000 + (lo[i]! >>> 0), val[i]! - 1);
    }
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

  *entries(): IterableIterator<[number, number]> {
    for (let i = 0; i < this.val.length; i++)
      if (this.val[i]! > 0) yield [this.hi[i]! * 0x100000000 + (this.lo[i]! >>> 0), this.val[i]! - 1];
  }

  bindings(): IterableIterator<[number, number]> {
    return this.ipToMac.entries();
  }
}

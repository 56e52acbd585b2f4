// Test frames built by hand (and checked against @filament/encap's decoders in the tests that use them).
import { internetChecksum, ipv4PseudoSum, ipv6PseudoSum } from '@filament/encap';
import { putMac } from '../src/index.js';

export function ip4(text: string): number {
  return text.split('.').reduce((n, x) => n * 256 + Number(x), 0);
}

/** Ethernet / IPv4 / UDP with correct checksums. */
export function udpFrame(
  dstMac: number,
  srcMac: number,
  src: string,
  dst: string,
  sport: number,
  dport: number,
  payload: Uint8Array,
): Uint8Array {
  const f = new Uint8Array(14 + 20 + 8 + payload.length);
  putMac(f, 0, dstMac);
  putMac(f, 6, srcMac);
  f[12] = 0x08;
  const p = 14;
  f[p] = 0x45;
  const total = 28 + payload.length;
  f[p + 2] = total >> 8;
  f[p + 3] = total & 0xff;
  f[p + 8] = 64;
  f[p + 9] = 17;
  const s = ip4(src);
  const d = ip4(dst);
  for (let i = 0; i < 4; i++) {
    f[p + 12 + i] = (s >>> (24 - 8 * i)) & 0xff;
    f[p + 16 + i] = (d >>> (24 - 8 * i)) & 0xff;
  }
  const c = internetChecksum(f, p, 20);
  f[p + 10] = c >> 8;
  f[p + 11] = c & 0xff;
  const u = p + 20;
  f[u] = sport >> 8;
  f[u + 1] = sport & 0xff;
  f[u + 2] = dport >> 8;
  f[u + 3] = dport & 0xff;
  f[u + 4] = (8 + payload.length) >> 8;
  f[u + 5] = (8 + payload.length) & 0xff;
  f.set(payload, u + 8);
  const uc = internetChecksum(
    f,
    u,
    8 + payload.length,
    ipv4PseudoSum(f, p + 12, p + 16, 17, 8 + payload.length),
  );
  f[u + 6] = (uc || 0xffff) >> 8;
  f[u + 7] = (uc || 0xffff) & 0xff;
  return f;
}

/** Ethernet / IPv6 / UDP with a correct checksum (addresses as 16 bytes). */
export function udp6Frame(
  dstMac: number,
  srcMac: number,
  src: Uint8Array,
  dst: Uint8Array,
  sport: number,
  dport: number,
  payload: Uint8Array,
): Uint8Array {
  const f = new Uint8Array(14 + 40 + 8 + payload.length);
  putMac(f, 0, dstMac);
  putMac(f, 6, srcMac);
  f[12] = 0x86;
  f[13] = 0xdd;
  const p = 14;
  f[p] = 0x60;
  const plen = 8 + payload.length;
  f[p + 4] = plen >> 8;
  f[p + 5] = plen & 0xff;
  f[p + 6] = 17;
  f[p + 7] = 64;
  f.set(src, p + 8);
  f.set(dst, p + 24);
  const u = p + 40;
  f[u] = sport >> 8;
  f[u + 1] = sport & 0xff;
  f[u + 2] = dport >> 8;
  f[u + 3] = dport & 0xff;
  f[u + 4] = plen >> 8;
  f[u + 5] = plen & 0xff;
  f.set(payload, u + 8);
  const uc = internetChecksum(f, u, plen, ipv6PseudoSum(f, p + 8, p + 24, 17, plen));
  f[u + 6] = (uc || 0xffff) >> 8;
  f[u + 7] = (uc || 0xffff) & 0xff;
  return f;
}

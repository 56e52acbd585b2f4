import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InvalidFieldError,
  RangeFieldError,
  type Tcp,
  type TcpFlags,
  TruncatedError,
  tcp,
} from '../src/index.js';
import { pseudoHeader, tcpFlags, tcpValue } from './support/arbitraries-l4.js';
import { fuzzDecoder, hex, toHex } from './support/l4-fuzz.js';

const none: TcpFlags = {
  cwr: false,
  ece: false,
  urg: false,
  ack: false,
  psh: false,
  rst: false,
  syn: false,
  fin: false,
};

const table: [string, Tcp, string][] = [
  [
    'bare ACK',
    {
      srcPort: 80,
      dstPort: 51000,
      seq: 1,
      ack: 2,
      dataOffset: 5,
      reserved: 0,
      flags: { ...none, ack: true },
      window: 512,
      checksum: 0xabcd,
      urgentPointer: 0,
      options: [],
    },
    '0050 c738 00000001 00000002 5010 0200 abcd 0000',
  ],
  [
    'Linux SYN: MSS, SACK-permitted, timestamps, NOP, window scale',
    {
      srcPort: 40000,
      dstPort: 22,
      seq: 0xdeadbeef,
      ack: 0,
      dataOffset: 10,
      reserved: 0,
      flags: { ...none, syn: true, ece: true, cwr: true },
      window: 64240,
      checksum: 0,
      urgentPointer: 0,
      options: [
        { kind: 'mss', mss: 1460 },
        { kind: 'sackPermitted' },
        { kind: 'timestamps', value: 0x01020304, echo: 0 },
        { kind: 'nop' },
        { kind: 'windowScale', shift: 7 },
      ],
    },
    '9c40 0016 deadbeef 00000000 a0c2 faf0 0000 0000 020405b4 0402 080a0102030400000000 01 030307',
  ],
  [
    'SACK, unknown option, EOL with non-zero padding kept',
    {
      srcPort: 1,
      dstPort: 2,
      seq: 3,
      ack: 4,
      dataOffset: 11,
      reserved: 0xf,
      flags: { ...none, ack: true, urg: true, psh: true, rst: true, fin: true },
      window: 5,
      checksum: 6,
      urgentPointer: 7,
      options: [
        {
          kind: 'sack',
          blocks: [
            { left: 10, right: 20 },
            { left: 0xffffffff, right: 0 },
          ],
        },
        { kind: 'unknown', type: 30, data: Uint8Array.of(0xaa, 0xbb) },
        { kind: 'eol' },
      ],
      padding: Uint8Array.of(7),
    },
    '0001 0002 00000003 00000004 bf3d 0005 0006 0007 0512 0000000a 00000014 ffffffff 00000000 1e04aabb 00 07',
  ],
];

describe('tcp symmetry table', () => {
  for (const [name, value, bytes] of table) {
    it(`${name}: encode`, () => expect(toHex(tcp.encode(value))).toBe(toHex(hex(bytes))));
    it(`${name}: decode`, () =>
      expect(tcp.decode(hex(bytes))).toEqual({
        value: { ...value, checksumValid: undefined },
        length: hex(bytes).length,
      }));
  }
});

describe('tcp round trips', () => {
  it('decode(encode(v)) == v and encode(decode(b)) == b', () => {
    fc.assert(
      fc.property(tcpValue, (v) => {
        const b = tcp.encode(v);
        expect(b.length).toBe(tcp.encodingLength(v));
        const d = tcp.decode(b);
        expect(d.value).toEqual(v);
        expect(d.length).toBe(b.length);
        expect(toHex(tcp.encode(d.value))).toBe(toHex(b));
      }),
      { numRuns: 300 },
    );
  });

  it('unaligned options are closed with zero bytes', () => {
    const b = tcp.encode({
      srcPort: 1,
      dstPort: 2,
      seq: 0,
      ack: 0,
      flags: none,
      window: 0,
      urgentPointer: 0,
      options: [{ kind: 'windowScale', shift: 2 }],
    });
    expect(b.length).toBe(24);
    expect(tcp.decode(b).value.options).toEqual([{ kind: 'windowScale', shift: 2 }, { kind: 'eol' }]);
  });
});

describe('tcp checksum', () => {
  it('is computed over the pseudo-header and payload and verified', () => {
    fc.assert(
      fc.property(
        pseudoHeader,
        tcpFlags,
        fc.uint8Array({ maxLength: 50 }),
        fc.nat(),
        (pseudo, flags, payload, flip) => {
          const v: Tcp = {
            srcPort: 1234,
            dstPort: 80,
            seq: 7,
            ack: 9,
            flags,
            window: 100,
            urgentPointer: 0,
            options: [{ kind: 'mss', mss: 1400 }],
          };
          const seg = tcp.encode(v, undefined, 0, { pseudo, payload });
          expect(seg.length).toBe(24 + payload.length);
          expect(tcp.decode(seg, 0, { pseudo }).value.checksumValid).toBe(true);
          const bad = seg.slice();
          // flip a byte that carries no structure (ports, seq, ack, window, urgent pointer, payload)
          const spots = [...Array(bad.length).keys()].filter(
            (i) => i < 12 || (i >= 14 && i < 16) || (i >= 18 && i < 20) || i >= 22,
          );
          const at = spots[flip % spots.length]!;
          bad[at] = bad[at]! ^ 0x11;
          const r = tcp.decode(bad, 0, { pseudo });
          expect(r.value.checksumValid).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('segmentLength limits the checksummed bytes (Ethernet padding after the segment)', () => {
    const pseudo = { src: '10.0.0.1', dst: '10.0.0.2' };
    const seg = tcp.encode(
      { srcPort: 1, dstPort: 2, seq: 0, ack: 0, flags: none, window: 0, urgentPointer: 0, options: [] },
      undefined,
      0,
      { pseudo },
    );
    const padded = new Uint8Array(26);
    padded.set(seg);
    padded[22] = 0xff;
    expect(tcp.decode(padded, 0, { pseudo, segmentLength: 20 }).value.checksumValid).toBe(true);
    expect(tcp.decode(padded, 0, { pseudo }).value.checksumValid).toBe(false);
    expect(() => tcp.decode(padded, 0, { pseudo, segmentLength: 40 })).toThrow(TruncatedError);
    expect(() => tcp.decode(padded, 0, { pseudo, segmentLength: 10 })).toThrow(InvalidFieldError);
  });
});

describe('tcp errors', () => {
  it('data offset below 5, options past the header, truncation', () => {
    const b = hex('0001 0002 00000003 00000004 4010 0005 0006 0007');
    expect(() => tcp.decode(b)).toThrow(
      expect.objectContaining({ layer: 'tcp', field: 'dataOffset', offset: 12, value: 4 }),
    );
    const opt = hex('0001 0002 00000003 00000004 6010 0005 0006 0007 0205 0000');
    expect(() => tcp.decode(opt)).toThrow(expect.objectContaining({ field: 'options.length', offset: 21 }));
    const len1 = hex('0001 0002 00000003 00000004 6010 0005 0006 0007 0101 0801');
    expect(() => tcp.decode(len1)).toThrow(
      expect.objectContaining({ field: 'options.length', offset: 23, value: 1 }),
    );
    expect(() => tcp.decode(opt.subarray(0, 22))).toThrow(
      expect.objectContaining({ name: 'TruncatedError', field: 'options' }),
    );
  });

  it('encode checks ranges and the data offset', () => {
    const v: Tcp = {
      srcPort: 1,
      dstPort: 2,
      seq: 0,
      ack: 0,
      flags: none,
      window: 0,
      urgentPointer: 0,
      options: [],
    };
    expect(() => tcp.encode({ ...v, seq: 2 ** 32 })).toThrow(RangeFieldError);
    expect(() => tcp.encode({ ...v, dataOffset: 6 })).toThrow(RangeFieldError);
    expect(() => tcp.encode({ ...v, options: Array(41).fill({ kind: 'nop' }) })).toThrow(RangeFieldError);
    expect(() => tcp.encode({ ...v, options: [{ kind: 'mss', mss: 70000 }] })).toThrow(RangeFieldError);
  });

  it('fuzz: random and mutated bytes give only typed errors', () => {
    const valid = tcpValue.map((v) => tcp.encode(v));
    fuzzDecoder((b, o) => tcp.decode(b, o), valid, 'tcp');
    fuzzDecoder((b, o) => tcp.decode(b, o, { pseudo: { src: '::1', dst: '::2' } }), valid, 'tcp', 100);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AddressFormatError,
  AddressLengthError,
  FieldRangeError,
  FlowError,
  FlowKey,
  FlowTable,
  PortRangeError,
} from '../src/index.js';

describe('FlowKey', () => {
  it('builds IPv4 keys from text, numbers and bytes alike', () => {
    const a = FlowKey.v4(7, 6, '10.1.2.3', '192.168.0.1', 40000, 443);
    const b = FlowKey.v4(7, 6, 0x0a010203, 0xc0a80001, 40000, 443);
    const c = FlowKey.v4(7, 6, Uint8Array.of(10, 1, 2, 3), Uint8Array.of(192, 168, 0, 1), 40000, 443);
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(true);
    expect(a.toString()).toBe('vrf 7 proto 6 10.1.2.3:40000 -> 192.168.0.1:443');
    expect([a.family, a.vrf, a.proto, a.sport, a.dport]).toEqual([4, 7, 6, 40000, 443]);
  });

  it('builds IPv6 keys from text and from bytes inside a packet', () => {
    const k = FlowKey.v6(1, 17, '2001:db8::1', 'fe80::a:b:c:d', 5353, 53);
    expect(k.src).toBe('2001:db8::1');
    expect(k.dst).toBe('fe80::a:b:c:d');
    const pkt = new Uint8Array(40);
    pkt.set([0x20, 0x01, 0x0d, 0xb8], 8);
    pkt[23] = 1;
    pkt.set([0xfe, 0x80], 24);
    pkt.set([0, 0x0a, 0, 0x0b, 0, 0x0c, 0, 0x0d], 32);
    expect(new FlowKey().setV6(1, 17, pkt, 8, pkt, 24, 5353, 53).equals(k)).toBe(true);
    expect(FlowKey.v6(1, 6, '::', '::ffff:10.0.0.1', 1, 2).dst).toBe('::ffff:a00:1');
  });

  it('reverses addresses and ports', () => {
    const k = FlowKey.v6(3, 6, '2001:db8::1', '2001:db8::2', 1000, 80);
    const r = k.reverseInto(new FlowKey());
    expect(r.toString()).toBe('vrf 3 proto 6 [2001:db8::2]:80 -> [2001:db8::1]:1000');
    expect(r.reverseInto(new FlowKey()).equals(k)).toBe(true);
  });

  it('round-trips any IPv6 address through text', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        (s, d) => {
          const k = FlowKey.v6(0, 17, s, d, 1, 2);
          expect(FlowKey.v6(0, 17, k.src, k.dst, 1, 2).equals(k)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects bad input with typed errors', () => {
    const cases: [() => unknown, new (...a: never[]) => FlowError, string][] = [
      [() => FlowKey.v4(1, 6, Uint8Array.of(1, 2, 3), '1.2.3.4', 1, 2), AddressLengthError, 'src'],
      [() => FlowKey.v6(1, 6, new Uint8Array(4), '::1', 1, 2), AddressLengthError, 'src'],
      [() => FlowKey.v6(1, 6, '::1', new Uint8Array(17), 1, 2), AddressLengthError, 'dst'],
      [
        () => new FlowKey().setV6(1, 6, new Uint8Array(20), 8, new Uint8Array(16), 0, 1, 2),
        AddressLengthError,
        'src',
      ],
      [() => FlowKey.v4(1, 6, '1.2.3', '1.2.3.4', 1, 2), AddressFormatError, 'src'],
      [() => FlowKey.v4(1, 6, '1.2.3.4', '1.2.3.256', 1, 2), AddressFormatError, 'dst'],
      [() => FlowKey.v4(1, 6, -1, '1.2.3.4', 1, 2), AddressFormatError, 'src'],
      [() => FlowKey.v6(1, 6, '1::2::3', '::1', 1, 2), AddressFormatError, 'src'],
      [() => FlowKey.v6(1, 6, '::1', '1:2:3:4:5:6:7:8:9', 1, 2), AddressFormatError, 'dst'],
      [() => FlowKey.v4(1, 6, '1.2.3.4', '1.2.3.4', 65536, 2), PortRangeError, 'sport'],
      [() => FlowKey.v4(1, 6, '1.2.3.4', '1.2.3.4', 1, -1), PortRangeError, 'dport'],
      [() => FlowKey.v4(1, 6, '1.2.3.4', '1.2.3.4', 1.5, 2), PortRangeError, 'sport'],
      [() => FlowKey.v4(70000, 6, '1.2.3.4', '1.2.3.4', 1, 2), FieldRangeError, 'vrf'],
      [() => FlowKey.v4(1, 256, '1.2.3.4', '1.2.3.4', 1, 2), FieldRangeError, 'proto'],
    ];
    for (const [fn, cls, field] of cases) {
      let err: unknown;
      try {
        fn();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(cls);
      expect((err as FlowError).field).toBe(field);
      expect((err as FlowError).name).toBe(cls.name);
      expect((err as FlowError).code).toMatch(/^ERR_FLOW_/);
    }
  });

  it('the lookup fast path validates its numbers too', () => {
    const t = new FlowTable({ capacity: 8 });
    expect(() => t.lookupV4(1, 6, 1, 2, 70000, 1)).toThrow(PortRangeError);
    expect(() => t.lookupV4(1, 6, 1, 2, 1, Number.NaN)).toThrow(PortRangeError);
    expect(() => t.lookupV4(1, 6, 2 ** 33, 2, 1, 1)).toThrow(AddressFormatError);
    expect(() => t.lookupV4(1 << 16, 6, 1, 2, 1, 1)).toThrow(FieldRangeError);
    expect(t.lookupV4(1, 6, 0xffffffff, -1, 1, 1)).toBe(-1);
  });

  it('only typed errors come out of random constructor input', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -5, max: 70000 }),
        fc.integer({ min: -2, max: 300 }),
        fc.oneof(fc.string(), fc.uint8Array({ maxLength: 20 }), fc.double()),
        fc.oneof(fc.string(), fc.uint8Array({ maxLength: 20 })),
        fc.double(),
        fc.integer(),
        (vrf, proto, src, dst, sp, dp) => {
          for (const make of [
            () => FlowKey.v4(vrf, proto, src, typeof dst === 'string' ? dst : dst, sp, dp),
            () => FlowKey.v6(vrf, proto, typeof src === 'number' ? String(src) : src, dst, sp, dp),
          ]) {
            try {
              make();
            } catch (e) {
              expect(e).toBeInstanceOf(FlowError);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

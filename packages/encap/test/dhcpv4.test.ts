import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BOOTP_MIN_LENGTH,
  DHCP_MAGIC_COOKIE,
  DhcpMessageType,
  type DhcpOption,
  type Dhcpv4,
  decodeDhcpOptions,
  dhcpOverloadOptions,
  dhcpPadded,
  dhcpv4,
  encodeDhcpOptions,
  InvalidFieldError,
  RangeFieldError,
  TruncatedError,
} from '../src/index.js';
import { dhcpOption, dhcpValue } from './support/arbitraries-l4.js';
import { fuzzDecoder, hex, toHex } from './support/l4-fuzz.js';

const optionTable: [string, DhcpOption[], string][] = [
  [
    'message type DISCOVER, end',
    [{ kind: 'messageType', value: DhcpMessageType.discover }, { kind: 'end' }],
    '350101 ff',
  ],
  [
    'addresses and lists',
    [
      { kind: 'subnetMask', value: '255.255.255.0' },
      { kind: 'router', value: ['10.0.0.1', '10.0.0.2'] },
      { kind: 'dnsServers', value: ['8.8.8.8'] },
      { kind: 'serverId', value: '10.0.0.254' },
      { kind: 'requestedIp', value: '10.0.0.7' },
      { kind: 'broadcastAddress', value: '10.0.0.255' },
    ],
    '0104ffffff00 03080a0000010a000002 060408080808 36040a0000fe 32040a000007 1c040a0000ff',
  ],
  [
    'times, MTU, names, PRL, client id, overload, pad',
    [
      { kind: 'leaseTime', value: 86400 },
      { kind: 'renewalTime', value: 43200 },
      { kind: 'rebindingTime', value: 0xffffffff },
      { kind: 'mtu', value: 1450 },
      { kind: 'pad' },
      { kind: 'hostname', value: 'vm-1' },
      { kind: 'domainName', value: 'example.org' },
      { kind: 'parameterRequestList', value: [1, 3, 6, 15, 121] },
      { kind: 'clientId', value: { type: 1, id: Uint8Array.of(0x52, 0x54, 0, 1, 2, 3) } },
      { kind: 'overload', value: 3 },
    ],
    '330400015180 3a040000a8c0 3b04ffffffff 1a0205aa 00 0c04766d2d31 0f0b6578616d706c652e6f7267 370501030 60f79 3d0701525400010203 340103',
  ],
  [
    'RFC 3442 classless routes: default, /8, /24, /32, /0 and unknown kept raw',
    [
      {
        kind: 'classlessStaticRoutes',
        value: [
          { destination: '0.0.0.0/0', router: '10.0.0.1' },
          { destination: '10.0.0.0/8', router: '10.0.0.2' },
          { destination: '192.168.5.0/24', router: '10.0.0.3' },
          { destination: '1.2.3.4/32', router: '10.0.0.4' },
          { destination: '172.16.0.0/12', router: '0.0.0.0' },
        ],
      },
      { kind: 'unknown', code: 82, data: Uint8Array.of(1, 2, 0xaa, 0xbb) },
    ],
    '7923 000a000001 080a0a000002 18c0a8050a000003 20010203040a000004 0cac1000000000 5204 0102aabb',
  ],
];

describe('dhcp options symmetry table', () => {
  for (const [name, options, bytes] of optionTable) {
    it(`${name}: encode`, () => expect(toHex(encodeDhcpOptions(options))).toBe(toHex(hex(bytes))));
    it(`${name}: decode`, () =>
      expect(decodeDhcpOptions(hex(bytes), 0, hex(bytes).length)).toEqual({ options }));
  }
});

const offer: Dhcpv4 = {
  op: 2,
  htype: 1,
  hlen: 6,
  hops: 0,
  xid: 0x3903f326,
  secs: 0,
  broadcast: true,
  flags: 0,
  ciaddr: '0.0.0.0',
  yiaddr: '192.168.1.100',
  siaddr: '192.168.1.1',
  giaddr: '0.0.0.0',
  chaddr: '00:05:3c:04:8d:59',
  sname: 'server',
  file: 'pxelinux.0',
  options: [
    { kind: 'messageType', value: DhcpMessageType.offer },
    { kind: 'serverId', value: '192.168.1.1' },
    { kind: 'end' },
  ],
  trailer: new Uint8Array(8),
};

describe('dhcpv4 message', () => {
  it('lays out the fixed part, cookie and options', () => {
    const b = dhcpv4.encode(offer);
    expect(b.length).toBe(240 + 3 + 6 + 1 + 8);
    expect(toHex(b.subarray(0, 12))).toBe('020106003903f32600008000');
    expect(toHex(b.subarray(16, 24))).toBe('c0a80164c0a80101');
    expect(toHex(b.subarray(28, 44))).toBe(`00053c048d59${'00'.repeat(10)}`);
    expect(b[44]).toBe(0x73);
    expect(b[44 + 6]).toBe(0);
    expect(toHex(b.subarray(108, 118))).toBe(toHex(new TextEncoder().encode('pxelinux.0')));
    expect(new DataView(b.buffer).getUint32(236)).toBe(DHCP_MAGIC_COOKIE);
    expect(toHex(b.subarray(240))).toBe(toHex(hex('350102 3604c0a80101 ff 0000000000000000')));
    expect(dhcpv4.decode(b)).toEqual({ value: offer, length: b.length });
  });

  it('decode(encode(v)) == v and encode(decode(b)) == b', () => {
    fc.assert(
      fc.property(dhcpValue, (v) => {
        const b = dhcpv4.encode(v);
        expect(b.length).toBe(dhcpv4.encodingLength(v));
        const d = dhcpv4.decode(b);
        expect(d.value).toEqual(v);
        expect(toHex(dhcpv4.encode(d.value))).toBe(toHex(b));
      }),
      { numRuns: 150 },
    );
  });

  it('a length option leaves link-layer padding out of the message', () => {
    const b = dhcpv4.encode(offer);
    const padded = new Uint8Array(b.length + 6).fill(0xee);
    padded.set(b);
    expect(dhcpv4.decode(padded, 0, { length: b.length })).toEqual({ value: offer, length: b.length });
    expect(dhcpv4.decode(padded).value.trailer).toEqual(
      Uint8Array.from([...new Uint8Array(8), ...new Uint8Array(6).fill(0xee)]),
    );
    expect(() => dhcpv4.decode(padded, 0, { length: padded.length + 1 })).toThrow(TruncatedError);
    expect(() => dhcpv4.decode(padded, 0, { length: 100 })).toThrow(InvalidFieldError);
  });

  it('pads to the 300-byte BOOTP minimum after End', () => {
    const short: Dhcpv4 = { ...offer, options: [{ kind: 'messageType', value: DhcpMessageType.discover }] };
    delete short.trailer;
    const p = dhcpPadded(short);
    const b = dhcpv4.encode(p);
    expect(b.length).toBe(BOOTP_MIN_LENGTH);
    expect(dhcpv4.decode(b).value).toEqual(p);
    expect(p.options.at(-1)).toEqual({ kind: 'end' });
    expect([...(p.trailer ?? [])].every((x) => x === 0)).toBe(true);
    const long = dhcpPadded(offer, 100);
    expect(long).toBe(offer);
    expect(dhcpv4.encode(dhcpPadded(offer, 400)).length).toBe(400);
  });

  it('reads options overloaded into file and sname (option 52)', () => {
    const fileOpts = encodeDhcpOptions([{ kind: 'hostname', value: 'in-file' }, { kind: 'end' }]);
    const snameOpts = encodeDhcpOptions([{ kind: 'dnsServers', value: ['1.1.1.1'] }, { kind: 'end' }]);
    const msg: Dhcpv4 = {
      ...offer,
      file: String.fromCharCode(...fileOpts),
      sname: String.fromCharCode(...snameOpts),
      options: [{ kind: 'overload', value: 3 }, { kind: 'end' }],
    };
    const d = dhcpv4.decode(dhcpv4.encode(msg)).value;
    expect(dhcpOverloadOptions(d)).toEqual({
      file: [{ kind: 'hostname', value: 'in-file' }, { kind: 'end' }],
      sname: [{ kind: 'dnsServers', value: ['1.1.1.1'] }, { kind: 'end' }],
    });
    expect(dhcpOverloadOptions({ ...d, options: [{ kind: 'overload', value: 1 }] })).toEqual({
      file: [{ kind: 'hostname', value: 'in-file' }, { kind: 'end' }],
    });
    expect(dhcpOverloadOptions(offer)).toEqual({});
  });

  it('random option lists round-trip through the options codec', () => {
    fc.assert(
      fc.property(fc.array(dhcpOption, { maxLength: 20 }), (options) => {
        const b = encodeDhcpOptions(options);
        expect(decodeDhcpOptions(b, 0, b.length)).toEqual({ options });
      }),
      { numRuns: 200 },
    );
  });
});

describe('dhcpv4 errors', () => {
  const base = dhcpv4.encode({ ...offer, options: [], trailer: undefined as never });
  it('magic cookie, truncated fixed part, malformed options name field and offset', () => {
    const bad = base.slice();
    bad[239] = 0;
    expect(() => dhcpv4.decode(bad)).toThrow(
      expect.objectContaining({ name: 'InvalidFieldError', field: 'magicCookie', offset: 236 }),
    );
    expect(() => dhcpv4.decode(base.subarray(0, 239))).toThrow(TruncatedError);
    const withOpts = (o: string) => {
      const b = new Uint8Array(240 + hex(o).length);
      b.set(base);
      b.set(hex(o), 240);
      return b;
    };
    expect(() => dhcpv4.decode(withOpts('0103ffffff'))).toThrow(
      expect.objectContaining({ field: 'options.subnetMask', offset: 241, value: 3 }),
    );
    expect(() => dhcpv4.decode(withOpts('350101 0305 0a000001'))).toThrow(
      expect.objectContaining({ name: 'TruncatedError', field: 'options.router', offset: 245 }),
    );
    expect(() => dhcpv4.decode(withOpts('00 35'))).toThrow(
      expect.objectContaining({ name: 'TruncatedError', field: 'options.messageType.length', offset: 242 }),
    );
    expect(() => dhcpv4.decode(withOpts('7906 21 0a000001 00'))).toThrow(
      expect.objectContaining({ field: 'options.classlessStaticRoutes', offset: 242, value: 33 }),
    );
    expect(() => dhcpv4.decode(withOpts('7905 18 0a000001'))).toThrow(
      expect.objectContaining({ field: 'options.classlessStaticRoutes' }),
    );
    expect(() => dhcpv4.decode(withOpts('3700'))).toThrow(InvalidFieldError);
  });
  it('encode checks ranges and text', () => {
    expect(() => dhcpv4.encode({ ...offer, xid: 2 ** 32 })).toThrow(RangeFieldError);
    expect(() => dhcpv4.encode({ ...offer, ciaddr: '1.2.3' })).toThrow(InvalidFieldError);
    expect(() => dhcpv4.encode({ ...offer, chaddr: 'zz:00' })).toThrow(InvalidFieldError);
    expect(() => dhcpv4.encode({ ...offer, sname: 'x'.repeat(65) })).toThrow(RangeFieldError);
    expect(() => encodeDhcpOptions([{ kind: 'hostname', value: 'x'.repeat(256) }])).toThrow(RangeFieldError);
    expect(() => encodeDhcpOptions([{ kind: 'hostname', value: 'é€' }])).toThrow(RangeFieldError);
    expect(() => encodeDhcpOptions([{ kind: 'unknown', code: 53, data: new Uint8Array(1) }])).toThrow(
      RangeFieldError,
    );
    expect(() => encodeDhcpOptions([{ kind: 'mtu', value: 70000 }])).toThrow(RangeFieldError);
    expect(() =>
      encodeDhcpOptions([
        { kind: 'classlessStaticRoutes', value: [{ destination: '10.0.0.0/33', router: '1.1.1.1' }] },
      ]),
    ).toThrow(InvalidFieldError);
  });
  it('fuzz: random and mutated bytes give only typed errors', () => {
    const valid = dhcpValue.map((v) => dhcpv4.encode(v));
    fuzzDecoder((b, o) => dhcpv4.decode(b, o), valid, 'dhcpv4', 200);
    fuzzDecoder(
      (b, o) => dhcpv4.decode(b, o, { length: Math.max(0, b.length - o - 3) }),
      valid,
      'dhcpv4',
      100,
    );
    // the option area alone, where most of the structure is
    fuzzDecoder(
      (b, o) => decodeDhcpOptions(b, o, b.length),
      fc.array(dhcpOption, { maxLength: 10 }).map((o) => encodeDhcpOptions(o)),
      'dhcpv4',
    );
  });
});

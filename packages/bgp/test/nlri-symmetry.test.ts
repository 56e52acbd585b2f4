// Symmetry tables: one (name, family, value, bytes) row checks both directions. Bytes are written from the
// RFC field layouts (section named per row).
import { describe, expect, it } from 'vitest';
import {
  decodeNlri,
  encodeNlri,
  evpnLabel,
  evpnLabelFromMpls,
  type Family,
  MalformedError,
  type Nlri,
  TruncatedError,
} from '../src/index.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/[\s|]/g, ''), 'hex'));

const V4: Family = { afi: 1, safi: 1 };
const V6: Family = { afi: 2, safi: 1 };
const LU4: Family = { afi: 1, safi: 4 };
const LU6: Family = { afi: 2, safi: 4 };
const VPN4: Family = { afi: 1, safi: 128 };
const VPN6: Family = { afi: 2, safi: 128 };
const RTC: Family = { afi: 1, safi: 132 };
const EVPN: Family = { afi: 25, safi: 70 };

const rows: { name: string; family: Family; addPath?: boolean; value: Nlri[]; bytes: string }[] = [
  // RFC 4271 4.3
  { name: 'ipv4 10.0.0.0/8', family: V4, value: [{ type: 'prefix', prefix: '10.0.0.0/8' }], bytes: '08 0a' },
  { name: 'ipv4 default', family: V4, value: [{ type: 'prefix', prefix: '0.0.0.0/0' }], bytes: '00' },
  {
    name: 'ipv4 /32 and /23',
    family: V4,
    value: [
      { type: 'prefix', prefix: '192.0.2.1/32' },
      { type: 'prefix', prefix: '198.51.100.0/23' },
    ],
    bytes: '20 c0000201 | 17 c63364',
  },
  // RFC 7911 3
  {
    name: 'ipv4 add-path',
    family: V4,
    addPath: true,
    value: [{ type: 'prefix', prefix: '192.168.1.0/24', pathId: 1 }],
    bytes: '00000001 18 c0a801',
  },
  // RFC 4760 5 (IPv6), RFC 5952 text
  {
    name: 'ipv6 2001:db8::/32',
    family: V6,
    value: [{ type: 'prefix', prefix: '2001:db8::/32' }],
    bytes: '20 20010db8',
  },
  {
    name: 'ipv6 /128',
    family: V6,
    value: [{ type: 'prefix', prefix: '2001:db8::1:0:0:1/128' }],
    bytes: '80 20010db8000000000001000000000001',
  },
  // RFC 8277 2.2: one label 100 (0x000641 with S), 10.1.0.0/16 -> 24 + 16 bits
  {
    name: 'labeled ipv4',
    family: LU4,
    value: [{ type: 'labeled', labels: [100], prefix: '10.1.0.0/16' }],
    bytes: '28 000641 0a01',
  },
  // RFC 8277 2.2 multiple labels: 16, 17 (S on the last)
  {
    name: 'labeled ipv4 two labels',
    family: LU4,
    value: [{ type: 'labeled', labels: [16, 17], prefix: '10.1.1.0/24' }],
    bytes: '48 000100 000111 0a0101',
  },
  // RFC 8277 2.4: withdrawal with 0x800000
  {
    name: 'labeled ipv6 withdrawal',
    family: LU6,
    value: [{ type: 'labeled', labels: [], withdrawLabel: 0x800000, prefix: '2001:db8::/32' }],
    bytes: '38 800000 20010db8',
  },
  // RFC 4364 4.3.4: label 100, RD 65001:100 (type 0), 10.1.0.0/24 -> 24 + 64 + 24 = 112 bits
  {
    name: 'vpnv4 rd type 0',
    family: VPN4,
    value: [
      { type: 'vpn', labels: [100], rd: { type: 0, asn: 65001, assigned: 100 }, prefix: '10.1.0.0/24' },
    ],
    bytes: '70 000641 0000fde900000064 0a0100',
  },
  {
    name: 'vpnv4 rd type 1',
    family: VPN4,
    value: [
      { type: 'vpn', labels: [101], rd: { type: 1, ip: '1.1.1.1', assigned: 100 }, prefix: '10.1.1.0/24' },
    ],
    bytes: '70 000651 0001010101010064 0a0101',
  },
  {
    name: 'vpnv4 rd type 2 add-path',
    family: VPN4,
    addPath: true,
    value: [
      {
        type: 'vpn',
        labels: [7],
        rd: { type: 2, asn: 4200000000, assigned: 7 },
        prefix: '10.0.0.0/8',
        pathId: 9,
      },
    ],
    bytes: '00000009 60 000071 0002fa56ea000007 0a',
  },
  {
    name: 'vpnv4 withdrawal',
    family: VPN4,
    value: [
      {
        type: 'vpn',
        labels: [],
        withdrawLabel: 0x800000,
        rd: { type: 0, asn: 65001, assigned: 100 },
        prefix: '10.1.0.0/24',
      },
    ],
    bytes: '70 800000 0000fde900000064 0a0100',
  },
  // RFC 4659 3.2
  {
    name: 'vpnv6',
    family: VPN6,
    value: [
      { type: 'vpn', labels: [102], rd: { type: 0, asn: 65001, assigned: 100 }, prefix: '2001:db8:1::/64' },
    ],
    bytes: '98 000661 0000fde900000064 20010db800010000',
  },
  // RFC 4684 4
  { name: 'rtc default', family: RTC, value: [{ type: 'rtc', prefixLength: 0 }], bytes: '00' },
  {
    name: 'rtc full',
    family: RTC,
    value: [
      {
        type: 'rtc',
        prefixLength: 96,
        originAs: 65001,
        routeTarget: { kind: 'route-target', form: 'as2', asn: 65001, local: 500 },
      },
    ],
    bytes: '60 0000fde9 0002fde9000001f4',
  },
  {
    name: 'rtc origin AS only',
    family: RTC,
    value: [{ type: 'rtc', prefixLength: 32, originAs: 65001 }],
    bytes: '20 0000fde9',
  },
  {
    name: 'rtc partial route target (48 bits)',
    family: RTC,
    value: [
      {
        type: 'rtc',
        prefixLength: 48,
        originAs: 65001,
        routeTarget: { kind: 'route-target', form: 'as2', asn: 0, local: 0 },
      },
    ],
    bytes: '30 0000fde9 0002',
  },
  // RFC 7432 7.1
  {
    name: 'evpn type 1 Ethernet A-D',
    family: EVPN,
    value: [
      {
        type: 'evpn-ethernet-ad',
        routeType: 1,
        rd: { type: 1, ip: '1.1.1.1', assigned: 1001 },
        esi: '01:aa:bb:cc:dd:ee:ff:00:0a:00',
        ethernetTag: 0,
        label: evpnLabel(1001),
      },
    ],
    bytes: '01 19 000101010101 03e9 01aabbccddeeff000a00 00000000 0003e9',
  },
  // RFC 7432 7.2: MAC only, one label
  {
    name: 'evpn type 2 MAC only',
    family: EVPN,
    value: [
      {
        type: 'evpn-mac-ip',
        routeType: 2,
        rd: { type: 1, ip: '1.1.1.1', assigned: 1001 },
        esi: '00:00:00:00:00:00:00:00:00:00',
        ethernetTag: 0,
        mac: '02:00:00:00:01:02',
        label1: evpnLabel(1001),
      },
    ],
    bytes: '02 21 000101010101 03e9 00000000000000000000 00000000 30 020000000102 00 0003e9',
  },
  // RFC 7432 7.2 + RFC 9135 5.1: MAC + IPv4 with L2 and L3 labels
  {
    name: 'evpn type 2 MAC/IPv4 two labels',
    family: EVPN,
    value: [
      {
        type: 'evpn-mac-ip',
        routeType: 2,
        rd: { type: 0, asn: 65000, assigned: 100 },
        esi: '00:00:00:00:00:00:00:00:00:00',
        ethernetTag: 100,
        mac: '02:aa:bb:cc:dd:01',
        ip: '10.100.0.5',
        label1: evpnLabelFromMpls(100),
        label2: evpnLabel(5000),
      },
    ],
    bytes: '02 28 0000fde800000064 00000000000000000000 00000064 30 02aabbccdd01 20 0a640005 000641 001388',
  },
  {
    name: 'evpn type 2 MAC/IPv6',
    family: EVPN,
    addPath: true,
    value: [
      {
        type: 'evpn-mac-ip',
        routeType: 2,
        rd: { type: 0, asn: 65000, assigned: 100 },
        esi: '00:00:00:00:00:00:00:00:00:00',
        ethernetTag: 0,
        mac: '02:aa:bb:cc:dd:01',
        ip: 'fe80::1',
        label1: evpnLabel(10),
        pathId: 2,
      },
    ],
    bytes:
      '00000002 02 31 0000fde800000064 00000000000000000000 00000000 30 02aabbccdd01 80 fe800000000000000000000000000001 00000a',
  },
  // RFC 7432 7.3
  {
    name: 'evpn type 3 IPv4 originator',
    family: EVPN,
    value: [
      {
        type: 'evpn-inclusive-multicast',
        routeType: 3,
        rd: { type: 1, ip: '1.1.1.1', assigned: 1001 },
        ethernetTag: 0,
        originator: '10.255.0.1',
      },
    ],
    bytes: '03 11 000101010101 03e9 00000000 20 0aff0001',
  },
  {
    name: 'evpn type 3 IPv6 originator',
    family: EVPN,
    value: [
      {
        type: 'evpn-inclusive-multicast',
        routeType: 3,
        rd: { type: 0, asn: 1, assigned: 2 },
        ethernetTag: 7,
        originator: '2001:db8::1',
      },
    ],
    bytes: '03 1d 0000000100000002 00000007 80 20010db8000000000000000000000001',
  },
  // RFC 7432 7.4
  {
    name: 'evpn type 4',
    family: EVPN,
    value: [
      {
        type: 'evpn-ethernet-segment',
        routeType: 4,
        rd: { type: 1, ip: '1.1.1.1', assigned: 0 },
        esi: '01:aa:bb:cc:dd:ee:ff:00:0a:00',
        originator: '10.255.0.1',
      },
    ],
    bytes: '04 17 0001010101010000 01aabbccddeeff000a00 20 0aff0001',
  },
  // RFC 9136 3.1
  {
    name: 'evpn type 5 IPv4',
    family: EVPN,
    value: [
      {
        type: 'evpn-ip-prefix',
        routeType: 5,
        rd: { type: 1, ip: '1.1.1.1', assigned: 5001 },
        esi: '00:00:00:00:00:00:00:00:00:00',
        ethernetTag: 0,
        prefix: '10.10.10.0/24',
        gateway: '0.0.0.0',
        label: evpnLabel(5001),
      },
    ],
    bytes: '05 22 000101010101 1389 00000000000000000000 00000000 18 0a0a0a00 00000000 001389',
  },
  {
    name: 'evpn type 5 IPv6 with gateway',
    family: EVPN,
    value: [
      {
        type: 'evpn-ip-prefix',
        routeType: 5,
        rd: { type: 0, asn: 65002, assigned: 5000 },
        esi: '00:00:00:00:00:00:00:00:00:00',
        ethernetTag: 0,
        prefix: '2001:db8:10::/64',
        gateway: '2001:db8::fe',
        label: evpnLabelFromMpls(5000),
      },
    ],
    bytes:
      '05 3a 0000fdea00001388 00000000000000000000 00000000 40 20010db8001000000000000000000000 20010db80000000000000000000000fe 013881',
  },
  {
    name: 'evpn unknown route type kept as bytes',
    family: EVPN,
    value: [{ type: 'evpn-unknown', routeType: 9, bytes: hex('0102030405') }],
    bytes: '09 05 0102030405',
  },
];

describe('NLRI symmetry tables', () => {
  for (const r of rows) {
    it(r.name, () => {
      const opts = { addPath: r.addPath ?? false };
      const bytes = hex(r.bytes);
      expect(decodeNlri(r.family, bytes, 0, bytes.length, opts)).toEqual(r.value);
      expect(Buffer.from(encodeNlri(r.family, r.value, opts)).toString('hex')).toBe(
        Buffer.from(bytes).toString('hex'),
      );
    });
  }

  it('label 0x013881 reads as MPLS label 5000 (S set) and as VNI 80001', () => {
    const v = decodeNlri(
      EVPN,
      hex(rows.find((r) => r.name === 'evpn type 5 IPv6 with gateway')!.bytes),
      0,
      60,
      {
        addPath: false,
      },
    )[0]!;
    expect(v.type === 'evpn-ip-prefix' && v.label).toEqual({ raw: 0x013881, label: 5000, vni: 80001 });
  });
});

describe('NLRI errors carry layer, field and offset', () => {
  const cases: {
    name: string;
    family: Family;
    bytes: string;
    cls: typeof MalformedError | typeof TruncatedError;
    field: string;
    offset: number;
  }[] = [
    {
      name: 'ipv4 length 33',
      family: V4,
      bytes: '21 0a000000 00',
      cls: MalformedError,
      field: 'length',
      offset: 0,
    },
    {
      name: 'ipv4 prefix past end',
      family: V4,
      bytes: '18 0a00',
      cls: TruncatedError,
      field: 'prefix',
      offset: 1,
    },
    { name: 'ipv6 length 129', family: V6, bytes: '81', cls: MalformedError, field: 'length', offset: 0 },
    {
      name: 'labels without S bit',
      family: LU4,
      bytes: '30 000640 000640',
      cls: MalformedError,
      field: 'labels',
      offset: 7,
    },
    {
      name: 'vpn too short for RD',
      family: VPN4,
      bytes: '20 000641 0000fde9',
      cls: MalformedError,
      field: 'length',
      offset: 0,
    },
    {
      name: 'rtc length 20',
      family: RTC,
      bytes: '14 000000',
      cls: MalformedError,
      field: 'length',
      offset: 0,
    },
    { name: 'rtc length 97', family: RTC, bytes: '61', cls: MalformedError, field: 'length', offset: 0 },
    {
      name: 'evpn route past end',
      family: EVPN,
      bytes: '02 21 0001',
      cls: TruncatedError,
      field: 'length',
      offset: 1,
    },
    {
      name: 'evpn type 1 bad length',
      family: EVPN,
      bytes: '01 03 000000',
      cls: MalformedError,
      field: 'length',
      offset: 1,
    },
    {
      name: 'evpn type 2 MAC length 40',
      family: EVPN,
      bytes: '02 21 0000000000000000 00000000000000000000 00000000 28 020000000102 00 0003e9',
      cls: MalformedError,
      field: 'macLength',
      offset: 24,
    },
    {
      name: 'evpn type 2 IP length 24',
      family: EVPN,
      bytes: '02 24 0000000000000000 00000000000000000000 00000000 30 020000000102 18 0a0000 0003e9',
      cls: MalformedError,
      field: 'ipLength',
      offset: 31,
    },
    {
      name: 'evpn type 5 length 35',
      family: EVPN,
      bytes: `05 23 ${'00'.repeat(35)}`,
      cls: MalformedError,
      field: 'length',
      offset: 1,
    },
    { name: 'add-path id cut', family: V4, bytes: '0000', cls: TruncatedError, field: 'pathId', offset: 0 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const b = hex(c.bytes);
      const addPath = c.name.startsWith('add-path');
      try {
        decodeNlri(c.family, b, 0, b.length, { addPath });
        expect.unreachable('decoded');
      } catch (e) {
        expect(e).toBeInstanceOf(c.cls);
        const err = e as MalformedError;
        expect(err.layer).toMatch(/^nlri:/);
        expect(err.field).toBe(c.field);
        expect(err.offset).toBe(c.offset);
        expect(err.notification).toEqual({ code: 3, subcode: 10, data: new Uint8Array(0) });
      }
    });
  }
});

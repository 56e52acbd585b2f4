// encodeNlri writes each route once into a reused work buffer and remembers the last parsed RD address and
// ESI: lists that grow the buffer, a good encode after a failed one, and alternating or invalid shared
// values must all give the same bytes as route-by-route encoding.
import { describe, expect, it } from 'vitest';
import {
  Afi,
  BgpError,
  decodeNlri,
  encodeNlri,
  type Family,
  type Nlri,
  parseRd,
  Safi,
} from '../src/index.js';

const VPNV4 = { afi: Afi.IPv4, safi: Safi.MplsVpn };
const EVPN = { afi: Afi.L2VPN, safi: Safi.Evpn };
const opts = { addPath: false };

function vpn(i: number, rdText: string): Nlri {
  return {
    type: 'vpn',
    labels: [16 + (i % 1000)],
    rd: parseRd(rdText),
    prefix: `10.${(i >> 8) & 255}.${i & 255}.0/24`,
  };
}

function macIp(i: number, esi: string, rdText: string): Nlri {
  const h = (i & 255).toString(16).padStart(2, '0');
  return {
    type: 'evpn-mac-ip',
    routeType: 2,
    rd: parseRd(rdText),
    esi,
    ethernetTag: 0,
    mac: `02:00:00:00:01:${h}`,
    ip: `10.1.0.${i & 255}`,
    label1: { raw: 5001, label: 5001 >>> 4, vni: 5001 },
  } as Nlri;
}

/** The reference: each route encoded on its own, concatenated. */
function oneByOne(family: Family, routes: Nlri[]): number[] {
  return routes.flatMap((r) => [...encodeNlri(family, [r], opts)]);
}

describe('encodeNlri work buffer and shared-value memory', () => {
  it('encodes lists far larger than the initial buffer (64 KiB of NLRI) exactly', () => {
    const routes = Array.from({ length: 6000 }, (_, i) => vpn(i, i % 2 ? '10.0.0.1:5' : '65000:7'));
    const bytes = encodeNlri(VPNV4, routes, opts);
    expect(bytes.length).toBeGreaterThan(64 * 1024);
    expect([...bytes]).toEqual(oneByOne(VPNV4, routes));
    expect(decodeNlri(VPNV4, bytes, 0, bytes.length, opts)).toEqual(routes);
  });

  it('gives the right bytes after a failed encode, and refuses every invalid route', () => {
    const good = [vpn(1, '10.0.0.1:5'), vpn(2, '10.0.0.1:5')];
    const bad: Nlri = { ...vpn(3, '10.0.0.1:5'), prefix: '10.0.0.0/33' } as Nlri;
    expect(() => encodeNlri(VPNV4, [good[0]!, bad, good[1]!], opts)).toThrow(BgpError);
    expect([...encodeNlri(VPNV4, good, opts)]).toEqual(oneByOne(VPNV4, good));
    const badRd = { ...vpn(4, '10.0.0.1:5'), rd: { type: 1, ip: '10.0.0.300', assigned: 5 } } as Nlri;
    expect(() => encodeNlri(VPNV4, [good[0]!, badRd], opts)).toThrow(BgpError);
    // The remembered RD address must not leak into the next encode.
    expect([...encodeNlri(VPNV4, [vpn(5, '10.0.0.2:5')], opts)]).toEqual(
      oneByOne(VPNV4, [vpn(5, '10.0.0.2:5')]),
    );
  });

  it('alternating RD addresses and ESIs across routes decode back to themselves', () => {
    const esis = [
      '00:00:00:00:00:00:00:00:00:00',
      '01:aa:bb:cc:dd:ee:ff:00:00:01',
      '00:11:22:33:44:55:66:77:88:99',
    ];
    const rds = ['10.0.0.1:5', '10.0.0.2:5', '65000:100', '10.0.0.1:6'];
    const routes = Array.from({ length: 60 }, (_, i) => macIp(i, esis[i % 3]!, rds[i % 4]!));
    const bytes = encodeNlri(EVPN, routes, opts);
    expect([...bytes]).toEqual(oneByOne(EVPN, routes));
    expect(decodeNlri(EVPN, bytes, 0, bytes.length, opts)).toEqual(routes);
    const badEsi = macIp(61, '00:zz:00:00:00:00:00:00:00:00', rds[0]!);
    expect(() => encodeNlri(EVPN, [routes[0]!, badEsi], opts)).toThrow(BgpError);
  });
});

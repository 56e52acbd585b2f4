// The EVPN label field and its readings (RFC 7432 7, RFC 8365 5.1.3), chosen by the encapsulation
// extended community (RFC 9012 tunnel types).
import { describe, expect, it } from 'vitest';
import {
  EncodeError,
  type EvpnRoute,
  type ExtendedCommunity,
  evpnLabel,
  evpnLabelFromMpls,
  evpnLabelFromVni,
  evpnLabelReading,
  evpnServiceLabels,
} from '../src/index.js';

const encap = (t: number): ExtendedCommunity => ({ kind: 'encapsulation', tunnelType: t });
const rt: ExtendedCommunity = { kind: 'route-target', form: 'as2', asn: 65000, local: 1 };

describe('EVPN label field', () => {
  it('exposes the raw 24 bits and both readings', () => {
    expect(evpnLabelFromMpls(5000)).toEqual({ raw: 0x013881, label: 5000, vni: 80001 });
    expect(evpnLabelFromMpls(5000, false)).toEqual({ raw: 0x013880, label: 5000, vni: 80000 });
    expect(evpnLabelFromVni(5000)).toEqual({ raw: 0x001388, label: 312, vni: 5000 });
    expect(evpnLabel(0xffffff)).toEqual({ raw: 0xffffff, label: 0xfffff, vni: 0xffffff });
    expect(() => evpnLabel(0x1000000)).toThrow(EncodeError);
    expect(() => evpnLabelFromMpls(0x100000)).toThrow(EncodeError);
  });

  it('the encapsulation community picks the reading', () => {
    expect(evpnLabelReading([])).toBe('mpls');
    expect(evpnLabelReading([rt])).toBe('mpls');
    for (const t of [8, 9, 12]) expect(evpnLabelReading([rt, encap(t)])).toBe('vni');
    for (const t of [10, 11, 13]) expect(evpnLabelReading([encap(t)])).toBe('mpls');
    expect(evpnLabelReading([encap(8), encap(13)])).toBe('ambiguous');
    expect(evpnLabelReading([encap(2)])).toBe('mpls');
  });

  it('service labels of a route: VNIs under VXLAN, MPLS labels otherwise, FRR-style VNIs on request', () => {
    const route: EvpnRoute = {
      type: 'evpn-mac-ip',
      routeType: 2,
      rd: { type: 0, asn: 65000, assigned: 1 },
      esi: '00:00:00:00:00:00:00:00:00:00',
      ethernetTag: 0,
      mac: '02:00:00:00:00:01',
      label1: evpnLabelFromVni(100),
      label2: evpnLabelFromMpls(5000),
    };
    expect(evpnServiceLabels(route, [encap(8)])).toEqual({ reading: 'vni', values: [100, 80001] });
    expect(evpnServiceLabels(route, [encap(8)], { mplsEncodedVni: true })).toEqual({
      reading: 'vni',
      values: [100, 5000],
    });
    expect(evpnServiceLabels(route, [encap(10)])).toEqual({ reading: 'mpls', values: [6, 5000] });
    expect(evpnServiceLabels(route, [])).toEqual({ reading: 'mpls', values: [6, 5000] });
    const imet: EvpnRoute = {
      type: 'evpn-inclusive-multicast',
      routeType: 3,
      rd: { type: 0, asn: 65000, assigned: 1 },
      ethernetTag: 0,
      originator: '10.0.0.1',
    };
    expect(evpnServiceLabels(imet, [encap(8)])).toEqual({ reading: 'vni', values: [] });
  });
});

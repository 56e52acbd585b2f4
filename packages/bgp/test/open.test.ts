// OPEN and capabilities: a capability symmetry table (RFC 4760, 2918, 7313, 6793, 4724, 9494, 7911, 8654,
// 8950, FQDN draft, 9234), RFC 9072 extended optional parameters, the RFC 4271 6.2 checks, capability
// round trips and fuzzing, and ROUTE-REFRESH with an Address Prefix ORF (RFC 5292).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BgpError,
  type Capability,
  decodeCapability,
  decodeMessage,
  encodeCapability,
  encodeMessage,
  makeOpen,
  type OpenMessage,
  type RouteRefreshMessage,
  rolesMatch,
  unsupportedCapabilityNotification,
  validateOpen,
} from '../src/index.js';
import { arbCapability } from './support/arbitraries-msg.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const caps: { name: string; value: Capability; bytes: string }[] = [
  {
    name: 'multiprotocol l2vpn-evpn',
    value: { type: 'multiprotocol', afi: 25, safi: 70 },
    bytes: '0104 0019 00 46',
  },
  { name: 'route refresh', value: { type: 'route-refresh' }, bytes: '0200' },
  { name: 'enhanced route refresh', value: { type: 'enhanced-route-refresh' }, bytes: '4600' },
  { name: 'extended message', value: { type: 'extended-message' }, bytes: '0600' },
  { name: '4-octet AS', value: { type: 'four-octet-as', asn: 4200000001 }, bytes: '4104 fa56ea01' },
  {
    name: 'graceful restart R+N, 120 s, ipv4 unicast F',
    value: {
      type: 'graceful-restart',
      restartState: true,
      notification: true,
      restartTime: 120,
      families: [{ afi: 1, safi: 1, forwardingPreserved: true }],
    },
    bytes: '4006 c078 0001 01 80',
  },
  {
    name: 'long-lived graceful restart',
    value: {
      type: 'long-lived-graceful-restart',
      families: [{ afi: 25, safi: 70, forwardingPreserved: false, staleTime: 3600 }],
    },
    bytes: '4707 0019 46 00 000e10',
  },
  {
    name: 'add-path ipv4 unicast both',
    value: { type: 'add-path', families: [{ afi: 1, safi: 1, mode: 'both' }] },
    bytes: '4504 0001 01 03',
  },
  {
    name: 'extended next hop ipv4 unicast over ipv6',
    value: { type: 'extended-next-hop', entries: [{ afi: 1, safi: 1, nextHopAfi: 2 }] },
    bytes: '0506 0001 0001 0002',
  },
  { name: 'FQDN', value: { type: 'fqdn', hostname: 'r1', domain: 'lab' }, bytes: '4907 02 7231 03 6c6162' },
  { name: 'BGP role customer', value: { type: 'role', role: 3 }, bytes: '0901 03' },
  {
    name: 'unknown (ORF, RFC 5291)',
    value: { type: 'unknown', code: 3, value: hex('0001000140 03') },
    bytes: '0306 000100014003',
  },
];

describe('capabilities', () => {
  for (const c of caps) {
    it(c.name, () => {
      const b = hex(c.bytes);
      expect(decodeCapability(b, 0, b.length)).toEqual({ value: c.value, length: b.length });
      expect(toHex(encodeCapability(c.value))).toBe(toHex(b));
    });
  }

  it('round trips', () => {
    fc.assert(
      fc.property(arbCapability, (c) => {
        const b = encodeCapability(c);
        expect(decodeCapability(b, 0, b.length).value).toEqual(c);
      }),
      { numRuns: 1000 },
    );
  });

  it('fuzz: random TLVs give a capability or an OPEN Message Error', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 40 }), (code, v) => {
        const b = new Uint8Array([code, v.length, ...v, 0xaa]);
        try {
          decodeCapability(b, 0, b.length - 1);
        } catch (e) {
          if (!(e instanceof BgpError)) throw e;
          expect(e.notification?.code).toBe(2);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('roles pair as RFC 9234 4.2 says', () => {
    expect(rolesMatch(0, 3)).toBe(true);
    expect(rolesMatch(1, 2)).toBe(true);
    expect(rolesMatch(4, 4)).toBe(true);
    expect(rolesMatch(0, 0)).toBe(false);
    expect(rolesMatch(3, 4)).toBe(false);
  });
});

describe('OPEN', () => {
  const base = makeOpen({ asn: 65001, bgpId: '10.0.0.1', capabilities: [{ type: 'role', role: 0 }] });

  it('RFC 9072 extended optional parameters: decoded, and used when parameters exceed 255 bytes', () => {
    const many: Capability[] = Array.from({ length: 70 }, (_, i) => ({
      type: 'multiprotocol',
      afi: 1,
      safi: i,
    }));
    const open = makeOpen({ asn: 65001, bgpId: '10.0.0.1', capabilities: many });
    const b = encodeMessage(open);
    expect(b[28]).toBe(255);
    expect(b[29]).toBe(255);
    const back = decodeMessage(b).message as OpenMessage;
    expect(back.extendedParameters).toBe(true);
    expect(back.parameters).toEqual(open.parameters);
    // explicit RFC 9072 form on a short OPEN
    const small = encodeMessage({ ...base, extendedParameters: true });
    expect(toHex(small.subarray(28, 32))).toBe(`ffff${(small.length - 32).toString(16).padStart(4, '0')}`);
    expect(decodeMessage(small).message).toEqual({ ...base, extendedParameters: true });
  });

  it('RFC 4271 6.2 checks give the NOTIFICATION to send', () => {
    expect(validateOpen(base)).toBeUndefined();
    expect(validateOpen({ ...base, version: 3 })).toEqual({ code: 2, subcode: 1, data: hex('0004') });
    expect(validateOpen(base, { peerAs: 65002 })?.subcode).toBe(2);
    expect(validateOpen({ ...base, bgpId: '0.0.0.0' })?.subcode).toBe(3);
    expect(validateOpen(base, { localBgpId: '10.0.0.1', localAs: 65001 })?.subcode).toBe(3);
    expect(validateOpen(base, { localBgpId: '10.0.0.1', localAs: 65002 })).toBeUndefined();
    expect(
      validateOpen({
        ...base,
        parameters: [...base.parameters, { kind: 'unknown', paramType: 1, value: hex('00') }],
      })?.subcode,
    ).toBe(4);
    expect(validateOpen({ ...base, holdTime: 2 })?.subcode).toBe(6);
    expect(validateOpen(base, { localRole: 3 })).toBeUndefined();
    expect(validateOpen(base, { localRole: 0 })?.subcode).toBe(11);
    const noRole = makeOpen({ asn: 65001, bgpId: '10.0.0.1' });
    expect(validateOpen(noRole, { localRole: 3, strictRole: true })?.subcode).toBe(11);
  });

  it('Unsupported Capability NOTIFICATION carries the capabilities (RFC 5492 5)', () => {
    const n = unsupportedCapabilityNotification([{ type: 'multiprotocol', afi: 25, safi: 70 }]);
    expect(toHex(n.data)).toBe('010400190046');
    expect(n.unsupportedCapabilities).toEqual([{ type: 'multiprotocol', afi: 25, safi: 70 }]);
  });

  it('a parameter length overrunning the OPEN is an OPEN Message Error', () => {
    const b = encodeMessage(base).slice();
    b[28] = b[28]! + 1;
    expect(() => decodeMessage(b)).toThrow(BgpError);
  });
});

describe('ROUTE-REFRESH with ORF (RFC 5291/5292)', () => {
  it('Address Prefix ORF entries in both directions', () => {
    const m: RouteRefreshMessage = {
      type: 'route-refresh',
      afi: 1,
      safi: 1,
      subtype: 0,
      orf: {
        when: 1,
        orfs: [
          {
            orfType: 64,
            entries: [
              {
                action: 'add',
                match: 'permit',
                sequence: 10,
                minLength: 24,
                maxLength: 32,
                prefix: '10.0.0.0',
                prefixLength: 8,
              },
              { action: 'remove-all', match: 'permit' },
            ],
          },
        ],
      },
    };
    const bytes = `${'ff'.repeat(16)} 0025 05 0001 00 01 01 40 000a 00 0000000a 18 20 08 0a 80`;
    expect(toHex(encodeMessage(m))).toBe(toHex(hex(bytes)));
    expect(decodeMessage(hex(bytes)).message).toEqual(m);
  });
});

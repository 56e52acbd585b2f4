// Symmetry: every vocabulary stanza encodes and decodes back to itself (table + fast-check), node names
// parse back, limits of the CN message builder are enforced, decoding follows TF's tolerance rules.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chunkConfig,
  decodeStanza,
  EncodeError,
  encodeRouteUpdate,
  encodeStanza,
  evpnRouteKind,
  itemId,
  parseItemsNode,
  parsePublishNode,
  publishNode,
  type Route,
  readElement,
  type Stanza,
  VocabularyError,
  writeElement,
  XmlCursor,
  type XmlElement,
} from '../src/index.js';
import { anyRoute, enetRoute, xmlText } from './arbitraries.js';
import { enetEntry, inetEntry, inetRoute, VRF } from './fixtures.js';

const CN = 'network-control@contrailsystems.com';

describe('stanza table: value -> XML -> value', () => {
  const table: [string, Stanza][] = [
    [
      'vrf subscribe with no-ribout',
      {
        kind: 'subscribe',
        from: 'c1',
        to: `${CN}/bgp-peer`,
        id: 'subscribe0',
        node: VRF,
        instanceId: 0,
        noRibout: true,
      },
    ],
    [
      'unsubscribe',
      { kind: 'unsubscribe', from: 'c1', to: `${CN}/bgp-peer`, id: 'subscribe1', node: VRF, instanceId: 4 },
    ],
    [
      'config subscribe',
      {
        kind: 'subscribe',
        from: 'c1',
        to: `${CN}/config`,
        node: 'virtual-machine:6ba7b810-9dad-11d1-80b4-00c04fd430c8',
      },
    ],
    [
      'publish',
      {
        kind: 'publish',
        from: 'c1',
        to: `${CN}/bgp-peer`,
        id: 'pubsub3',
        node: `1/1/${VRF}/10.0.0.1/32`,
        route: inetRoute(1),
      },
    ],
    [
      'publish without item (EoR)',
      { kind: 'publish', from: 'c1', to: `${CN}/bgp-peer`, node: '0/0/EndOfRib' },
    ],
    [
      'collection',
      {
        kind: 'collection',
        from: 'c1',
        to: `${CN}/bgp-peer`,
        id: 'collection3',
        node: VRF,
        associate: [`1/1/${VRF}/10.0.0.1/32`],
        dissociate: [],
      },
    ],
    [
      'route update',
      {
        kind: 'route-update',
        from: CN,
        to: 'c1/bgp-peer',
        node: `1/1/${VRF}`,
        family: 'inet',
        vrf: VRF,
        items: [{ id: '10.0.0.1/32', route: inetRoute(1) }],
      },
    ],
    [
      'retract',
      {
        kind: 'route-retract',
        from: CN,
        to: 'c1/bgp-peer',
        node: `25/242/${VRF}`,
        family: 'evpn',
        vrf: VRF,
        ids: ['02:84:4f:c3:40:2b,10.1.1.3/32'],
      },
    ],
    ['end of rib', { kind: 'end-of-rib', from: CN, to: 'c1/bgp-peer' }],
    ['features', { kind: 'features', starttls: true, required: true }],
    ['starttls', { kind: 'starttls' }],
    ['proceed', { kind: 'proceed' }],
  ];
  for (const [name, value] of table) {
    it(name, () => {
      const xml = encodeStanza(value);
      expect(decodeStanza(xml.replace(/^<\?xml[^>]*>\n/, ''))).toEqual(value);
      // Never a self-closing iq/message: TF only frames `<iq ...>...</iq>`.
      expect(xml).not.toMatch(/<(iq|message)\b[^>]*\/>/);
    });
  }
});

describe('fast-check round trips', () => {
  it('any route in a CN update', () => {
    fc.assert(
      fc.property(fc.array(anyRoute, { minLength: 1, maxLength: 4 }), xmlText, (routes, vrf) => {
        const family = routes[0]!.family;
        const same = routes.filter((r) => r.family === family);
        const v = vrf.replace(/\//g, '');
        const xml = encodeRouteUpdate(
          CN,
          'c/bgp-peer',
          family,
          v,
          same.map((route) => ({ route })),
        );
        const back = decodeStanza(xml);
        expect(back).toMatchObject({ kind: 'route-update', family, vrf: v });
        if (back.kind !== 'route-update') throw new Error(back.kind);
        expect(back.items.map((i) => i.route)).toEqual(same);
        expect(back.items.map((i) => i.id)).toEqual(same.map((r) => itemId(r)));
      }),
      { numRuns: 150 },
    );
  });

  it('any route as an agent publish; node names parse back', () => {
    fc.assert(
      fc.property(anyRoute, (route) => {
        const node = publishNode(route, VRF);
        const s: Stanza = { kind: 'publish', from: 'c1', to: `${CN}/bgp-peer`, node, route };
        expect(decodeStanza(encodeStanza(s))).toEqual(s);
        const p = parsePublishNode(node);
        expect(p.family).toBe(route.family);
        if (route.family !== 'evpn') expect(p.vrf).toBe(VRF);
      }),
      { numRuns: 150 },
    );
  });

  it('EVPN route kinds follow the CN rules', () => {
    fc.assert(
      fc.property(enetRoute, (r) => {
        if (r.family !== 'evpn') return;
        const k = evpnRouteKind(r.entry.nlri);
        if (r.entry.nlri.group !== '') expect(k).toBe('smet');
        else if (r.entry.nlri.mac === 'ff:ff:ff:ff:ff:ff') expect(k).toBe('inclusive-multicast');
        else if (r.entry.nlri.mac === '00:00:00:00:00:00') expect(k).toBe('ip-prefix');
        else expect(k).toBe('mac-ip');
      }),
      { numRuns: 100 },
    );
  });
});

/** Rebuilds XML through the generic tree with children shuffled, unknown elements added and whitespace. */
function perturb(xml: string, seed: number): string {
  let r = seed;
  const rand = (n: number): number => {
    r = (r * 1103515245 + 12345) & 0x7fffffff;
    return r % n;
  };
  const c = new XmlCursor(xml);
  c.next();
  const walk = (el: XmlElement): XmlElement => {
    const kids = el.children.map((k) => (typeof k === 'string' ? k : walk(k)));
    if (['entry', 'nlri', 'next-hop', 'load-balance'].includes(el.name)) {
      for (let i = kids.length - 1; i > 0; i--) {
        const j = rand(i + 1);
        [kids[i], kids[j]] = [kids[j]!, kids[i]!];
      }
      kids.splice(rand(kids.length + 1), 0, {
        name: 'future-element',
        attrs: { a: '1' },
        children: [{ name: 'x', attrs: {}, children: ['y'] }],
      });
    }
    return { ...el, children: kids };
  };
  return writeElement(walk(readElement(c))).replace(/></g, () => ['>\n\t<', '> <', '><'][rand(3)]!);
}

describe('decoding does not depend on order, whitespace or unknown elements', () => {
  it('a shuffled, padded, extended route message decodes to the same routes', () => {
    fc.assert(
      fc.property(anyRoute, fc.nat(), (route, seed) => {
        const xml = encodeRouteUpdate(CN, 'c/bgp-peer', route.family, VRF, [{ route }]);
        const back = decodeStanza(perturb(xml.trim(), seed));
        if (back.kind !== 'route-update') throw new Error(back.kind);
        expect(back.items[0]?.route).toEqual(route);
      }),
      { numRuns: 200 },
    );
  });
});

/** Variants of canonical XML on both sides of what the literal fast path takes (a third stay canonical). */
function vary(xml: string, seed: number): string {
  let r = seed;
  const rand = (n: number): number => {
    r = (r * 1103515245 + 12345) & 0x7fffffff;
    return (r >> 4) % n;
  };
  if (rand(3) === 0) return xml;
  const rare = (): boolean => rand(24) === 0;
  return xml
    .replace(/<([a-z-]+) \/>/g, (m, n: string) =>
      rare() ? [`<${n}/>`, `<${n}></${n}>`, `<${n} a="1"/>`][rand(3)]! : m,
    )
    .replace(/>([^<>\n]+)</g, (m, v: string) =>
      rare() ? `> ${v}\t<` : rare() ? `>${v.replace('.', '&#46;')}<` : rare() ? `>0${v}<` : m,
    )
    .replace(/sticky="(true|false)"/g, (m) => (rare() ? ['sticky="yes"', "sticky='true'"][rand(2)]! : m))
    .replace(/>\n</g, (m) => (rare() ? ['><', '>\r\n\t<', '><!-- c --><'][rand(3)]! : m));
}

describe('the literal fast path and the cursor read the same values', () => {
  it('any route, canonical or varied, decodes the same with the literal path forced off by a comment', () => {
    fc.assert(
      fc.property(anyRoute, fc.nat(), (route, seed) => {
        const xml = vary(encodeRouteUpdate(CN, 'c/bgp-peer', route.family, VRF, [{ route }]), seed);
        // The literal patterns never match a comment, so this copy goes through the cursor alone.
        const slow = xml.replace(/<entry>/g, '<entry><!-- cursor -->');
        expect(decodeStanza(xml)).toEqual(decodeStanza(slow));
      }),
      { numRuns: 400 },
    );
  });
});

describe('decoding rules (TF tolerance)', () => {
  const wrap = (entry: string): string =>
    `<message from="cn" to="c/bgp-peer"><event xmlns="http://jabber.org/protocol/pubsub"><items node="1/1/${VRF}"><item id="p"><entry>${entry}</entry></item></items></event></message>`;

  it('leaf text with surrounding whitespace, any element order, unknown elements skipped, missing = defaults', () => {
    const s = decodeStanza(
      wrap(
        `<med>  7 </med><future><deep><x/></deep></future><nlri><address> 1.2.3.0/24 </address><af>1</af><safi>1</safi></nlri><local-preference></local-preference>`,
      ),
    );
    if (s.kind !== 'route-update' || s.items[0]?.route.family !== 'inet') throw new Error('bad');
    const e = s.items[0].route.entry;
    expect(e.med).toBe(7);
    expect(e.localPreference).toBe(0);
    expect(e.nlri).toEqual({ af: 1, safi: 1, address: '1.2.3.0/24' });
    expect(e.nextHops).toEqual([]);
  });

  it('a non-numeric integer fails with a typed error naming the field', () => {
    expect(() => decodeStanza(wrap('<med>seven</med>'))).toThrow(VocabularyError);
    try {
      decodeStanza(wrap('<next-hops><next-hop><label>x</label></next-hop></next-hops>'));
    } catch (e) {
      expect((e as VocabularyError).field).toBe('next-hop/label');
      expect((e as VocabularyError).condition).toBe('bad-format');
    }
  });

  it('only the exact text `true` is true', () => {
    const s = decodeStanza(
      `<iq type="set" from="a" to="b"><pubsub><subscribe node="v"><options><no-ribout>TRUE</no-ribout></options></subscribe></pubsub></iq>`,
    );
    expect(s).toMatchObject({ noRibout: false });
  });

  it('options beside subscribe (TF test mocks) are found too', () => {
    const s = decodeStanza(
      `<iq type="set" from="a" to="b"><pubsub><subscribe node="v"/><options><instance-id>9</instance-id></options></pubsub></iq>`,
    );
    expect(s).toMatchObject({ kind: 'subscribe', instanceId: 9 });
  });

  it('a message with both items and retracts is read as withdraws only, like the agent', () => {
    const s = decodeStanza(
      `<message from="cn" to="c"><event><items node="1/1/${VRF}"><item id="a"><entry/></item><retract id="b"/></items></event></message>`,
    );
    expect(s).toMatchObject({ kind: 'route-retract', ids: ['b'] });
  });

  it('presence and unknown top-level elements are unsupported; unknown pubsub action is a vocabulary error', () => {
    expect(() => decodeStanza('<presence/>')).toThrow(/unsupported stanza/);
    expect(() => decodeStanza('<iq type="set"><pubsub><retrieve node="x"/></pubsub></iq>')).toThrow(
      VocabularyError,
    );
  });

  it('node names: master-instance inet with a primary instance id, EVPN without VRF, mock EVPN with VRF', () => {
    expect(
      parsePublishNode('1/1/default-domain:default-project:ip-fabric:__default__/10.0.0.11/32/5'),
    ).toMatchObject({
      family: 'inet',
      key: '10.0.0.11/32',
      primaryInstanceId: 5,
    });
    expect(parsePublishNode('25/242/02:84:4f:c3:40:2b,10.1.1.3/32')).toMatchObject({
      family: 'evpn',
      vrf: '',
      key: '02:84:4f:c3:40:2b,10.1.1.3/32',
    });
    expect(parsePublishNode(`25/242/${VRF}/02:84:4f:c3:40:2b,10.1.1.3/32`)).toMatchObject({
      family: 'evpn',
      vrf: VRF,
    });
    expect(parseItemsNode('1/241/a:b:c/d')).toMatchObject({ family: 'ermvpn', vrf: 'a:b:c/d' });
    expect(() => parsePublishNode('x/y/z')).toThrow(VocabularyError);
  });
});

describe('encoder limits', () => {
  it('at most 32 items and 256 retracts per message, one family per message', () => {
    const items = Array.from({ length: 33 }, (_, i) => ({ route: inetRoute(i) }));
    expect(() => encodeRouteUpdate(CN, 'c', 'inet', VRF, items)).toThrow(EncodeError);
    expect(() =>
      encodeStanza({
        kind: 'route-retract',
        from: CN,
        to: 'c',
        node: '',
        family: 'inet',
        vrf: VRF,
        ids: Array(257).fill('x'),
      }),
    ).toThrow(EncodeError);
    const evpn: Route = { family: 'evpn', entry: enetEntry('02:84:4f:c3:40:2b', '10.1.1.3/32') };
    expect(() => encodeRouteUpdate(CN, 'c', 'inet', VRF, [{ route: evpn }])).toThrow(EncodeError);
  });

  it('refuses NaN and fractions instead of printing them', () => {
    expect(() =>
      encodeRouteUpdate(CN, 'c', 'inet', VRF, [
        { route: { family: 'inet', entry: inetEntry(1, { med: Number.NaN }) } },
      ]),
    ).toThrow(EncodeError);
  });

  it('config is chunked at 16 objects per iq, same-kind neighbours merged', () => {
    const node = (n: number) => ({
      kind: 'node' as const,
      type: 'virtual-machine',
      name: `vm${n}`,
      properties: [],
    });
    const chunks = chunkConfig([
      { op: 'update', objects: Array.from({ length: 10 }, (_, i) => node(i)) },
      { op: 'update', objects: Array.from({ length: 10 }, (_, i) => node(10 + i)) },
      { op: 'delete', objects: [node(99)] },
    ]);
    expect(chunks.map((c) => c.map((b) => `${b.op}:${b.objects.length}`))).toEqual([
      ['update:16'],
      ['update:4', 'delete:1'],
    ]);
  });
});

// What we emit validates against Tungsten Fabric's own schemas, checked by xmllint (libxml2), which none of
// us wrote. The schemas are read from ../shared/ref at run time and made W3C-valid in a scratch directory
// (see xsd.ts for exactly what the rewrite changes); nothing is copied into the package.
import { itWithTool, scratchDir } from '@filament/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { encodeRoutePublish, encodeRouteUpdate, type Family, itemId, type Route } from '../src/index.js';
import { enetRoute, mcastRoute, mvpnRoute, unicastRoute } from './arbitraries.js';
import { enetEntry, inetEntry, mcastEntry, mvpnEntry, VRF } from './fixtures.js';
import { example, HAS_REF, REF_MISSING } from './helpers.js';
import { itemsDocument, prepareSchema, type SchemaName, xmllint } from './xsd.js';

const d = HAS_REF ? describe : describe.skip;
const schemaOf = (f: Family): SchemaName =>
  f === 'evpn' ? 'enet' : f === 'ermvpn' ? 'multicast' : f === 'mvpn' ? 'mvpn' : 'unicast';

d(`XSD validation with xmllint${HAS_REF ? '' : ` [skipped: ${REF_MISSING}]`}`, () => {
  let dir: { path: string; cleanup: () => void };
  const schemas = new Map<string, string>();
  beforeAll(() => {
    dir = scratchDir('filament-xmpp-xsd-');
    for (const n of ['unicast', 'enet', 'multicast', 'mvpn'] as const)
      schemas.set(n, prepareSchema(dir.path, n));
    for (const n of ['unicast', 'enet'] as const)
      schemas.set(`opensdn-${n}`, prepareSchema(dir.path, n, 'xsd-opensdn'));
  });
  afterAll(() => dir?.cleanup());

  function validate(schema: string, doc: string, label: string): void {
    const r = xmllint(dir.path, schemas.get(schema)!, doc, label);
    expect(r.stderr).toContain('validates');
    expect(r.ok, r.stderr).toBe(true);
  }

  itWithTool(
    'xmllint',
    'the rewritten schemas accept the reference examples and reject a wrong family',
    () => {
      const cn = itemsDocument(example('cn-route-update-inet4.xml'));
      validate('unicast', cn, 'cn-example');
      const wrong = xmllint(dir.path, schemas.get('enet')!, cn, 'cn-example-as-enet');
      expect(wrong.ok).toBe(false);
      expect(wrong.stderr).toContain('not expected');
      validate('enet', itemsDocument(example('agent-publish-enet-add.xml')), 'enet-example');
      validate('multicast', itemsDocument(example('agent-publish-mcast-add.xml')), 'mcast-example');
    },
  );

  itWithTool('xmllint', 'an element out of schema order is rejected (the check has teeth)', () => {
    const xml = itemsDocument(
      encodeRouteUpdate('cn', 'a/bgp-peer', 'inet', VRF, [
        { route: { family: 'inet', entry: inetEntry(1) } },
      ]),
    );
    const swapped = xml.replace(
      /<local-preference>200<\/local-preference>\n<med>0<\/med>/,
      '<med>0</med>\n<local-preference>200</local-preference>',
    );
    expect(swapped).not.toBe(xml);
    expect(xmllint(dir.path, schemas.get('unicast')!, swapped, 'swapped').ok).toBe(false);
  });

  const fixed: [string, Route][] = [
    ['inet', { family: 'inet', entry: inetEntry(1) }],
    [
      'inet6',
      { family: 'inet6', entry: { ...inetEntry(2), nlri: { af: 2, safi: 1, address: 'fd00::3/128' } } },
    ],
    [
      'inet-mpls',
      { family: 'inet-mpls', entry: { ...inetEntry(3), nlri: { af: 1, safi: 4, address: '10.1.1.3/32' } } },
    ],
    ['evpn type 2', { family: 'evpn', entry: enetEntry('02:84:4f:c3:40:2b', '10.1.1.3/32') }],
    ['evpn BUM', { family: 'evpn', entry: enetEntry('ff:ff:ff:ff:ff:ff', '0.0.0.0/32') }],
    ['evpn type 5', { family: 'evpn', entry: enetEntry('00:00:00:00:00:00', '10.1.0.0/16') }],
    ['ermvpn', { family: 'ermvpn', entry: mcastEntry() }],
    ['mvpn', { family: 'mvpn', entry: mvpnEntry() }],
  ];
  for (const [label, route] of fixed) {
    itWithTool('xmllint', `${label}: agent publish and CN update validate`, () => {
      const pub = encodeRoutePublish('associate', { from: 'compute-1', vrf: VRF, route });
      validate(schemaOf(route.family), itemsDocument(pub), `${label}-publish`);
      const upd = encodeRouteUpdate(
        'network-control@contrailsystems.com',
        'compute-1/bgp-peer',
        route.family,
        VRF,
        [{ route }],
      );
      validate(schemaOf(route.family), itemsDocument(upd), `${label}-update`);
    });
  }

  itWithTool(
    'xmllint',
    'OpenSDN additions (64-bit tags, is-new-tags-list, peers) validate against the OpenSDN schemas',
    () => {
      const e = inetEntry(9);
      const nh = { ...e.nextHops[0]!, tags: [0x1_0000_0005], isNewTagsList: true };
      const route: Route = { family: 'inet', entry: { ...e, nextHops: [nh], peers: ['10.0.0.1'] } };
      const upd = encodeRouteUpdate('cn', 'compute-1/bgp-peer', 'inet', VRF, [{ route }]);
      validate('opensdn-unicast', itemsDocument(upd), 'opensdn-inet');
      const en = enetEntry('02:84:4f:c3:40:2b', '10.1.1.3/32');
      const evpn: Route = {
        family: 'evpn',
        entry: { ...en, nextHops: [{ ...en.nextHops[0]!, isNewTagsList: false }], peers: [] },
      };
      validate(
        'opensdn-enet',
        itemsDocument(encodeRouteUpdate('cn', 'c/bgp-peer', 'evpn', VRF, [{ route: evpn }])),
        'opensdn-evpn',
      );
    },
  );

  // Random entries, 32 per message (the CN's maximum), one xmllint run per family.
  for (const [family, arb] of [
    ['unicast', unicastRoute],
    ['evpn', enetRoute],
    ['ermvpn', mcastRoute],
    ['mvpn', mvpnRoute],
  ] as const) {
    itWithTool('xmllint', `32 random ${family} entries in one CN message validate`, () => {
      const routes = fc.sample(arb, { numRuns: 32, seed: 42 });
      const fam = routes[0]!.family;
      const same = routes.map((r) => (r.family === fam ? r : { ...r, family: fam })) as Route[];
      const upd = encodeRouteUpdate(
        'cn',
        'c/bgp-peer',
        fam,
        VRF,
        same.map((route) => ({ route, id: itemId(route) })),
      );
      validate(schemaOf(fam), itemsDocument(upd), `random-${family}`);
    });
  }
});

// What the network and local clients send the control side never crashes it: random port API bodies give a
// PortRequest or a PortRequestError (and over HTTP only 200 or 400, the server answering afterwards);
// random and mutated route entries from a control node are installed, skipped or logged, never thrown,
// and retracting them all leaves the data plane as it was.

import type { EnetEntry, Route, UnicastEntry } from '@filament/xmpp';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Agent,
  AgentControl,
  PortApi,
  PortRequestError,
  parsePortRequest,
  RemoteRoutes,
} from '../src/index.js';
import { http, ids, portBody } from './control-sim.js';

const HOST = '127.0.69.41';

const body = fc.record(
  {
    id: fc.oneof(fc.constant(ids.vmi(1)), fc.uuid(), fc.string(), fc.integer()),
    'instance-id': fc.oneof(fc.constant(ids.vm(1)), fc.uuid(), fc.string(), fc.constant(null)),
    'mac-address': fc.oneof(
      fc.constant('02:00:00:00:01:11'),
      fc.string(),
      fc.mixedCase(fc.stringMatching(/^[0-9a-f:]{0,20}$/)),
    ),
    'ip-address': fc.oneof(fc.ipV4(), fc.ipV4Extended(), fc.string(), fc.constant('')),
    'ip6-address': fc.oneof(fc.ipV6(), fc.string()),
    'system-name': fc.oneof(fc.string({ maxLength: 20 }), fc.constant('tap1')),
    'vn-id': fc.oneof(fc.uuid(), fc.string()),
    type: fc.oneof(fc.integer(), fc.double(), fc.string()),
    'rx-vlan-id': fc.oneof(fc.integer({ min: -5, max: 5000 }), fc.string()),
    workload: fc.oneof(fc.constant({ kind: 'in-process' }), fc.constant({ kind: 'tap' }), fc.anything()),
    listen: fc.oneof(fc.array(fc.integer({ min: -1, max: 70000 }), { maxLength: 4 }), fc.anything()),
  },
  { requiredKeys: [] },
);

describe('port requests from any client', () => {
  it('parse to a PortRequest or throw PortRequestError naming a field', () => {
    fc.assert(
      fc.property(fc.oneof(body, fc.anything()), (b) => {
        try {
          const p = parsePortRequest(b);
          expect(p.id).toMatch(/^[0-9a-f-]{36}$/);
        } catch (e) {
          expect(e).toBeInstanceOf(PortRequestError);
          expect((e as PortRequestError).field).not.toBe('');
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the port API over HTTP', () => {
  const agent = new Agent({ name: 'fuzz-69', underlay: HOST });
  const control = new AgentControl({ agent, controllers: [{ host: HOST, port: 1 }], retryBaseMs: 60_000 });
  const api = new PortApi({ control });
  let port = 0;
  beforeAll(async () => {
    port = await api.listen(0, HOST);
  });
  afterAll(async () => {
    await api.close();
    await control.stop();
  });

  it('answers random bodies with 200 or 400 and keeps answering', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          body.map((b) => JSON.stringify(b)),
          fc.string(),
          fc.json(),
        ),
        async (text) => {
          const r = await http('POST', `http://${HOST}:${port}/port`, text);
          expect([200, 400]).toContain(r.status);
        },
      ),
      { numRuns: 150 },
    );
    const ok = await http(
      'POST',
      `http://${HOST}:${port}/port`,
      portBody({ n: 7, vn: 'x', address: '10.0.0.7', mac: '02:00:00:00:00:07' }),
    );
    expect(ok.status).toBe(200);
    expect((await http('GET', `http://${HOST}:${port}/ports`)).status).toBe(200);
  });
});

const hop = fc.record({
  af: fc.integer({ min: -1, max: 30 }),
  address: fc.oneof(fc.ipV4(), fc.constant(HOST), fc.string(), fc.constant('')),
  mac: fc.oneof(fc.constant('00:00:5e:00:01:00'), fc.string(), fc.constant('')),
  label: fc.oneof(fc.integer({ min: 0, max: 1 << 21 }), fc.integer()),
  vni: fc.oneof(fc.integer({ min: 0, max: 1 << 25 }), fc.integer()),
  l3Label: fc.integer(),
  tunnelEncapsulations: fc.array(
    fc.oneof(fc.constantFrom('gre', 'udp', 'vxlan', 'native', 'mpls'), fc.string()),
    {
      maxLength: 4,
    },
  ),
});

const prefix = fc.oneof(
  fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([a, l]) => `${a}/${l}`),
  fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 })).map(([a, l]) => `${a}/${l}`),
  fc.string(),
);

const route: fc.Arbitrary<Route> = fc.oneof(
  fc.record({ address: prefix, hops: fc.array(hop, { maxLength: 4 }), v6: fc.boolean() }).map(
    ({ address, hops, v6 }): Route => ({
      family: v6 ? 'inet6' : 'inet',
      entry: {
        nlri: { af: v6 ? 2 : 1, safi: 1, address },
        nextHops: hops.map((h) => ({
          af: h.af,
          address: h.address,
          mac: h.mac,
          label: h.label,
          vni: h.vni,
          tunnelEncapsulations: h.tunnelEncapsulations,
          virtualNetwork: 'vn',
          tags: [],
          localSequenceNumber: 0,
        })),
      } as unknown as UnicastEntry,
    }),
  ),
  fc
    .record({
      mac: fc.oneof(fc.constant('ff:ff:ff:ff:ff:ff'), fc.constant('02:00:00:00:00:09'), fc.string()),
      address: prefix,
      tag: fc.integer(),
      hops: fc.array(hop, { maxLength: 3 }),
    })
    .map(
      ({ mac, address, tag, hops }): Route => ({
        family: 'evpn',
        entry: {
          nlri: { af: 25, safi: 242, ethernetTag: tag, mac, address, group: '', source: '', flags: 0 },
          nextHops: hops.map((h) => ({
            af: h.af,
            address: h.address,
            mac: h.mac,
            label: h.label,
            l3Label: h.l3Label,
            tunnelEncapsulations: h.tunnelEncapsulations,
            tags: [],
            localSequenceNumber: 0,
          })),
          olist: [],
        } as unknown as EnetEntry,
      }),
    ),
);

describe('routes from a control node', () => {
  it('random entries are installed or skipped, never thrown; retracting them restores the tables', () => {
    const agent = new Agent({ name: 'fuzz-routes', underlay: HOST });
    agent.addVrf({ name: 'v', vni: 7, gateways: ['10.0.0.1'] });
    const before = JSON.stringify(agent.describe('routes'));
    const rr = new RemoteRoutes({
      agent,
      isLocalPrefix: () => false,
      isLocalMac: () => false,
      log: () => {},
    });
    let installedSome = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), route), { maxLength: 12 }), (items) => {
        const ids: [number, string, string][] = [];
        items.forEach(([server, r]) => {
          const id =
            r.family === 'evpn'
              ? `${r.entry.nlri.mac},${r.entry.nlri.address}`
              : (r.entry as UnicastEntry).nlri.address;
          rr.update(server, r.family, 'v', [{ id, route: r }]);
          ids.push([server, r.family, id]);
        });
        if (rr.stats.installed > 0) installedSome++;
        rr.resync('v');
        rr.serverDown(0);
        rr.serverUp(0);
        rr.endOfRib(1, [1]);
        for (const [server, family, id] of ids) rr.retract(server, family, 'v', [id]);
        rr.endOfRib(0, [0, 1]);
        expect(rr.count()).toBe(0);
        expect(rr.stats.installed).toBe(0);
        expect(JSON.stringify(agent.describe('routes'))).toBe(before);
      }),
      { numRuns: 300 },
    );
    // The generator reaches the install path, not only the rejections.
    expect(installedSome).toBeGreaterThan(10);
  });
});

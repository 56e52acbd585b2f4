// The agent server writes route messages itself (items encoded once per change, one write per flush); they
// must be byte for byte what @filament/xmpp's encoders write, and decode back to the same routes.
import {
  CONTROL_NODE_JID,
  decodeStanza,
  encodeRouteRetract,
  encodeRouteUpdate,
  itemId,
} from '@filament/xmpp';
import { describe, expect, it } from 'vitest';
import { enetEntry, routeOf, unicastEntry } from '../src/control/routing/entries.js';
import { mergedRoute } from '../src/control/routing/merge.js';
import type { RoutePath } from '../src/control/routing/route-db.js';
import { itemXml, RouteMessageWriter, retractXml } from '../src/control/routing/route-messages.js';

const spec = (i: number, nh: string) => ({
  ip: `10.0.${i >> 8}.${i & 255}`,
  mac: `02:00:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`,
  nextHop: nh,
  label: 16 + i,
  vni: 7,
  encapsulations: ['udp', 'gre'],
  vn: 'd:p:vn<&>',
});

describe('route messages', () => {
  const vrf = 'd:p:vn<&>:vn<&>';
  const to = 'agent-1/bgp-peer';

  it('match encodeRouteUpdate byte for byte, 32 items to a message, and decode to the same routes', () => {
    const paths: RoutePath[][] = Array.from({ length: 40 }, (_, i) => [
      { source: 'agent:a', entry: unicastEntry(spec(i, '192.0.2.1')) },
      ...(i % 3 === 0 ? [{ source: 'agent:b', entry: unicastEntry(spec(i, '192.0.2.2')) }] : []),
    ]);
    const keys = paths.map((p) => itemId(routeOf('inet', p[0]!.entry)));
    const w = new RouteMessageWriter('agent-1');
    for (const [i, p] of paths.entries()) w.add('inet', vrf, 'item', itemXml('inet', keys[i]!, p));
    const ours = w.take();
    const items = paths.map((p, i) => ({ id: keys[i]!, route: mergedRoute('inet', p) }));
    const theirs =
      encodeRouteUpdate(CONTROL_NODE_JID, to, 'inet', vrf, items.slice(0, 32)) +
      encodeRouteUpdate(CONTROL_NODE_JID, to, 'inet', vrf, items.slice(32));
    expect(ours).toBe(theirs);
    expect(w.itemMessages).toBe(2);
    const first = decodeStanza(theirs.slice(0, theirs.indexOf('</message>') + '</message>'.length));
    expect(first).toMatchObject({ kind: 'route-update', vrf, family: 'inet' });
    if (first.kind === 'route-update') {
      expect(first.items).toHaveLength(32);
      expect(first.items[0]!.route).toEqual(items[0]!.route);
    }
  });

  it('match encodeRouteRetract, switch messages on family and kind, and reuse an encoded item', () => {
    const w = new RouteMessageWriter('agent-1');
    const ids = Array.from({ length: 300 }, (_, i) => `10.1.${i >> 8}.${i & 255}/32`);
    for (const id of ids) w.add('inet', vrf, 'retract', retractXml(id));
    const enet = [{ source: 'agent:a', entry: enetEntry(spec(1, '192.0.2.1')) }];
    const ek = itemId(routeOf('enet', enet[0]!.entry));
    w.add('evpn', vrf, 'item', itemXml('enet', ek, enet));
    expect(w.take()).toBe(
      encodeRouteRetract(CONTROL_NODE_JID, to, 'inet', vrf, ids.slice(0, 256)) +
        encodeRouteRetract(CONTROL_NODE_JID, to, 'inet', vrf, ids.slice(256)) +
        encodeRouteUpdate(CONTROL_NODE_JID, to, 'evpn', vrf, [{ id: ek, route: mergedRoute('enet', enet) }]),
    );
    expect(itemXml('enet', ek, enet)).toBe(itemXml('enet', ek, enet));
    expect(w.take()).toBe('');
  });
});

// RouteDb without sockets: visibility through route targets, ECMP, incremental changes, stale handling.
import { describe, expect, it } from 'vitest';
import { unicastEntry } from '../src/control/routing/entries.js';
import { type RouteChange, RouteDb } from '../src/control/routing/route-db.js';

const path = (agent: string, ip: string, nh: string) => ({
  source: `agent:${agent}`,
  entry: unicastEntry({
    ip,
    mac: '02:00:00:00:00:01',
    nextHop: nh,
    label: 17,
    vni: 5,
    encapsulations: ['udp', 'gre'],
    vn: 'd:p:vn',
  }),
});

function collect(db: RouteDb): RouteChange[] {
  const out: RouteChange[] = [];
  db.on('change', (c) => out.push(c));
  return out;
}

describe('RouteDb', () => {
  it('keeps instances apart unless targets match, and leaks both ways when imports cross', () => {
    const db = new RouteDb();
    db.upsertInstance({ name: 'a', importTargets: ['target:1:1'], exportTargets: ['target:1:1'] });
    db.upsertInstance({ name: 'b', importTargets: ['target:1:2'], exportTargets: ['target:1:2'] });
    const changes = collect(db);
    db.addPath('a', 'inet', '10.0.0.1/32', path('x', '10.0.0.1', '192.0.2.1'));
    expect(changes.map((c) => c.instance)).toEqual(['a']);
    expect([...db.routes('b', 'inet')]).toEqual([]);

    changes.length = 0;
    db.upsertInstance({
      name: 'b',
      importTargets: ['target:1:2', 'target:1:1'],
      exportTargets: ['target:1:2'],
    });
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ instance: 'b', key: '10.0.0.1/32' });
    expect(changes[0]!.paths[0]!.origin).toBe('a');

    db.addPath('b', 'inet', '10.0.1.1/32', path('y', '10.0.1.1', '192.0.2.2'));
    expect([...db.routes('a', 'inet')].map(([k]) => k)).toEqual(['10.0.0.1/32']);

    changes.length = 0;
    db.upsertInstance({ name: 'b', importTargets: ['target:1:2'], exportTargets: ['target:1:2'] });
    expect(changes).toEqual([{ instance: 'b', family: 'inet', key: '10.0.0.1/32', paths: [] }]);
  });

  it('shows a local path (an imported gateway route) in its own instance only, whatever the targets do', () => {
    const db = new RouteDb();
    db.upsertInstance({ name: 'a', importTargets: ['t:1'], exportTargets: ['t:1'] });
    db.upsertInstance({ name: 'b', importTargets: ['t:1'], exportTargets: ['t:2'] });
    const changes = collect(db);
    db.addPath('a', 'inet', '10.9.0.0/24', { ...path('gw', '10.9.0.1', '192.0.2.9'), local: true });
    db.addPath('a', 'inet', '10.0.0.1/32', path('x', '10.0.0.1', '192.0.2.1'));
    expect(changes.map((c) => `${c.instance} ${c.key}`)).toEqual([
      'a 10.9.0.0/24',
      'a 10.0.0.1/32',
      'b 10.0.0.1/32',
    ]);
    // A third instance starts importing a's targets: it gets a's own path, not the local one.
    changes.length = 0;
    db.upsertInstance({ name: 'c', importTargets: ['t:1'], exportTargets: ['t:3'] });
    expect(changes.map((c) => `${c.instance} ${c.key}`)).toEqual(['c 10.0.0.1/32']);
    expect([...db.routes('c', 'inet')].map(([k]) => k)).toEqual(['10.0.0.1/32']);
    changes.length = 0;
    db.removePath('a', 'inet', '10.9.0.0/24', 'agent:gw');
    expect(changes).toEqual([{ instance: 'a', family: 'inet', key: '10.9.0.0/24', paths: [] }]);
  });

  it('merges paths of several sources into one ECMP entry and replaces a source on republish', () => {
    const db = new RouteDb();
    db.upsertInstance({ name: 'a', importTargets: ['t:1'], exportTargets: ['t:1'] });
    db.addPath('a', 'inet', '10.0.0.9/32', path('x', '10.0.0.9', '192.0.2.1'));
    db.addPath('a', 'inet', '10.0.0.9/32', path('y', '10.0.0.9', '192.0.2.2'));
    db.addPath('a', 'inet', '10.0.0.9/32', path('y', '10.0.0.9', '192.0.2.3'));
    const routes = [...db.routes('a', 'inet')];
    expect(routes).toHaveLength(1);
    expect(routes[0]![1].map((p) => p.source).sort()).toEqual(['agent:x', 'agent:y']);
    db.removeSource('agent:x');
    expect([...db.routes('a', 'inet')][0]![1].map((p) => p.source)).toEqual(['agent:y']);
  });

  it('sweeps only paths still stale after a restart', () => {
    const db = new RouteDb();
    db.upsertInstance({ name: 'a', importTargets: [], exportTargets: [] });
    db.addPath('a', 'inet', '10.0.0.1/32', path('x', '10.0.0.1', '192.0.2.1'));
    db.addPath('a', 'inet', '10.0.0.2/32', path('x', '10.0.0.2', '192.0.2.1'));
    expect(db.markStale('agent:x')).toBe(2);
    db.addPath('a', 'inet', '10.0.0.1/32', path('x', '10.0.0.1', '192.0.2.1'));
    expect(db.sweepStale('agent:x')).toBe(1);
    expect([...db.routes('a', 'inet')].map(([k]) => k)).toEqual(['10.0.0.1/32']);
  });

  it('keeps paths published before config names the instance and applies targets later', () => {
    const db = new RouteDb();
    db.addPath('late', 'inet', '10.0.0.1/32', path('x', '10.0.0.1', '192.0.2.1'));
    expect([...db.instances()]).toEqual([]);
    const added: string[] = [];
    db.on('instance-added', (ri) => added.push(ri.name));
    db.upsertInstance({ name: 'other', importTargets: ['t:9'], exportTargets: [] });
    db.upsertInstance({ name: 'late', importTargets: [], exportTargets: ['t:9'] });
    expect(added).toEqual(['other', 'late']);
    expect([...db.routes('other', 'inet')].map(([k]) => k)).toEqual(['10.0.0.1/32']);
    db.removeInstance('late');
    expect([...db.routes('other', 'inet')]).toEqual([]);
    expect(db.instance('late')?.configured).toBe(false);
  });
});

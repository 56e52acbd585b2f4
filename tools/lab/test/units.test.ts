// The lab's pure parts: option parsing and its usage errors, the Prometheus reader, route snapshots and
// their diff, stable uuids, the summary table.
import { spawnSync } from 'node:child_process';
import { tapSupported } from '@filament/agent';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LAB_OPTIONS,
  diffSnapshots,
  LabUsageError,
  metricValue,
  parseLabArgs,
  parsePrometheus,
  remoteRoutes,
  renderSummary,
  stableUuid,
} from '../src/index.js';
import { namespacesSupported } from '../src/namespaces.js';
import { describeNextHop } from '../src/routes.js';

describe('parseLabArgs', () => {
  it('defaults: state under XDG_STATE_HOME, else ./.filament-lab', () => {
    expect(parseLabArgs([], { XDG_STATE_HOME: '/var/state' }, '/w').options.stateDir).toBe(
      '/var/state/filament-lab',
    );
    expect(parseLabArgs([], {}, '/w').options.stateDir).toBe('/w/.filament-lab');
    const p = parseLabArgs([], {}, '/w');
    expect(p.once).toBe(false);
    expect(p.options.apiPort).toBe(DEFAULT_LAB_OPTIONS.apiPort);
    expect(p.options.underlays).toBeNull();
    expect(p.options.hosts).toBe('auto');
  });

  it('reads every option', () => {
    const p = parseLabArgs(
      [
        '--once',
        '--json',
        '--workloads=in-process',
        '--state-dir',
        '/tmp/x',
        '--api-port',
        '1234',
        '--xmpp-port',
        '2345',
        '--underlays',
        '127.0.9.1,127.0.9.2',
        '--port-api-port',
        '3456',
        '--introspect-port',
        '4567',
        '--bytes',
        '999',
        '--keep-state',
        '--hosts',
        'namespaces',
      ],
      {},
      '/w',
    );
    expect(p).toMatchObject({ once: true, json: true, keepState: true });
    expect(p.options).toMatchObject({
      workloads: 'in-process',
      stateDir: '/tmp/x',
      apiPort: 1234,
      xmppPort: 2345,
      underlays: ['127.0.9.1', '127.0.9.2'],
      portApiPort: 3456,
      introspectPort: 4567,
      transferBytes: 999,
      hosts: 'namespaces',
    });
  });

  it.each([
    [['--nope'], /unknown option --nope/],
    [['--workloads', 'vm'], /auto, in-process or tap/],
    [['--api-port', '70000'], /port number/],
    [['--underlays', '127.0.0.1'], /two different IPv4/],
    [['--underlays', '127.0.0.1,127.0.0.1'], /two different IPv4/],
    [['--bytes', '0'], /--bytes/],
    [['--state-dir'], /needs a value/],
    [['--hosts', 'vm'], /auto, loopback or namespaces/],
    [['positional'], /unexpected argument/],
  ])('rejects %j', (args, message) => {
    expect(() => parseLabArgs(args, {}, '/w')).toThrow(LabUsageError);
    expect(() => parseLabArgs(args, {}, '/w')).toThrow(message);
  });
});

describe('parsePrometheus', () => {
  const text = [
    '# HELP filament_agent_drops_total Packets dropped, by reason.',
    '# TYPE filament_agent_drops_total counter',
    'filament_agent_drops_total{reason="policy"} 3',
    'filament_agent_drops_total{reason="no_route"} 1',
    'filament_agent_tunnel_tx_packets_total{encap="vxlan"} 10',
    'filament_agent_tunnel_tx_packets_total{encap="mpls_udp"} 4',
    'filament_agent_flows 6',
    'weird{a="x\\"y"} 2.5',
    'garbage line',
    '',
  ].join('\n');
  const samples = parsePrometheus(text);

  it('reads names, labels and values, skipping comments and junk', () => {
    expect(samples).toHaveLength(6);
    expect(metricValue(samples, 'filament_agent_drops_total', { reason: 'policy' })).toBe(3);
    expect(metricValue(samples, 'filament_agent_drops_total')).toBe(4);
    expect(metricValue(samples, 'filament_agent_flows')).toBe(6);
    expect(metricValue(samples, 'absent')).toBe(0);
    expect(samples.find((s) => s.name === 'weird')?.labels.a).toBe('x"y');
    expect(parsePrometheus('m{__proto__="x"} 1')[0]?.labels).toEqual(
      Object.fromEntries([['__proto__', 'x']]),
    );
  });
});

describe('parsePrometheus on arbitrary input', () => {
  it('never throws, and every sample it returns has a name and a number', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        for (const s of parsePrometheus(text)) {
          expect(s.name).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
          expect(Number.isNaN(s.value)).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('reads back what the exposition format writes', () => {
    const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,20}$/);
    const labelValue = fc.string({ maxLength: 12 });
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            name,
            labels: fc.dictionary(name, labelValue, { maxKeys: 3 }),
            value: fc.integer({ min: 0, max: 1e9 }),
          }),
          { maxLength: 20 },
        ),
        (samples) => {
          const esc = (v: string) =>
            v.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
          const text = samples
            .map((s) => {
              const l = Object.entries(s.labels).map(([k, v]) => `${k}="${esc(v)}"`);
              return `${s.name}${l.length ? `{${l.join(',')}}` : ''} ${s.value}`;
            })
            .join('\n');
          const back = parsePrometheus(text);
          expect(back.map((s) => [s.name, s.labels, s.value])).toEqual(
            samples.map((s) => [s.name, { ...s.labels }, s.value]),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('route snapshots', () => {
  const nh = (o: Record<string, unknown>) => describeNextHop(o);
  it('describes next hops', () => {
    expect(
      nh({ kind: 'tunnel', dst: '127.0.0.2', label: 17, vni: 10101, encaps: ['vxlan', 'mpls-udp'] }),
    ).toBe('tunnel 127.0.0.2 label 17 vni 10101 [vxlan,mpls-udp]');
    expect(nh({ kind: 'interface', port: 3 })).toBe('port 3');
    expect(nh({ kind: 'ecmp', members: [1, 2] })).toBe('ecmp 2 members');
    expect(describeNextHop(undefined)).toBe('none');
  });

  it('keeps the remote routes and diffs two snapshots', () => {
    const before = new Map([
      [
        'd:p:vn-red:vn-red',
        new Map([
          ['10.10.1.3/32', 'port 1'],
          ['10.10.1.4/32', 'tunnel 127.0.0.2 label 17'],
        ]),
      ],
    ]);
    const after = new Map([
      [
        'd:p:vn-red:vn-red',
        new Map([
          ['10.10.1.3/32', 'port 1'],
          ['10.10.1.4/32', 'tunnel 127.0.0.2 label 18'],
          ['10.10.1.9/32', 'tunnel 127.0.0.2 label 19'],
        ]),
      ],
    ]);
    expect([...(remoteRoutes(before).get('d:p:vn-red:vn-red')?.keys() ?? [])]).toEqual(['10.10.1.4/32']);
    expect(diffSnapshots(before, before)).toEqual([]);
    expect(diffSnapshots(before, after)).toEqual([
      '- d:p:vn-red:vn-red 10.10.1.4/32 tunnel 127.0.0.2 label 17',
      '+ d:p:vn-red:vn-red 10.10.1.4/32 tunnel 127.0.0.2 label 18',
      '+ d:p:vn-red:vn-red 10.10.1.9/32 tunnel 127.0.0.2 label 19',
    ]);
  });
});

describe('stableUuid', () => {
  it('is a version-5 RFC 4122 uuid, the same for the same seed', () => {
    const a = stableUuid('vm:red-1');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stableUuid('vm:red-1')).toBe(a);
    expect(stableUuid('vm:red-2')).not.toBe(a);
  });
});

describe('renderSummary', () => {
  it('prints the checks, routes, flows and URLs', () => {
    const text = renderSummary({
      ok: false,
      workloads: { mode: 'in-process', reason: 'not root' },
      hosts: { mode: 'loopback', reason: 'not root' },
      checks: [
        { id: 'a', title: 'ping red-1 -> red-2', ok: true, expected: '3/3 replies', observed: '3/3 replies' },
        { id: 'b', title: 'tcp denied', ok: false, expected: 'no connection', observed: 'connected' },
      ],
      endpoints: {
        api: 'http://127.0.0.1:8082',
        apiMetrics: 'http://127.0.0.1:8082/metrics',
        controllerIntrospect: 'http://127.0.0.1:8083',
        adminTokenFile: '/s/admin-token',
        agents: [
          {
            name: 'compute-1',
            underlay: '127.0.0.1',
            portApi: 'http://127.0.0.1:9091',
            introspect: 'http://127.0.0.1:8085',
            metrics: 'http://127.0.0.1:8085/metrics',
          },
        ],
        logs: '/s/logs',
      },
      workloadAddresses: [
        { name: 'red-1', network: 'vn-red', agent: 'compute-1', ip: '10.10.1.3', mac: '02:00:00:00:00:01' },
      ],
      agents: [
        {
          name: 'compute-1',
          routes: [{ vrf: 'v', prefix: '10.10.1.4/32', nextHop: 'tunnel 127.0.0.2' }],
          flows: [
            {
              src: '10.10.1.3',
              dst: '10.10.1.4',
              proto: 6,
              sport: 40000,
              dport: 8080,
              action: 'forward',
              packets: 5,
            },
          ],
        },
      ],
    });
    expect(text).toContain('PASS  ping red-1 -> red-2');
    expect(text).toContain('FAIL  tcp denied');
    expect(text).toContain('1/2 checks passed');
    expect(text).toContain('tcp    10.10.1.3:40000  10.10.1.4:8080  forward  5');
    expect(text).toContain('introspect http://127.0.0.1:8085');
  });
});

describe('namespacesSupported', () => {
  it("defers the TAP part to the agent's own probe (tapSupported from @filament/agent)", () => {
    const lab = namespacesSupported();
    const root = process.getuid?.() === 0;
    const tools = spawnSync('ip', ['-V']).status === 0 && spawnSync('ping', ['-V']).status === 0;
    if (root && tools) expect(lab).toEqual(tapSupported());
    else expect(lab.ok).toBe(false);
    // A host the agent cannot give TAP devices never runs namespace mode.
    if (!tapSupported().ok) expect(lab.ok).toBe(false);
  });
});

// Issue 9, test 1 through the whole system, as root: `filament-lab --once --json --workloads tap` — every
// workload is a network namespace with the kernel's IP stack behind a TAP device of its agent; iputils
// ping and a 1 MiB HTTP transfer whose sha256 must match the served file, in each network (VXLAN) and
// across them (MPLS over UDP), plus the policy's denied flows. Nothing may be left behind: no namespace,
// link or listening port.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { canConnect, describeWithTool } from '@filament/testkit';
import { describe, expect, it } from 'vitest';
import type { LabSummary } from '../src/index.js';
import { namespacesSupported } from '../src/namespaces.js';
import { labFlags, runLabProcess, testLabOptions } from './support.js';

const support = namespacesSupported();

if (!support.ok) describe.skip(`lab with TAP workloads in namespaces [skipped: ${support.why}]`, () => {});
else
  describeWithTool(['ip', 'ping'], 'lab with TAP workloads in namespaces', () => {
    it('passes every check with the kernel as workload, and cleans up', async () => {
      // The root default: a namespace per compute node on a veth/bridge underlay, TAP workloads in namespaces.
      const o = testLabOptions(4, { hosts: 'namespaces', underlays: ['198.19.64.1', '198.19.64.2'] });
      const r = await runLabProcess(['--once', '--json', '--workloads', 'tap', ...labFlags(o)]);
      let summary: LabSummary;
      try {
        summary = JSON.parse(r.stdout) as LabSummary;
      } catch {
        throw new Error(
          `no JSON summary (exit ${r.code}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-6000)}`,
        );
      }
      expect(summary.workloads.mode).toBe('tap');
      expect(summary.hosts.mode).toBe('namespaces');
      expect(
        summary.checks.filter((c) => !c.ok),
        r.stderr.slice(-6000),
      ).toEqual([]);
      expect(r.code).toBe(0);
      const transfer = summary.checks.find((c) => c.id === 'tcp-red-blue-allowed')!;
      expect(transfer.observed).toMatch(/^1048576 bytes, sha256 [0-9a-f]{12}… matches/);
      expect(summary.checks.find((c) => c.id === 'encaps')?.observed).toBe('VXLAN, MPLSoUDP');
      // The namespaces are gone, the ports closed.
      const left = existsSync('/run/netns')
        ? readdirSync('/run/netns').filter((n) => n.startsWith('flab-'))
        : [];
      expect(left).toEqual([]);
      // ... and so are the underlay bridge and veths.
      expect(spawnSync('ip', ['-o', 'link', 'show']).stdout.toString()).not.toMatch(/: fl(br|v\d)\d+[@:]/);
      expect(await canConnect(o.apiHost, o.apiPort)).toBe(false);
      for (const u of o.underlays) expect(await canConnect(u, o.portApiPort)).toBe(false);
    }, 300_000);
  });

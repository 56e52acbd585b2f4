// Benchmarks for the goals of the policy compiler issue, each beside a naive baseline measured in the same run:
// full compile, one tag change (with its diff), evaluate on a 200-entry ACL, memory per compiled interface.
// Run: pnpm --filter @filament/policy bench
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { runBench } from '@filament/testkit';
import {
  Decision,
  type EndpointSpec,
  effectiveTags,
  evaluate,
  FiveTuple,
  type Inventory,
  NaiveEvaluator,
  PolicyCompiler,
  type PolicyModel,
  TagRegistry,
} from '../src/index.js';
import { aclWorld, world } from './world.js';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

/**
 * The baseline compiler: expand every applicable tag rule of an interface to IP lists by scanning every
 * interface's effective tags (no identities, no shared sets, no posting lists).
 */
function naiveExpander(model: PolicyModel, inv: Inventory): (name: string) => number {
  const reg = new TagRegistry();
  const ctx = { objectType: 'bench', objectName: '', field: 'tags' };
  const vms = new Map((inv.vms ?? []).map((v) => [v.name, reg.parseList(v.tags, ctx)]));
  const hosts = new Map((inv.hosts ?? []).map((h) => [h.name, reg.parseList(h.tags, ctx)]));
  const all = inv.interfaces.map((i) => ({
    name: i.name,
    addr: i.addresses[0] as string,
    tags: new Set(
      effectiveTags(
        [reg.parseList(i.tags, ctx), vms.get(i.vm ?? '') ?? [], hosts.get(i.host ?? '') ?? []],
        (t) => reg.isMultiValued(t),
      ).map((t) => reg.name(t)),
    ),
  }));
  const byName = new Map(all.map((i) => [i.name, i]));
  const matches = (ep: EndpointSpec, tags: Set<string>) =>
    'any' in ep || ('tags' in ep && ep.tags.every((t) => tags.has(t)));
  return (name) => {
    const me = byName.get(name);
    if (!me) return 0;
    let out = 0;
    for (const aps of model.applicationPolicySets ?? []) {
      if (!aps.applicationTag || !me.tags.has(aps.applicationTag)) continue;
      for (const pref of aps.policies)
        for (const rref of model.firewallPolicies?.find((p) => p.name === pref.policy)?.rules ?? []) {
          const r = model.firewallRules?.find((x) => x.name === rref.rule);
          if (!r) continue;
          for (const [local, remote] of [
            [r.endpoint1, r.endpoint2],
            [r.endpoint2, r.endpoint1],
          ] as const) {
            if (!matches(local, me.tags)) continue;
            const ips: string[] = [];
            for (const other of all) if (matches(remote, other.tags)) ips.push(other.addr);
            out += ips.length;
          }
        }
    }
    return out;
  };
}

const w = world();
const sample = w.inventory.interfaces.slice(0, 20).map((i) => i.name);
const expand = naiveExpander(w.model, w.inventory);

// ---- memory per compiled interface (compiled ACLs, shared sets and per-interface state; matchers built)
const before = heap();
const mem = new PolicyCompiler(w.model, w.inventory);
for (const i of w.inventory.interfaces) mem.matcher(i.name);
const compiledBytes = heap() - before;
const before2 = heap();
const naiveMem = new NaiveEvaluator(w.model, w.inventory);
const naiveBytes = heap() - before2;
const stats = mem.stats();

const compileRows = await runBench(
  'full compile: 10,000 interfaces, 2,000 tags, 1,000 rules (items = interfaces)',
  [
    {
      name: 'PolicyCompiler (identities, shared address sets)',
      fn: () => void new PolicyCompiler(w.model, w.inventory),
      items: 10_000,
    },
    {
      name: 'baseline: naive per-interface expansion to IP lists (20 ifaces)',
      fn: () => sample.forEach(expand),
      items: sample.length,
    },
  ],
  { time: 3000 },
);

let flip = false;
const c = new PolicyCompiler(w.model, w.inventory);
const tagRows = await runBench(
  'one tag change on one VM, including the diff (items = changes)',
  [
    {
      name: 'incremental apply() + diff',
      fn: () => {
        flip = !flip;
        const d = c.apply({
          kind: 'tags',
          object: 'vm',
          name: 'vm-17',
          tags: ['application=app17', `tier=t${flip ? 1 : 2}`, `deployment=d${flip ? 2 : 1}`],
        });
        if (d.interfaces.size === 0) throw new Error('tag change produced no diff');
      },
    },
    {
      name: 'baseline: full recompile',
      fn: () => void new PolicyCompiler(w.model, w.inventory),
    },
  ],
  { time: 3000 },
);

// ---- evaluate on a 200-entry ACL: 1,024 tuples over all entries, hits early and late, and misses
const aw = aclWorld();
const ac = new PolicyCompiler(aw.model, aw.inventory);
const matcher = ac.matcher('me');
if (matcher?.acl.firewall?.length !== 200) throw new Error('ACL world does not have 200 entries');
const m = matcher;
const naive = new NaiveEvaluator(aw.model, aw.inventory);
const tuples: FiveTuple[] = [];
const texts: [string, number, number][] = [];
const r = (() => {
  let s = 7;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s;
  };
})();
for (let i = 0; i < 1024; i++) {
  const k = r() % 200;
  const dst = `10.0.${1 + (k >> 6)}.${(k & 63) * 4 + (r() % 4)}`;
  const proto = r() % 3 === 0 ? 17 : 6;
  const port = i % 4 === 0 ? 5 : 1000 + (r() % 200) * 10 + (r() % 5);
  tuples.push(
    FiveTuple.of({
      src: '10.0.0.2',
      dst,
      protocol: proto,
      dstPort: port,
      srcPort: 40000,
      direction: 'egress',
    }),
  );
  texts.push([dst, proto, port]);
}
const out = new Decision();
let agree = 0;
for (let i = 0; i < tuples.length; i++) {
  const [dst, proto, port] = texts[i] as [string, number, number];
  if (
    evaluate(m, tuples[i] as FiveTuple, out).action ===
    naive.evaluate('me', '10.0.0.2', dst, proto, 40000, port).action
  )
    agree++;
}
if (agree !== tuples.length)
  throw new Error(`compiled and naive disagree on ${tuples.length - agree} tuples`);
let sink = 0;
const evalRows = await runBench('evaluate on a 200-entry ACL (items = decisions)', [
  {
    name: 'evaluate(matcher, tuple) compiled bitset matcher',
    fn: () => {
      for (let i = 0; i < tuples.length; i++)
        if (evaluate(m, tuples[i] as FiveTuple, out).action === 'pass') sink++;
    },
    items: tuples.length,
  },
  {
    name: 'baseline: naive walk of the uncompiled tag rules',
    fn: () => {
      for (let i = 0; i < 64; i++) {
        const [dst, proto, port] = texts[i] as [string, number, number];
        if (naive.evaluate('me', '10.0.0.2', dst, proto, 40000, port).action === 'pass') sink++;
      }
    },
    items: 64,
  },
]);

const fmt = (n: number) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(1);
const [cc, cb] = compileRows;
const [ti, tb] = tagRows;
const [ev, eb] = evalRows;
const ms = (perSec: number | undefined, items = 1) => {
  if (!perSec) return '?';
  const v = (1000 * items) / perSec;
  return v < 10 ? v.toFixed(2) : v.toFixed(0);
};
const cmd = 'pnpm --filter @filament/policy bench';
console.log(
  `\n${stats.interfaces} interfaces -> ${stats.acls} compiled ACLs (identities), ${stats.entries} entries, ${stats.sets} shared sets (${stats.setPrefixes} prefixes); sink ${sink % 2}`,
);
console.log('\n| package | what | figure | baseline (same run) | command |\n| --- | --- | --- | --- | --- |');
console.log(
  `| @filament/policy | full compile, 10,000 interfaces / 2,000 tags / 1,000 rules (goal < 1 s) | ${ms(cc?.itemsPerSec, 10_000)} ms | naive IP expansion: ${ms(cb?.itemsPerSec, 10_000)} ms (extrapolated from 20 interfaces) | \`${cmd}\` |`,
);
console.log(
  `| @filament/policy | one tag change on one VM incl. diff (goal < 5 ms) | ${ms(ti?.itemsPerSec)} ms | full recompile: ${ms(tb?.itemsPerSec)} ms | \`${cmd}\` |`,
);
console.log(
  `| @filament/policy | evaluate, 200-entry ACL (goal >= 5 M/s) | ${fmt(ev?.itemsPerSec ?? 0)} decisions/s | naive rule walk: ${fmt(eb?.itemsPerSec ?? 0)} decisions/s | \`${cmd}\` |`,
);
console.log(
  `| @filament/policy | memory per compiled interface (ACL share, sets, matcher, state) | ${(compiledBytes / stats.interfaces).toFixed(0)} B | naive evaluator state: ${(naiveBytes / stats.interfaces).toFixed(0)} B | \`${cmd}\` |`,
);
void naiveMem;

// `filament policy check` and `filament policy k8s`: trace policy decisions like `cilium policy trace`.
// Both read a file, compile it with @filament/policy and print one JSON line per probe, or with `--acl NAME`
// the compiled ACL of one interface (TF) or pod (Kubernetes).
import { readFile } from 'node:fs/promises';
import {
  loadTfObjects,
  PolicyCompiler,
  parseK8sDocuments,
  podInterface,
  probe,
  probeK8s,
  translateK8s,
} from '@filament/policy';
import { type Command, type Io, jsonLine, parseArgs, UsageError } from '../command.js';

async function readInput(path: string | undefined, io: Io): Promise<string> {
  if (path === undefined) throw new UsageError('FILE is required');
  if (path !== '-') return readFile(path, 'utf8');
  const chunks: Buffer[] = [];
  for await (const c of io.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

const check: Command = {
  path: ['policy', 'check'],
  summary: 'Decide probes against Tungsten Fabric config objects (tags, APS, firewall, SG, network policy)',
  help: `Usage: filament policy check FILE [--acl NAME]

FILE (or - for stdin) is JSON {"objects": [...], "probes": [...]}: objects are Tungsten Fabric config objects as
GET /<type>/<uuid> returns them ({"virtual-machine-interface": {"fq_name": [...], ...}}); probes are
{"src": S, "dst": D, "protocol": "tcp"|"udp"|"icmp"|N, "port": N} where S and D are an interface fq_name
joined with ':' or an IP address outside the fabric.

Prints one JSON line per probe: action (pass|deny), the deciding side, gate and rule, and each end's decision.

Options:
  --acl NAME   print the compiled ACL of interface NAME instead (remote sets resolved to prefixes)

Example:
  filament policy check finance.json
  filament policy check finance.json --acl default-domain:finance:prod-web-eth0`,
  async run(args, io) {
    const { values, positionals } = parseArgs(args, [], ['acl']);
    const text = await readInput(positionals[0], io);
    let doc: { objects?: unknown; probes?: unknown };
    try {
      doc = JSON.parse(text) as typeof doc;
    } catch (e) {
      throw new UsageError(`FILE is not JSON: ${(e as Error).message}`);
    }
    const { model, inventory } = loadTfObjects(doc.objects ?? []);
    const c = new PolicyCompiler(model, inventory);
    const acl = values.get('acl');
    if (acl !== undefined) {
      const d = c.describe(acl);
      if (!d) throw new UsageError(`no interface named '${acl}'`);
      io.stdout.write(jsonLine(d));
      return 0;
    }
    const probes = Array.isArray(doc.probes)
      ? (doc.probes as { src: string; dst: string; protocol: string | number; port?: number }[])
      : [];
    for (const p of probes) {
      const spec = {
        src: p.src,
        dst: p.dst,
        protocol: p.protocol,
        ...(p.port !== undefined ? { port: p.port } : {}),
      };
      io.stdout.write(jsonLine({ ...spec, ...probe(c, spec) }));
    }
    return 0;
  },
};

const k8s: Command = {
  path: ['policy', 'k8s'],
  summary: 'Decide pod-to-pod probes under Kubernetes NetworkPolicies, compiled to firewall policy',
  help: `Usage: filament policy k8s FILE [--acl NS/POD]

FILE (or - for stdin) is YAML (multi-document) or JSON (a List) of Namespace, Pod (labels, named container
ports, status.podIP) and NetworkPolicy objects, plus one document
{"kind": "Probes", "probes": [{"from": "ns/pod", "to": "ns/pod", "port": 80 | "name", "protocol": "TCP"|"UDP"|"SCTP"}]}.

Prints one JSON line per probe: allowed (true|false) and the policies that decided it.

Options:
  --acl NS/POD   print the compiled ACL of that pod's interface instead

Example:
  filament policy k8s cluster.yaml
  filament policy k8s cluster.yaml --acl x/a`,
  async run(args, io) {
    const { values, positionals } = parseArgs(args, [], ['acl']);
    const { objects, probes } = parseK8sDocuments(await readInput(positionals[0], io));
    const t = translateK8s(objects);
    const c = new PolicyCompiler(t.model, t.inventory);
    const acl = values.get('acl');
    if (acl !== undefined) {
      io.stdout.write(jsonLine(c.describe(podInterface(t, acl, '--acl'))));
      return 0;
    }
    for (const p of probes) io.stdout.write(jsonLine(probeK8s(t, c, p)));
    return 0;
  },
};

export const policyCommands: Command[] = [check, k8s];

// Starts an in-process controller on a loopback ephemeral port over a scratch SQLite directory or a test etcd,
// and a tiny JSON client for it.
import { randomUUID } from 'node:crypto';
import { scratchDir } from '@filament/testkit';
import pino from 'pino';
import type { ControllerConfig } from '../../src/config.js';
import { Controller } from '../../src/controller.js';
import { startEtcd, type TestEtcd } from './etcd.js';

export type Engine = 'sqlite' | 'etcd';

export interface Harness {
  c: Controller;
  url: string;
  admin: string;
  call(
    method: string,
    path: string,
    body?: unknown,
    token?: string | null,
    headers?: Record<string, string>,
  ): Promise<Resp>;
  close(): Promise<void>;
}

export interface Resp {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: response JSON in tests is checked by the assertions themselves
  body: any;
  headers: Headers;
}

export async function startController(
  engine: Engine,
  extra: Partial<ControllerConfig> = {},
  shared?: { etcdUrl: string; prefix: string },
): Promise<Harness> {
  const dir = scratchDir('filament-ctl-');
  let etcd: TestEtcd | undefined;
  let store: ControllerConfig['store'];
  if (extra.store) store = extra.store;
  else if (engine === 'sqlite') store = { engine, data_dir: `${dir.path}/data` };
  else if (shared) store = { engine, hosts: [shared.etcdUrl], prefix: shared.prefix };
  else {
    etcd = await startEtcd();
    store = { engine, hosts: [etcd.url], prefix: `/t-${randomUUID()}/` };
  }
  const cfg: ControllerConfig = {
    listen: { host: '127.0.0.1', port: 0 },
    store,
    auth: { enabled: true, admin_token_file: `${dir.path}/admin-token` },
    asn: 64512,
    log_level: 'silent',
    ...extra,
  };
  if (extra.auth) cfg.auth = { admin_token_file: `${dir.path}/admin-token`, ...extra.auth };
  let c: Controller;
  try {
    c = await Controller.start(cfg, pino({ level: 'silent' }));
  } catch (e) {
    await etcd?.stop();
    dir.cleanup();
    throw e;
  }
  const url = `http://127.0.0.1:${c.port}`;
  const admin = c.adminToken!;
  return {
    c,
    url,
    admin,
    async call(method, path, body, token = admin, headers = {}) {
      const h: Record<string, string> = { ...headers };
      if (token) h['x-auth-token'] = token;
      if (body !== undefined) h['content-type'] = 'application/json';
      const r = await fetch(url + path, {
        method,
        headers: h,
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await r.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {}
      return { status: r.status, body: parsed, headers: r.headers };
    },
    async close() {
      await c.close();
      await etcd?.stop();
      dir.cleanup();
    },
  };
}

export const PROJECT = ['default-domain', 'default-project'];
export const IPAM = [...PROJECT, 'default-network-ipam'];

export function vnBody(
  name: string,
  subnets: { ip_prefix: string; ip_prefix_len: number; [k: string]: unknown }[] = [],
  extra: Record<string, unknown> = {},
) {
  return {
    'virtual-network': {
      fq_name: [...PROJECT, name],
      parent_type: 'project',
      ...(subnets.length
        ? {
            network_ipam_refs: [
              {
                to: IPAM,
                attr: {
                  ipam_subnets: subnets.map(({ ip_prefix, ip_prefix_len, ...rest }) => ({
                    subnet: { ip_prefix, ip_prefix_len },
                    ...rest,
                  })),
                },
              },
            ],
          }
        : {}),
      ...extra,
    },
  };
}

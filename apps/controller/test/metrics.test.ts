import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, startController } from './support/api.js';
import { describeWithSqlite } from './support/sqlite.js';

describeWithSqlite('/metrics', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startController('sqlite');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('exposes API request counts and latency, writes seen through watch, in Prometheus text format', async () => {
    await h.call('POST', '/network-policys', {
      'network-policy': { fq_name: ['default-domain', 'default-project', 'm1'] },
    });
    await h.call('GET', '/network-policys');
    await h.call('GET', '/virtual-networks', undefined, null);
    // Metrics need the cloud-admin token when auth is on (auth.public_metrics opens them).
    expect((await fetch(`${h.url}/metrics`)).status).toBe(401);
    const r = await fetch(`${h.url}/metrics`, { headers: { 'x-auth-token': h.admin } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await r.text();
    expect(text).toContain('# TYPE filament_api_requests_total counter');
    expect(text).toMatch(
      /filament_api_requests_total\{method="POST",route="\/network-policys",status="200"\} 1/,
    );
    expect(text).toMatch(
      /filament_api_requests_total\{method="GET",route="\/virtual-networks",status="401"\} 1/,
    );
    expect(text).toMatch(
      /filament_api_request_duration_seconds_bucket\{method="GET",route="\/network-policys",le="\+Inf"\} 1/,
    );
    expect(text).toMatch(/filament_store_watch_events_total\{kind="put",type="network-policy"\} 1/);
    // every sample line is `name{labels} number`
    for (const line of text.trim().split('\n')) {
      if (!line.startsWith('#')) expect(line).toMatch(/^[a-z_]+(\{[^}]*\})? -?[0-9.e+]+$/);
    }
  });

  it('serves /metrics without a token only when auth.public_metrics is set', async () => {
    const open = await startController('sqlite', {
      auth: { enabled: true, public_metrics: true },
    });
    try {
      expect((await fetch(`${open.url}/metrics`)).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});

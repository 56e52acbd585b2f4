// Prometheus text exposition (format 0.0.4) for counters, gauges and histograms with labels.

type Labels = Record<string, string>;

const esc = (v: string): string => v.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('"', '\\"');
const key = (l: Labels): string =>
  Object.keys(l)
    .sort()
    .map((k) => `${k}="${esc(l[k]!)}"`)
    .join(',');

abstract class Metric {
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  abstract render(): string;
}

export class Counter extends Metric {
  private readonly values = new Map<string, number>();
  /** Label keys of label objects seen before: hot paths pass constant label objects. */
  private readonly keys = new WeakMap<Labels, string>();
  inc(labels: Labels = {}, by = 1): void {
    let k = this.keys.get(labels);
    if (k === undefined) {
      k = key(labels);
      this.keys.set(labels, k);
    }
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(key(labels)) ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [k, v] of this.values) lines.push(`${this.name}${k ? `{${k}}` : ''} ${v}`);
    return lines.join('\n');
  }
}

export class Gauge extends Metric {
  constructor(
    name: string,
    help: string,
    private readonly read: () => number,
  ) {
    super(name, help);
  }
  render(): string {
    return [
      `# HELP ${this.name} ${this.help}`,
      `# TYPE ${this.name} gauge`,
      `${this.name} ${this.read()}`,
    ].join('\n');
  }
}

/** A gauge with labels whose series are read at scrape time (e.g. routes per instance). */
export class LabeledGauge extends Metric {
  /** Set by the owner of the values; no series until then. */
  read: () => Iterable<[Labels, number]> = () => [];
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    for (const [l, v] of this.read()) {
      const k = key(l);
      lines.push(`${this.name}${k ? `{${k}}` : ''} ${v}`);
    }
    return lines.join('\n');
  }
}

export class Histogram extends Metric {
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(
    name: string,
    help: string,
    readonly buckets: number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  ) {
    super(name, help);
  }
  observe(labels: Labels, v: number): void {
    const k = key(labels);
    let s = this.series.get(k);
    if (!s) {
      s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(k, s);
    }
    this.buckets.forEach((b, i) => {
      if (v <= b) s.counts[i]! += 1;
    });
    s.sum += v;
    s.count += 1;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [k, s] of this.series) {
      const pre = k ? `${k},` : '';
      for (const [i, b] of this.buckets.entries())
        lines.push(`${this.name}_bucket{${pre}le="${b}"} ${s.counts[i]}`);
      lines.push(`${this.name}_bucket{${pre}le="+Inf"} ${s.count}`);
      lines.push(`${this.name}_sum${k ? `{${k}}` : ''} ${s.sum}`);
      lines.push(`${this.name}_count${k ? `{${k}}` : ''} ${s.count}`);
    }
    return lines.join('\n');
  }
}

export class Registry {
  private readonly metrics: Metric[] = [];
  add<M extends Metric>(m: M): M {
    this.metrics.push(m);
    return m;
  }
  render(): string {
    return `${this.metrics.map((m) => m.render()).join('\n')}\n`;
  }
}

/** The controller's metrics. */
export function controllerMetrics(): {
  registry: Registry;
  requests: Counter;
  latency: Histogram;
  writes: Counter;
  watchEvents: Counter;
  control: ControlMetrics;
} {
  const registry = new Registry();
  return {
    registry,
    requests: registry.add(
      new Counter('filament_api_requests_total', 'API requests by method, route and status.'),
    ),
    latency: registry.add(
      new Histogram('filament_api_request_duration_seconds', 'API request latency by method and route.'),
    ),
    writes: registry.add(
      new Counter('filament_config_writes_total', 'Committed config writes by resource type and operation.'),
    ),
    watchEvents: registry.add(
      new Counter('filament_store_watch_events_total', 'Store changes seen through watch by type.'),
    ),
    control: controlMetrics(registry),
  };
}

/** The control plane's metrics: agents, routes, XMPP messages. */
export interface ControlMetrics {
  /** Established agent sessions (labels: none; read from the agent server). */
  agentsConnected: LabeledGauge;
  /** Routes (keys, all families) visible per routing instance. */
  routesPerInstance: LabeledGauge;
  /** XMPP messages by direction (in/out) and kind. */
  xmppMessages: Counter;
  /** RouteDb changes emitted (one per instance and key that changed). */
  routeChanges: Counter;
  /** Agent sessions refused by reason (not-authorized). */
  agentRejects: Counter;
  /** Route items skipped as invalid, by reason. */
  invalidRoutes: Counter;
}

function controlMetrics(registry: Registry): ControlMetrics {
  return {
    agentsConnected: registry.add(
      new LabeledGauge('filament_control_agents_connected', 'Agents with an established XMPP session.'),
    ),
    routesPerInstance: registry.add(
      new LabeledGauge('filament_control_routes', 'Routes visible per routing instance (all families).'),
    ),
    xmppMessages: registry.add(
      new Counter(
        'filament_control_xmpp_messages_total',
        'XMPP messages to and from agents by direction and kind.',
      ),
    ),
    routeChanges: registry.add(
      new Counter('filament_control_route_changes_total', 'Route changes in routing instances by family.'),
    ),
    agentRejects: registry.add(
      new Counter('filament_control_agent_rejects_total', 'Agent sessions refused, by reason.'),
    ),
    invalidRoutes: registry.add(
      new Counter('filament_control_invalid_routes_total', 'Route items from agents skipped as invalid.'),
    ),
  };
}

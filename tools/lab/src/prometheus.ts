// Reads the Prometheus text exposition (format 0.0.4) the agents serve, enough to take counters before and
// after a check: `name{label="value",...} number` lines; comments and blank lines are skipped.

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePrometheus(text: string): MetricSample[] {
  const out: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    // fromEntries defines own properties, so a label named __proto__ is a label like any other.
    const labels: Record<string, string> = Object.fromEntries(
      [...(m[2] ?? '').matchAll(LABEL)].map((l) => [
        l[1]!,
        l[2]!.replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c)),
      ]),
    );
    const value = Number(m[3]);
    if (!Number.isNaN(value)) out.push({ name: m[1]!, labels, value });
  }
  return out;
}

/** The sum of the samples of `name` whose labels include `labels`. */
export function metricValue(
  samples: readonly MetricSample[],
  name: string,
  labels: Record<string, string> = {},
): number {
  let sum = 0;
  for (const s of samples) {
    if (s.name !== name) continue;
    let match = true;
    for (const [k, v] of Object.entries(labels)) if (s.labels[k] !== v) match = false;
    if (match) sum += s.value;
  }
  return sum;
}

/** One sample of a scrape: a series (name and labels) and its value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

const unescape = (value: string) =>
  value.replace(/\\(["\\n])/g, (_match, c: string) => (c === 'n' ? '\n' : c));

/**
 * Parses Prometheus' text exposition format into samples (comments skipped): for tests, and for
 * tools that scrape a running system (benchmarks, the soak), without a Prometheus server.
 */
export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line.trim());
    if (!match) throw new Error(`Not a sample line: ${line}`);
    const [, name, labelText, value] = match;
    const labels: Record<string, string> = {};
    for (const [, key, raw] of (labelText ?? '').matchAll(LABEL)) {
      labels[key as string] = unescape(raw as string);
    }
    samples.push({ name: name as string, labels, value: Number(value) });
  }
  return samples;
}

/**
 * The sum of the samples of `name` whose labels include `labels` (0 when none): a counter
 * across the labels left out, a histogram's `_count` or `_sum`, or one gauge.
 */
export function sampleSum(
  samples: readonly Sample[],
  name: string,
  labels: Record<string, string> = {},
): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** Scrapes a `/metrics` URL and parses it; a non-200 answer fails with its status and text. */
export async function scrape(url: string): Promise<Sample[]> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${text}`);
  return parseSamples(text);
}

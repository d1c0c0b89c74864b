/**
 * Progress of a long set-up step (building a tool, downloading, waiting for a server) on one
 * line: in a terminal the line is rewritten in place as the step advances; without a terminal
 * (CI, a pipe, a log) a plain line is written at most every `intervalMs`, so that a log shows
 * the step is alive without drowning in detail. Everything goes to stderr, as every set-up
 * message does, so a command's own output stays clean.
 */

/** How progress is shown: rewritten in place on a terminal, or periodic plain lines. */
export type ProgressMode = 'tty' | 'plain';

/** A count shown on the line, e.g. "143 modules downloaded". */
export interface Counter {
  /** Lines of the step's output that add one, e.g. /^go: downloading /. */
  pattern: RegExp;
  /** The words after the number: singular and plural. */
  one: string;
  many: string;
}

/** What a step's output says about it: counts, and the phase it is in. */
export interface OutputTracking {
  counters?: Counter[];
  /** The first match whose `phase` gives a non-empty text becomes the line's activity. */
  phases?: Array<{ pattern: RegExp; phase: (match: RegExpMatchArray) => string }>;
}

const TTY_MIN_REDRAW_MS = 200;

/** Terminal only when stderr is one and the environment is not CI. */
export function progressMode(
  stream: { isTTY?: boolean },
  env: NodeJS.ProcessEnv = process.env,
): ProgressMode {
  const ci = env['CI'];
  if (ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false') return 'plain';
  return stream.isTTY === true ? 'tty' : 'plain';
}

/** "7s", "1m12s", "1h03m". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** "143 modules downloaded", "1 module downloaded". */
export function formatCount(count: number, counter: Pick<Counter, 'one' | 'many'>): string {
  return `${count} ${count === 1 ? counter.one : counter.many}`;
}

/**
 * The progress line: "Temporal CLI: building (go install …) 1m12s, 143 modules downloaded".
 * Counts still at zero are left out.
 */
export function formatProgressLine(state: {
  label: string;
  activity: string;
  elapsedMs: number;
  counts?: Array<{ count: number; one: string; many: string }>;
}): string {
  const counts = (state.counts ?? [])
    .filter((c) => c.count > 0)
    .map((c) => formatCount(c.count, c));
  return [`${state.label}: ${state.activity} ${formatDuration(state.elapsedMs)}`, ...counts].join(
    ', ',
  );
}

/** Cuts a line to the terminal's width, since a wrapped line cannot be rewritten with \r. */
export function fitToWidth(line: string, columns: number | undefined): string {
  if (columns === undefined || columns < 10 || line.length < columns) return line;
  return `${line.slice(0, columns - 2)}…`;
}

export interface ProgressOptions {
  label: string;
  /** What the step does, e.g. "building (go install …)". */
  activity: string;
  mode?: ProgressMode;
  /** Plain mode: at most one line per interval. */
  intervalMs?: number;
  /** Plain mode: write the first line at once (a step worth announcing) or only after one interval (a wait that is usually short). */
  announce?: boolean;
  tracking?: OutputTracking;
  write?: (text: string) => void;
  columns?: () => number | undefined;
  now?: () => number;
  /** How often the clock ticks (redraws a terminal line, checks the plain interval); 0 turns it off (tests). */
  redrawMs?: number;
}

/** One step's progress line; `tick` advances time, `observe` reads a line of the step's output. */
export class ProgressLine {
  readonly mode: ProgressMode;
  private readonly label: string;
  private activity: string;
  private readonly started: number;
  private readonly counts: Array<Counter & { count: number }>;
  private readonly phases: NonNullable<OutputTracking['phases']>;
  private readonly write: (text: string) => void;
  private readonly columns: () => number | undefined;
  private readonly now: () => number;
  private readonly intervalMs: number;
  private lastPlain: number | null = null;
  private lastDrawn = '';
  private lastDrawAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private finished = false;

  constructor(options: ProgressOptions) {
    this.mode = options.mode ?? progressMode(process.stderr);
    this.label = options.label;
    this.activity = options.activity;
    this.write = options.write ?? ((text) => void process.stderr.write(text));
    this.columns = options.columns ?? (() => process.stderr.columns);
    this.now = options.now ?? Date.now;
    this.intervalMs = options.intervalMs ?? 15_000;
    this.started = this.now();
    this.counts = (options.tracking?.counters ?? []).map((c) => ({ ...c, count: 0 }));
    this.phases = options.tracking?.phases ?? [];
    if (this.mode === 'tty') this.draw(true);
    else if (options.announce !== false) this.plain(this.line());
    else this.lastPlain = this.started;
    // A step can be silent for minutes (a large package compiling): the clock keeps the line
    // alive. Unreferenced, so it never holds the process open.
    const redrawMs = options.redrawMs ?? (this.mode === 'tty' ? 250 : 1_000);
    if (redrawMs > 0) {
      this.timer = setInterval(() => this.tick(), redrawMs);
      this.timer.unref();
    }
  }

  /** The line as it reads now. */
  line(): string {
    return formatProgressLine({
      label: this.label,
      activity: this.activity,
      elapsedMs: this.now() - this.started,
      counts: this.counts,
    });
  }

  /** Time in milliseconds since the step started. */
  elapsedMs(): number {
    return this.now() - this.started;
  }

  /** Changes what the step is doing, e.g. from "downloading" to "compiling". */
  setActivity(activity: string): void {
    if (activity === this.activity) return;
    this.activity = activity;
    if (this.mode === 'tty') this.draw(true);
    else this.tick();
  }

  /** Reads one line of the step's output: counts it and notes a change of phase. */
  observe(outputLine: string): void {
    let changed = false;
    for (const counter of this.counts) {
      if (counter.pattern.test(outputLine)) {
        counter.count += 1;
        changed = true;
      }
    }
    for (const { pattern, phase } of this.phases) {
      const match = outputLine.match(pattern);
      const text = match ? phase(match) : '';
      if (text !== '') {
        if (text !== this.activity) {
          this.activity = text;
          changed = true;
        }
        break;
      }
    }
    if (changed) this.tick();
  }

  /** Redraws the terminal line, or writes a plain line when the interval has passed. */
  tick(): void {
    if (this.finished) return;
    if (this.mode === 'tty') return this.draw();
    if (this.lastPlain === null || this.now() - this.lastPlain >= this.intervalMs) {
      this.plain(this.line());
    }
  }

  /** Ends the line with the outcome, e.g. "built", shown with the time taken and the counts. */
  done(outcome: string): void {
    this.finish(
      formatProgressLine({
        label: this.label,
        activity: outcome,
        elapsedMs: this.elapsedMs(),
        counts: this.counts,
      }),
    );
  }

  /** Ends the line without an outcome of its own: the caller reports success or the error. */
  stop(): void {
    this.finish(null);
  }

  private finish(last: string | null): void {
    if (this.finished) return;
    this.finished = true;
    if (this.timer) clearInterval(this.timer);
    if (this.mode === 'tty') {
      this.write(last === null ? '\r\x1b[K' : `\r\x1b[K${last}\n`);
    } else if (last !== null) {
      this.write(`${last}\n`);
    }
  }

  private draw(force = false): void {
    // Hundreds of downloads a second need not be hundreds of redraws; the clock catches up.
    if (!force && this.now() - this.lastDrawAt < TTY_MIN_REDRAW_MS) return;
    const text = fitToWidth(this.line(), this.columns());
    if (text === this.lastDrawn) return;
    this.lastDrawn = text;
    this.lastDrawAt = this.now();
    this.write(`\r\x1b[K${text}`);
  }

  private plain(text: string): void {
    this.lastPlain = this.now();
    this.write(`${text}\n`);
  }
}

/** Splits a stream of output chunks into lines (a partial last line waits for its end). */
export function lineSplitter(onLine: (line: string) => void): {
  push(chunk: string): void;
  end(): void;
} {
  let pending = '';
  return {
    push(chunk) {
      const parts = (pending + chunk).split(/\r?\n|\r/);
      pending = parts.pop() ?? '';
      for (const part of parts) if (part !== '') onLine(part);
    },
    end() {
      if (pending !== '') onLine(pending);
      pending = '';
    },
  };
}

import { readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { logFile, runCommand, SetupError } from './processes';
import {
  fitToWidth,
  formatDuration,
  formatProgressLine,
  lineSplitter,
  ProgressLine,
  progressMode,
  type ProgressOptions,
} from './progress';
import { GO_INSTALL_TRACKING } from './temporal-service';

/** A progress line on a fake clock, with everything it writes captured. */
function fakeLine(options: Partial<ProgressOptions> & Pick<ProgressOptions, 'mode'>) {
  let now = 1_000_000;
  const written: string[] = [];
  const line = new ProgressLine({
    label: 'Temporal CLI',
    activity: 'building (go install …)',
    redrawMs: 0,
    columns: () => 120,
    write: (text) => written.push(text),
    now: () => now,
    ...options,
  });
  return {
    line,
    written,
    advance(ms: number) {
      now += ms;
    },
  };
}

describe('progress line', () => {
  it('reads as what the step does, how long it has taken and how far it is', () => {
    expect(
      formatProgressLine({
        label: 'Temporal CLI',
        activity: 'building (go install …)',
        elapsedMs: 72_400,
        counts: [
          { count: 143, one: 'module downloaded', many: 'modules downloaded' },
          { count: 0, one: 'package compiled', many: 'packages compiled' },
        ],
      }),
    ).toBe('Temporal CLI: building (go install …) 1m12s, 143 modules downloaded');
    expect(
      formatProgressLine({
        label: 'neo4j',
        activity: 'starting',
        elapsedMs: 1_000,
        counts: [{ count: 1, one: 'artifact downloaded', many: 'artifacts downloaded' }],
      }),
    ).toBe('neo4j: starting 1s, 1 artifact downloaded');
  });

  it('shows durations in seconds, minutes and hours', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(59_999)).toBe('59s');
    expect(formatDuration(60_000)).toBe('1m00s');
    expect(formatDuration(3_725_000)).toBe('1h02m');
  });

  it('fits a terminal line to the width, since a wrapped line cannot be rewritten', () => {
    expect(fitToWidth('short', 80)).toBe('short');
    expect(fitToWidth('x'.repeat(100), 40)).toHaveLength(39);
    expect(fitToWidth('x'.repeat(100), undefined)).toHaveLength(100);
  });

  it('rewrites one line on a terminal, and plain lines in CI, a pipe or a log', () => {
    expect(progressMode({ isTTY: true }, {})).toBe('tty');
    expect(progressMode({ isTTY: true }, { CI: 'true' })).toBe('plain');
    expect(progressMode({ isTTY: true }, { CI: '1' })).toBe('plain');
    expect(progressMode({ isTTY: true }, { CI: 'false' })).toBe('tty');
    expect(progressMode({ isTTY: false }, {})).toBe('plain');
    expect(progressMode({}, {})).toBe('plain');
  });
});

describe('progress on a terminal', () => {
  it('rewrites the same line in place and ends it with the outcome', () => {
    const { line, written, advance } = fakeLine({ mode: 'tty', tracking: GO_INSTALL_TRACKING });
    advance(2_000);
    line.observe('go: downloading go.temporal.io/server v1.27.1');
    advance(70_000);
    line.observe('go.temporal.io/server/common/log');
    line.done('built in');

    expect(written.slice(0, -1).every((w) => w.startsWith('\r\x1b[K') && !w.includes('\n'))).toBe(
      true,
    );
    expect(written).toContain(
      '\r\x1b[KTemporal CLI: downloading modules (go install) 2s, 1 module downloaded',
    );
    expect(written).toContain(
      '\r\x1b[KTemporal CLI: compiling (go install) 1m12s, 1 module downloaded, 1 package compiled',
    );
    expect(written.at(-1)).toBe(
      '\r\x1b[KTemporal CLI: built in 1m12s, 1 module downloaded, 1 package compiled\n',
    );
  });

  it('clears its line when the caller reports the end itself', () => {
    const { line, written } = fakeLine({ mode: 'tty' });
    line.stop();
    line.tick();
    expect(written.at(-1)).toBe('\r\x1b[K');
  });
});

describe('progress in CI', () => {
  it('writes whole lines, at most one per interval, however much output the step makes', () => {
    const { line, written, advance } = fakeLine({
      mode: 'plain',
      tracking: GO_INSTALL_TRACKING,
      intervalMs: 15_000,
    });
    for (let i = 0; i < 300; i += 1) {
      advance(100);
      line.observe(`go: downloading example.com/m${i} v1.0.0`);
    }
    line.done('built in');

    expect(written.every((w) => w.endsWith('\n') && !w.includes('\r'))).toBe(true);
    expect(written).toEqual([
      'Temporal CLI: building (go install …) 0s\n',
      'Temporal CLI: downloading modules (go install) 15s, 150 modules downloaded\n',
      'Temporal CLI: downloading modules (go install) 30s, 300 modules downloaded\n',
      'Temporal CLI: built in 30s, 300 modules downloaded\n',
    ]);
  });

  it('says nothing of a short wait, and shows a long one once per interval', () => {
    const { line, written, advance } = fakeLine({
      mode: 'plain',
      label: 'neo4j',
      activity: 'starting',
      announce: false,
      intervalMs: 15_000,
    });
    advance(3_000);
    line.tick();
    expect(written).toEqual([]);
    advance(12_000);
    line.tick();
    advance(1_000);
    line.tick();
    line.stop();
    expect(written).toEqual(['neo4j: starting 15s\n']);
  });
});

describe('go install output', () => {
  it('counts downloaded modules and compiled packages, not errors', () => {
    const { line } = fakeLine({ mode: 'plain', tracking: GO_INSTALL_TRACKING, announce: false });
    for (const text of [
      'go: downloading github.com/temporalio/cli v1.5.1',
      'go: downloading go.temporal.io/sdk v1.35.0',
      'internal/goarch',
      'github.com/temporalio/cli/temporalcli',
      '# github.com/temporalio/cli/temporalcli',
      'temporalcli/commands.go:12:2: undefined: x',
    ])
      line.observe(text);
    expect(line.line()).toBe(
      'Temporal CLI: compiling (go install) 0s, 2 modules downloaded, 2 packages compiled',
    );
  });
});

describe('line splitter', () => {
  it('gives whole lines from chunks cut anywhere, and the last line without its end', () => {
    const lines: string[] = [];
    const split = lineSplitter((l) => lines.push(l));
    split.push('go: down');
    split.push('loading a v1\r\ngo: downloading b v2\nlast');
    split.end();
    expect(lines).toEqual(['go: downloading a v1', 'go: downloading b v2', 'last']);
  });
});

describe('a set-up step with progress', () => {
  it('keeps its output in a log file, and its failure names that log and shows its end', async () => {
    const log = `progress-test-${randomBytes(3).toString('hex')}`;
    try {
      const failure = runCommand(
        'sh',
        ['-c', 'echo "go: downloading example.com/a v1"; echo "missing go.sum entry" >&2; exit 2'],
        {
          what: 'Building the tool',
          progress: {
            label: 'Tool',
            activity: 'building',
            done: 'built',
            log,
            tracking: GO_INSTALL_TRACKING,
          },
        },
      );
      await expect(failure).rejects.toThrow(SetupError);
      await expect(failure).rejects.toThrow(
        new RegExp(
          `Building the tool failed after \\d+s \\(sh exited with 2\\)\\. Last lines of ${logFile(log).replace(/[.]/g, '\\.')}:\\n[\\s\\S]*missing go\\.sum entry\\nFull output: `,
        ),
      );
      expect(readFileSync(logFile(log), 'utf8')).toContain('go: downloading example.com/a v1\n');
    } finally {
      rmSync(logFile(log), { force: true });
    }
  });
});

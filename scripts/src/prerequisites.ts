import { spawnSync } from 'node:child_process';
import { SetupError } from './processes';

interface Tool {
  command: string;
  versionArgs: string[];
  /** What the tool is needed for, in the error message. */
  purpose: string;
  install: string;
  /** Checks the version output; returns a problem or null. */
  check?: (output: string) => string | null;
}

export const JAVA: Tool = {
  command: 'java',
  versionArgs: ['-version'],
  purpose: 'to run the embedded Neo4j 5.26 server',
  install:
    'install a Java 17 (or newer) runtime, for example: apt-get install openjdk-17-jdk-headless',
  check: (output) => {
    const match = /version "(\d+)/.exec(output);
    const major = match ? Number(match[1]) : 0;
    return major >= 17
      ? null
      : `Java 17 or newer is needed, found ${match?.[1] ?? 'an unknown version'}`;
  },
};

export const MAVEN: Tool = {
  command: 'mvn',
  versionArgs: ['-v'],
  purpose: 'to fetch Neo4j from Maven Central and build its launcher',
  install: 'install Apache Maven 3.8 or newer, for example: apt-get install maven',
};

export const GO: Tool = {
  command: 'go',
  versionArgs: ['version'],
  purpose: 'to build the Temporal CLI dev server (go install)',
  install:
    'install Go 1.23 or newer, for example from https://go.dev/dl or: apt-get install golang',
};

/** Fails with one message naming every missing tool, what it is for and how to install it. */
export function requireTools(tools: Tool[]): void {
  const problems: string[] = [];
  for (const tool of tools) {
    const result = spawnSync(tool.command, tool.versionArgs, { encoding: 'utf8' });
    if (result.error || result.status !== 0) {
      problems.push(
        `${tool.command} was not found; it is needed ${tool.purpose}. To fix: ${tool.install}.`,
      );
      continue;
    }
    const problem = tool.check?.(`${result.stdout}${result.stderr}`);
    if (problem) problems.push(`${tool.command}: ${problem}. To fix: ${tool.install}.`);
  }
  if (problems.length > 0) {
    throw new SetupError(`Missing prerequisites:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './paths';

/** Every workspace folder, expanding the `dir/*` patterns of the root package.json. */
function workspaces(): string[] {
  const { workspaces: patterns } = JSON.parse(
    readFileSync(path.join(ROOT, 'package.json'), 'utf8'),
  ) as {
    workspaces: string[];
  };
  return patterns.flatMap((pattern) =>
    pattern.endsWith('/*')
      ? readdirSync(path.join(ROOT, pattern.slice(0, -2)))
          .map((name) => `${pattern.slice(0, -2)}/${name}`)
          .filter((dir) => existsSync(path.join(ROOT, dir, 'package.json')))
      : [pattern],
  );
}

// No Docker engine runs where the tests do, so this guards the one part of the image build
// that silently goes stale: npm ci in the image needs every workspace manifest.
describe('the Dockerfile', () => {
  it('copies every workspace package.json before npm ci', () => {
    const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    const missing = workspaces().filter(
      (dir) => !dockerfile.includes(`COPY ${dir}/package.json ${dir}/`),
    );
    expect(missing).toEqual([]);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launcherCommand, LAUNCHER_JAR, loadNeo4jProfiles } from './neo4j-profiles';

describe('the Neo4j launcher profiles', () => {
  it('the committed file names a profile in use and a baseline', () => {
    const profiles = loadNeo4jProfiles();
    expect(profiles.all.map((p) => p.name)).toContain(profiles.use.name);
    expect(profiles.all.map((p) => p.name)).toContain(profiles.baseline.name);
    const { args, env } = launcherCommand(profiles.use);
    expect(args.slice(-2)).toEqual(['-jar', LAUNCHER_JAR]);
    expect(env['NEO4J_PAGECACHE']).toBe(profiles.use.pageCache);
  });

  it('a mistake in the file names the file and the field', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'profiles-'));
    const file = path.join(dir, 'profiles.json');
    try {
      const profile = { description: 'x', jvm: ['-Xmx1g'], pageCache: 'lots' };
      writeFileSync(file, JSON.stringify({ use: 'a', baseline: 'b', profiles: { a: profile } }));
      expect(() => loadNeo4jProfiles(file)).toThrow(
        `${file} is not valid: profiles.a.pageCache: a size such as 512m or 2g`,
      );
      writeFileSync(
        file,
        JSON.stringify({
          use: 'a',
          baseline: 'b',
          profiles: { a: { ...profile, pageCache: '1g' } },
        }),
      );
      expect(() => loadNeo4jProfiles(file)).toThrow('baseline: "baseline" names no profile');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The launcher's JVM and page-cache profiles (services/neo4j-launcher/profiles.json): which one
 * `npm start` and `npm test` run Neo4j with, and the one the `neo4j-settings` benchmark measures
 * the others against.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ROOT } from './paths';

export const LAUNCHER_DIR = path.join(ROOT, 'services', 'neo4j-launcher');
export const LAUNCHER_JAR = path.join(LAUNCHER_DIR, 'target', 'neo4j-launcher.jar');
const PROFILES_FILE = path.join(LAUNCHER_DIR, 'profiles.json');

const profileSchema = z.object({
  description: z.string().min(1),
  /** Options for `java` before `-jar`; each one starts with `-`. */
  jvm: z.array(z.string().regex(/^-/, 'a JVM option starts with "-"')),
  /** NEO4J_PAGECACHE for the launcher, such as 512m. */
  pageCache: z.string().regex(/^\d+[kmg]?$/i, 'a size such as 512m or 2g'),
});
export type Neo4jProfile = z.infer<typeof profileSchema> & { name: string };

const fileSchema = z
  .object({
    $comment: z.string().optional(),
    use: z.string(),
    baseline: z.string(),
    profiles: z.record(z.string(), profileSchema),
  })
  .refine((f) => f.use in f.profiles, { message: '"use" names no profile', path: ['use'] })
  .refine((f) => f.baseline in f.profiles, {
    message: '"baseline" names no profile',
    path: ['baseline'],
  });

export interface Neo4jProfiles {
  use: Neo4jProfile;
  baseline: Neo4jProfile;
  all: Neo4jProfile[];
}

/** Reads and checks profiles.json; a mistake in it throws naming the file and the field. */
export function loadNeo4jProfiles(file = PROFILES_FILE): Neo4jProfiles {
  const parsed = fileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join('.') || '(file)'}: ${i.message}`,
    );
    throw new Error(`${file} is not valid: ${problems.join('; ')}`);
  }
  const all = Object.entries(parsed.data.profiles).map(([name, p]) => ({ name, ...p }));
  const byName = (name: string) => all.find((p) => p.name === name) as Neo4jProfile;
  return { use: byName(parsed.data.use), baseline: byName(parsed.data.baseline), all };
}

/** The `java` arguments and launcher environment that run Neo4j with `profile`. */
export function launcherCommand(profile: Neo4jProfile): {
  args: string[];
  env: Record<string, string>;
} {
  return {
    args: [...profile.jvm, '-jar', LAUNCHER_JAR],
    env: { NEO4J_PAGECACHE: profile.pageCache },
  };
}

/**
 * The rights table and the field rules as Markdown, for the README (`npm run rights` writes it
 * between the `rights` markers; a unit test fails while the README is stale).
 */
import { ADMINS, CARE, EVERYONE, FIELD_RULES, PERSONAL, type Audience } from './fields';
import { RIGHTS_TABLE } from './rights';

export const README_MARKERS = ['<!-- rights:start -->', '<!-- rights:end -->'] as const;

const list = (items: readonly string[]) =>
  items.length === 0 ? '—' : items.map((i) => `\`${i}\``).join(', ');

function audience(rule: readonly Audience[]): string {
  const same = (a: readonly Audience[]) =>
    a.length === rule.length && a.every((x) => rule.includes(x));
  if (same(EVERYONE)) return 'everyone who reaches the object';
  if (same(PERSONAL)) return 'the person themselves, support, experts';
  if (same(CARE)) return 'support, experts';
  if (same(ADMINS)) return 'admins only';
  return rule.join(', ');
}

/** The README section: one row per principal, then every field rule that is not "everyone". */
export function renderRights(): string {
  const rows = RIGHTS_TABLE.map(
    ({ principal, rights }) =>
      `| ${principal} | ${rights.describe} | ${list(rights.queries)} | ${list(rights.mutations)} | ${list(rights.events)} | ${list(rights.linkNamespaces)} | ${rights.reach} |`,
  );
  const restricted = Object.entries(FIELD_RULES).flatMap(([type, fields]) =>
    Object.entries(fields)
      .filter(([, rule]) => rule.length !== EVERYONE.length)
      .map(([field, rule]) => `| \`${type}.${field}\` | ${audience(rule)} |`),
  );
  return [
    '| principal | what it is | queries | mutations | event kinds | links identifiers by | reach |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    'Fields readable by fewer than everyone who reaches their object (admins and services read every field):',
    '',
    '| field | who may read it |',
    '| --- | --- |',
    ...restricted,
  ].join('\n');
}

/** The README with its rights section replaced by the current rendering. */
export function withRenderedRights(readme: string): string {
  const [start, end] = README_MARKERS;
  const a = readme.indexOf(start);
  const b = readme.indexOf(end);
  if (a < 0 || b < a) throw new Error(`The README has no ${start} … ${end} section`);
  return `${readme.slice(0, a + start.length)}\n${renderRights()}\n${readme.slice(b)}`;
}

/**
 * The access rules cover the schema: every root field is in the rights table and every field of
 * every object type has a field rule, and neither table names something the schema lacks. Run by
 * the build (`npm run access:check`) and by the unit tests, so a new field cannot ship without a
 * decision about who may read it.
 */
import { Supergraph } from '@apollo/federation-internals';
import { FIELD_RULES, MUTATION_FIELDS, QUERY_FIELDS } from '@experience-graph/access';
import { isObjectType } from 'graphql';

/** What the access tables miss or name in vain, one line each; empty when they cover the schema. */
export function accessCoverageProblems(supergraphSdl: string): string[] {
  const schema = Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
  const problems: string[] = [];
  const roots: Array<[string, readonly string[]]> = [
    ['Query', QUERY_FIELDS],
    ['Mutation', MUTATION_FIELDS],
  ];
  for (const [root, listed] of roots) {
    const type = schema.getType(root);
    const fields = type && isObjectType(type) ? Object.keys(type.getFields()) : [];
    for (const f of fields) {
      if (!listed.includes(f))
        problems.push(
          `${root}.${f} has no row in the rights table (packages/access/src/rights.ts)`,
        );
    }
    for (const f of listed) {
      if (!fields.includes(f))
        problems.push(`${root}.${f} is in the rights table but not in the schema`);
    }
  }
  const seen = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (
      !isObjectType(type) ||
      type.name.startsWith('_') ||
      type.name === 'Query' ||
      type.name === 'Mutation'
    )
      continue;
    seen.add(type.name);
    const rules = FIELD_RULES[type.name] ?? {};
    const fields = Object.keys(type.getFields());
    for (const f of fields) {
      if (!(f in rules))
        problems.push(`${type.name}.${f} has no field rule (packages/access/src/fields.ts)`);
    }
    for (const f of Object.keys(rules)) {
      if (!fields.includes(f))
        problems.push(`${type.name}.${f} has a field rule but is not in the schema`);
    }
  }
  for (const name of Object.keys(FIELD_RULES)) {
    if (!seen.has(name))
      problems.push(`${name} has field rules but is not an object type of the schema`);
  }
  return problems;
}

/**
 * The API schema that operations are written against: what the gateway serves, derived from the
 * committed supergraph with its federation internals (join types, `@inaccessible` fields)
 * removed. Used by codegen and by the test that validates every operation; not part of the
 * package's browser entry.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { printSchema, type GraphQLSchema } from 'graphql';

/** The committed supergraph, relative to this package's folder. */
export const SUPERGRAPH_FILE = path.join('..', '..', 'schema', 'supergraph.graphql');

/** The API schema of a supergraph given as SDL. */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
}

/** The API schema of the committed supergraph, read from `packageDir` (this package's folder). */
export function apiSchema(packageDir: string): GraphQLSchema {
  return apiSchemaOf(readFileSync(path.join(packageDir, SUPERGRAPH_FILE), 'utf8'));
}

/** The same, printed as SDL: what codegen is given. */
export function apiSchemaSdl(packageDir: string): string {
  return printSchema(apiSchema(packageDir));
}

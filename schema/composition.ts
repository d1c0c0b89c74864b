import { readFileSync } from 'node:fs';
import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';

/** The subgraphs of the supergraph and where their SDL lives, in a stable order. */
export const SUBGRAPHS = [
  {
    name: 'products',
    file: 'subgraphs/products/src/schema.graphql',
    url: 'http://127.0.0.1:4001/graphql',
  },
  {
    name: 'customers',
    file: 'subgraphs/customers/src/schema.graphql',
    url: 'http://127.0.0.1:4002/graphql',
  },
  {
    name: 'campaigns',
    file: 'subgraphs/campaigns/src/schema.graphql',
    url: 'http://127.0.0.1:4003/graphql',
  },
] as const;

const ROOT = path.join(__dirname, '..');

/** The committed supergraph that the gateway serves. */
export const SUPERGRAPH_PATH = path.join(__dirname, 'supergraph.graphql');

export type CompositionResult =
  { ok: true; supergraphSdl: string } | { ok: false; errors: string[] };

/**
 * Composes the current subgraph SDL files. The URLs recorded are the local defaults; the
 * gateway takes the real ones from its configuration.
 */
export function composeSupergraph(root: string = ROOT): CompositionResult {
  const result = composeServices(
    SUBGRAPHS.map((s) => ({
      name: s.name,
      url: s.url,
      typeDefs: parse(readFileSync(path.join(root, s.file), 'utf8')),
    })),
  );
  if (result.errors) return { ok: false, errors: result.errors.map((e) => e.message) };
  return { ok: true, supergraphSdl: result.supergraphSdl };
}

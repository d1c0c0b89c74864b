import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';

/** The subgraphs of the supergraph and where their SDL lives, in a stable order. */
export const SUBGRAPHS = [
  {
    name: 'products',
    dir: 'subgraphs/products/src',
    url: 'http://127.0.0.1:4001/graphql',
  },
  {
    name: 'customers',
    dir: 'subgraphs/customers/src',
    url: 'http://127.0.0.1:4002/graphql',
  },
  {
    name: 'campaigns',
    dir: 'subgraphs/campaigns/src',
    url: 'http://127.0.0.1:4003/graphql',
  },
] as const;

const ROOT = path.join(__dirname, '..');

/** A subgraph's SDL: its `*.graphql` files under its source folder, in a stable order. */
function sdlOf(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => readFileSync(path.join(dir, file), 'utf8'))
    .join('\n');
}

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
      typeDefs: parse(sdlOf(path.join(root, s.dir))),
    })),
  );
  if (result.errors) return { ok: false, errors: result.errors.map((e) => e.message) };
  return { ok: true, supergraphSdl: result.supergraphSdl };
}

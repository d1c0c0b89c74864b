import { channel, subscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

/**
 * The JavaScript driver (5.28) leaves Nagle's algorithm on for its Bolt sockets, unlike the
 * Python and Rust drivers, which set TCP_NODELAY. A statement whose message is larger than the
 * driver's 1,400-byte chunks (a batch's rows) then goes out in pieces, the later pieces held back
 * until the server acknowledges the first, which Linux delays by up to 40 ms: measured on the
 * intake's writes, a 25-row statement took 55 ms instead of 17 ms, and a batch runs eight of them.
 *
 * Node tells of every client socket it creates (the `net.client.socket` diagnostics channel);
 * those that connect to a Bolt port named here get TCP_NODELAY once connected. Other sockets of
 * the process are left as they are.
 */
const CHANNEL = 'net.client.socket';
const STATE = Symbol.for('experience-graph.bolt-no-delay');

interface BoltNoDelay {
  /** The ports whose sockets get TCP_NODELAY. */
  readonly ports: Set<number>;
  /** Whether the process listens on the channel yet. */
  subscribed: boolean;
}

/**
 * The ports and the subscription belong to the process, not to this module: a module loaded more
 * than once (Jest loads it afresh for each test file) would otherwise subscribe once per load and
 * give every socket one 'connect' listener per load. They are kept on the channel object, which
 * Node's `net` holds for the life of the process and which every load (and every Jest context,
 * whose `globalThis` differs) reaches under the same name.
 */
function state(): BoltNoDelay {
  const holder = channel(CHANNEL) as object as { [STATE]?: BoltNoDelay };
  holder[STATE] ??= { ports: new Set<number>(), subscribed: false };
  return holder[STATE];
}

/** The port of a `bolt://`, `neo4j://` (or `+s`, `+ssc`) URI; 7687 when it names none. */
export function boltPortOf(uri: string): number | null {
  try {
    const url = new URL(uri);
    if (!/^(bolt|neo4j)(\+s|\+ssc)?:$/.test(url.protocol)) return null;
    return url.port === '' ? 7687 : Number(url.port);
  } catch {
    return null;
  }
}

/** Sockets the process opens to `uri`'s port from now on send without Nagle's delay. */
export function sendBoltWithoutDelay(uri: string): void {
  const port = boltPortOf(uri);
  if (port === null) return;
  const shared = state();
  shared.ports.add(port);
  if (shared.subscribed) return;
  shared.subscribed = true;
  const { ports } = shared;
  subscribe(CHANNEL, (message) => {
    const { socket } = message as { socket: Socket };
    socket.once('connect', () => {
      if (socket.remotePort !== undefined && ports.has(socket.remotePort)) {
        socket.setNoDelay(true);
      }
    });
  });
}

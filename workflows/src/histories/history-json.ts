/**
 * History JSON (proto3 JSON of `temporal.api.history.v1.History`, as `temporal workflow show
 * --output json` writes it) to and from the SDK's History objects.
 *
 * Not `historyToJSON`/`historyFromJSON` of `@temporalio/common`: in this tree each `@temporalio`
 * package has its own copy of protobufjs 8 (the root holds protobufjs 7 for other packages), and
 * those functions hand types built by `@temporalio/proto`'s copy to the ProtoJSON code of
 * `@temporalio/common`'s copy, whose `instanceof Type` check then fails ("type must be a Type").
 * Here the ProtoJSON code is the one of the protobufjs that `@temporalio/proto` itself loads,
 * wherever npm put it.
 */
import { createRequire } from 'node:module';
import { temporal } from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import * as proto from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }): unknown;
}

const protojson = createRequire(require.resolve('@temporalio/proto'))(
  'protobufjs/ext/protojson',
) as ProtoJson;
const historyType = (
  patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }
).lookupType('temporal.api.history.v1.History');

/** A history as History JSON text, indented, one field a line. */
export function historyToJson(history: History): string {
  const message = temporal.api.history.v1.History.fromObject(history);
  return JSON.stringify(protojson.toJson(historyType, message), null, 2);
}

/**
 * Parses History JSON into the History object the replayer takes. Fields it does not know (a
 * newer server's) are ignored, as the SDK does.
 */
export function historyFromJson(json: unknown): temporal.api.history.v1.History {
  const parsed = protojson.fromJson(historyType, json, { ignoreUnknownFields: true });
  if (parsed === null || typeof parsed !== 'object') throw new TypeError('Invalid history JSON');
  return temporal.api.history.v1.History.fromObject(parsed as Record<string, unknown>);
}

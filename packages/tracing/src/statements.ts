import { context, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';

/**
 * Spans of Neo4j statements. opentelemetry-js-contrib has no instrumentation of neo4j-driver,
 * so these are made by hand with the OpenTelemetry API and the database semantic conventions:
 * the one exception to using official instrumentations. Parameter values are never recorded
 * (they hold personal data); the statement text is, since all Cypher here is parameterised and
 * carries no values of its own.
 */
const tracer = trace.getTracer('@experience-graph/neo4j');

/**
 * The first clause of a statement (MATCH, OPTIONAL MATCH, MERGE, UNWIND, CALL, ...): its operation
 * name, past comments and a `CYPHER` options prefix.
 */
const FIRST_CLAUSE =
  /^\s*(?:(?:\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)\s*)*(?:CYPHER(?:\s+(?:\d+(?:\.\d+)?|[\w.]+=[\w.]+))*\s+)?(OPTIONAL\s+MATCH|[A-Za-z]+)/i;

export function cypherOperation(cypher: string): string {
  const clause = FIRST_CLAUSE.exec(cypher)?.[1];
  return clause ? clause.toUpperCase().replace(/\s+/, ' ') : 'CYPHER';
}

/** A statement as the graph wrapper runs it: its text (never its parameters) and its mode. */
export interface TracedStatement {
  cypher: string;
  /** A read or a write in a transaction of its own, or one statement of a larger transaction. */
  mode: 'read' | 'write' | 'transaction';
}

/**
 * Runs one statement inside a client span named by its operation and database. A statement with
 * no trace around it (the relay's idle polls, migrations) starts none: only statements that are
 * part of a request, a delivery or an activity are traced, and with tracing off this is one
 * lookup of the active context.
 */
export function traceStatement<T>(
  database: string,
  statement: TracedStatement,
  run: () => Promise<T>,
): Promise<T> {
  if (trace.getSpan(context.active()) === undefined) return run();
  const { cypher, mode } = statement;
  const operation = cypherOperation(cypher);
  const attributes: Attributes = {
    'db.system.name': 'neo4j',
    // The name before semantic conventions 1.26, still what many back-ends group by.
    'db.system': 'neo4j',
    'db.namespace': database,
    'db.operation.name': operation,
    'db.query.text': cypher.trim(),
    'db.neo4j.mode': mode,
  };
  return tracer.startActiveSpan(
    `${operation} ${database}`,
    { kind: SpanKind.CLIENT, attributes },
    async (span) => {
      try {
        return await run();
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        span.setAttribute('error.type', typeof code === 'string' ? code : 'Error');
        // No message: a constraint violation's names the values it clashed on.
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/**
 * Tracing's configuration: the standard OpenTelemetry variables (OTEL_*), read once by the
 * process's first import (`register.ts`) and validated here, since tracing must be set up before
 * the modules it instruments load, and so before `loadConfig` runs in `main.ts`.
 */
import { z } from 'zod';

/**
 * Invalid OTEL_* variables, each named. Not `@experience-graph/config`'s ConfigError, though
 * worded the same: loading that package loads graphql, which must wait until the graphql
 * instrumentation is registered.
 */
export class TracingConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Where finished spans go: nowhere (the default), an OTLP receiver, or standard output. */
export const TRACES_EXPORTERS = ['none', 'otlp', 'console'] as const;
export type TracesExporter = (typeof TRACES_EXPORTERS)[number];

/** The OTLP encodings over HTTP this project sends; gRPC is not offered (one transport less). */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** The samplers of the OpenTelemetry specification's OTEL_TRACES_SAMPLER. */
export const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type SamplerName = (typeof SAMPLERS)[number];

export interface TracingConfig {
  exporter: TracesExporter;
  /** The OTLP receiver's traces URL (ending in /v1/traces unless given in full) and encoding. */
  otlp: { url: string; protocol: OtlpProtocol };
  /** OTEL_SERVICE_NAME; when unset, each process names itself. */
  serviceName: string | null;
  sampler: { name: SamplerName; ratio: number };
}

const httpUrl = z
  .string()
  .url()
  .refine((value) => /^https?:\/\//.test(value), {
    message: 'must start with http:// or https://',
  });

const schema = z.object({
  OTEL_SDK_DISABLED: z.enum(['true', 'false']).default('false'),
  OTEL_TRACES_EXPORTER: z
    .enum(TRACES_EXPORTERS, {
      message: `must be one of ${TRACES_EXPORTERS.join(', ')} (one exporter at a time)`,
    })
    .default('none'),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl.default('http://localhost:4318'),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl.optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z
    .enum(OTLP_PROTOCOLS, { message: `must be ${OTLP_PROTOCOLS.join(' or ')}` })
    .default('http/protobuf'),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z
    .enum(OTLP_PROTOCOLS, { message: `must be ${OTLP_PROTOCOLS.join(' or ')}` })
    .optional(),
  OTEL_SERVICE_NAME: z.string().min(1).max(200).optional(),
  OTEL_TRACES_SAMPLER: z
    .enum(SAMPLERS, { message: `must be one of ${SAMPLERS.join(', ')}` })
    .default('parentbased_always_on'),
  OTEL_TRACES_SAMPLER_ARG: z.coerce
    .number()
    .min(0, 'must be between 0 and 1')
    .max(1, 'must be between 0 and 1')
    .default(1),
});

/**
 * Parses the OTEL_* variables this project honours. Off unless OTEL_TRACES_EXPORTER names an
 * exporter (the specification's default is otlp; ours is none, so nothing is sent anywhere
 * unless asked). A per-signal endpoint is used as given; the generic one gets `/v1/traces`.
 */
export function loadTracingConfig(env: Record<string, string | undefined>): TracingConfig {
  const present = Object.fromEntries(
    Object.entries(env).filter(
      ([name, value]) => name.startsWith('OTEL_') && value !== undefined && value !== '',
    ),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new TracingConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join('.');
        const got = name in present ? ` (got ${JSON.stringify(present[name])})` : '';
        return `${name}: ${issue.message}${got}`;
      }),
    );
  }
  const e = parsed.data;
  const url =
    e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    `${e.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
  return {
    exporter: e.OTEL_SDK_DISABLED === 'true' ? 'none' : e.OTEL_TRACES_EXPORTER,
    otlp: { url, protocol: e.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? e.OTEL_EXPORTER_OTLP_PROTOCOL },
    serviceName: e.OTEL_SERVICE_NAME ?? null,
    sampler: { name: e.OTEL_TRACES_SAMPLER, ratio: e.OTEL_TRACES_SAMPLER_ARG },
  };
}

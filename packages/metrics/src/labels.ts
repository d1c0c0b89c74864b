import type { Principal } from '@experience-graph/access';

/** What a value folds to once a label has seen as many distinct values as it may keep. */
export const OTHER = 'other';

/**
 * A label whose values come from outside (operation names, client ids, error codes): it keeps
 * the first `max` distinct values it sees and folds every later one into {@link OTHER}, so no
 * client can grow the number of series without bound. Values longer than `maxLength` or with
 * characters outside `allowed` fold too.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(
    private readonly max: number,
    private readonly allowed: RegExp = /^[A-Za-z0-9_:+.-]{1,100}$/,
  ) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`A label keeps at least 1 value`);
  }

  value(raw: string): string {
    if (this.seen.has(raw)) return raw;
    if (!this.allowed.test(raw) || this.seen.size >= this.max) return OTHER;
    this.seen.add(raw);
    return raw;
  }

  /** How many distinct values it keeps now. */
  get size(): number {
    return this.seen.size;
  }
}

/**
 * How a principal appears in metrics: an API-key client by its registered id
 * (`service:local`, `partner:demo-retailer`), an employee by their roles (`employee:admin`,
 * `employee:expert+support`), a person only as `person`: never who they are, since person and
 * employee ids are unbounded and personal. No principal (refused before authentication) is
 * `anonymous`.
 */
export function principalLabel(principal: Principal | undefined | null): string {
  if (!principal) return 'anonymous';
  switch (principal.kind) {
    case 'service':
      return `service:${principal.id}`;
    case 'partner':
      return `partner:${principal.id}`;
    case 'employee':
      return `employee:${[...new Set(principal.roles)].sort().join('+')}`;
    case 'person':
      return 'person';
  }
}

/** The operation label of a request whose document did not parse or validate. */
export const INVALID_OPERATION = 'invalid';
/** The operation label of an operation without a name. */
export const ANONYMOUS_OPERATION = 'anonymous';

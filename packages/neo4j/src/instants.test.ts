import { isoInstant } from './instants';

describe('isoInstant', () => {
  it.each([
    ['2026-11-22T09:30:24.46Z', '2026-11-22T09:30:24.460Z'],
    ['2026-11-22T09:30:24Z', '2026-11-22T09:30:24.000Z'],
    ['2026-11-22T09:30:24.4Z', '2026-11-22T09:30:24.400Z'],
    ['2026-11-22T09:30:24.460123456Z', '2026-11-22T09:30:24.460Z'],
    ['2026-11-22T10:30:24.460+01:00', '2026-11-22T09:30:24.460Z'],
  ])('prints Cypher’s %s as %s', (raw, printed) => {
    expect(isoInstant(raw)).toBe(printed);
  });

  it('prints a Date the same way', () => {
    expect(isoInstant(new Date(Date.UTC(2026, 10, 22, 9, 30, 24, 460)))).toBe(
      '2026-11-22T09:30:24.460Z',
    );
  });

  it('refuses what is not an instant', () => {
    expect(() => isoInstant('yesterday')).toThrow('Not an instant: "yesterday"');
  });
});

import { anonymousEventId, erasedKeyHash, erasureIdOf } from './erasure-keys';

describe('erasure keys', () => {
  const salt = 'a-secret-salt';

  it('are stable for the same salt and key, so retries of an erasure agree', () => {
    expect(erasedKeyHash(salt, 'identifier', 'email:ana@example.com')).toBe(
      erasedKeyHash(salt, 'identifier', 'email:ana@example.com'),
    );
    expect(anonymousEventId(salt, 'ev-1')).toBe(anonymousEventId(salt, 'ev-1'));
  });

  it('hold neither the key nor anything testable without the salt', () => {
    const hash = erasedKeyHash(salt, 'customer', 'ana');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain('ana');
    expect(erasedKeyHash('another-salt', 'customer', 'ana')).not.toBe(hash);
  });

  it('keep a customer id apart from an identifier key that is the same string', () => {
    expect(erasedKeyHash(salt, 'customer', 'ana')).not.toBe(
      erasedKeyHash(salt, 'identifier', 'ana'),
    );
  });

  it("name an erasure by its customer's tombstone hash", () => {
    expect(erasureIdOf(salt, 'ana')).toBe(erasedKeyHash(salt, 'customer', 'ana'));
  });

  it('give anonymous event ids that are marked, unique per event and free of the client id', () => {
    const id = anonymousEventId(salt, 'ana-purchase-1');
    expect(id).toMatch(/^erased:[0-9a-f]{32}$/);
    expect(id).not.toContain('ana');
    expect(anonymousEventId(salt, 'ana-purchase-2')).not.toBe(id);
  });
});

import fc from 'fast-check';
import { eachBounded, keyPageCondition, prefixEnd } from './key-pages';

describe('prefixEnd', () => {
  it('is above every string with the prefix and above no other string that follows it', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 6 }),
        fc.string({ maxLength: 6 }),
        fc.string({ maxLength: 6 }),
        (prefix, tail, other) => {
          const end = prefixEnd(prefix);
          if (end === null) return;
          expect(prefix + tail < end).toBe(true);
          // Anything at or above the prefix and below its end starts with it.
          if (other >= prefix && other < end) expect(other.startsWith(prefix)).toBe(true);
        },
      ),
    );
  });

  it('gives no end for everyone, or for a prefix whose last character cannot be incremented', () => {
    expect(prefixEnd('')).toBeNull();
    expect(prefixEnd('a\uffff')).toBeNull();
    expect(prefixEnd('a\ud83d')).toBeNull();
    expect(prefixEnd('bench-1-')).toBe('bench-1.');
  });
});

describe('keyPageCondition', () => {
  it('is a bounded range, or open at the end only for everyone', () => {
    expect(keyPageCondition('c', 'id', { from: 'a', to: 'b', prefix: '' })).toBe(
      'c.id >= $from AND c.id < $to',
    );
    expect(keyPageCondition('c', 'id', { from: 'a', to: null, prefix: '' })).toBe('c.id >= $from');
    expect(keyPageCondition('c', 'id', { from: 'a\uffff', to: null, prefix: 'a\uffff' })).toBe(
      'c.id >= $from AND c.id STARTS WITH $prefix',
    );
  });
});

describe('eachBounded', () => {
  it('starts no item after a failure and throws it once the started ones settle', async () => {
    const started: number[] = [];
    let settled = 0;
    const failure = eachBounded([0, 1, 2, 3, 4, 5], 2, async (item) => {
      started.push(item);
      await new Promise((resolve) => setImmediate(resolve));
      settled++;
      if (item === 1) throw new Error('item 1 failed');
    });
    await expect(failure).rejects.toThrow('item 1 failed');
    expect(started).toEqual([0, 1, 2]);
    expect(settled).toBe(started.length);
  });

  it('does nothing for no items', async () => {
    await expect(eachBounded([], 4, () => Promise.reject(new Error('called')))).resolves.toBe(
      undefined,
    );
  });
});

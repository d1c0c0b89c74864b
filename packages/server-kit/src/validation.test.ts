import { optionalText, text } from './validation';

const problem = (value: string) => {
  const parsed = text(50).safeParse(value);
  return parsed.success ? null : parsed.error.issues.map((i) => i.message).join('; ');
};

describe('text', () => {
  it('keeps ordinary text, emoji, tabs and line breaks, trimmed', () => {
    expect(text(50).parse('  Ana Díaz 🖨️  ')).toBe('Ana Díaz 🖨️');
    expect(text(50).parse('two\nlines\tand a tab\r\n')).toBe('two\nlines\tand a tab');
    expect(problem('漢字 and 𝄞')).toBeNull();
  });

  it.each([
    ['Ana\u0000', 'must not contain control characters (U+0000 at position 3)'],
    ['a\u001bb', 'must not contain control characters (U+001B at position 1)'],
    ['x\u007f', 'must not contain control characters (U+007F at position 1)'],
    ['\u0085next', 'must not contain control characters (U+0085 at position 0)'],
  ])('refuses control characters: %j', (value, message) => {
    expect(problem(value)).toBe(message);
  });

  it.each([
    ['bad \ud83d', 'must be valid Unicode: an unpaired surrogate U+D83D at position 4'],
    ['\ude00 tail', 'must be valid Unicode: an unpaired surrogate U+DE00 at position 0'],
    ['\ude00\ud83d', 'must be valid Unicode: an unpaired surrogate U+DE00 at position 0'],
  ])('refuses unpaired surrogates: %j', (value, message) => {
    expect(problem(value)).toBe(message);
  });

  it('still says what is wrong with empty or long text', () => {
    expect(problem('   ')).toBe('must not be empty');
    expect(problem('x'.repeat(51))).toBe('must be at most 50 characters');
  });
});

describe('optionalText', () => {
  it('is null when absent or blank, and checks characters like text', () => {
    const schema = optionalText(20);
    expect(schema.parse(undefined)).toBeNull();
    expect(schema.parse('   ')).toBeNull();
    expect(schema.parse(' fine ')).toBe('fine');
    expect(schema.safeParse('nul\u0000').error?.issues[0]?.message).toBe(
      'must not contain control characters (U+0000 at position 3)',
    );
  });
});

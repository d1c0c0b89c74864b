import { readFileSync } from 'node:fs';
import path from 'node:path';
import { withRenderedRights } from './render';

describe('the README', () => {
  it('shows the current rights table and field rules (npm run rights writes them)', () => {
    const readme = readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    expect(withRenderedRights(readme)).toBe(readme);
  });
});

import { runsBrowserTests } from './browser';

describe('whether a test run needs the browser', () => {
  it('does for every tier, and for a selection that includes the end-to-end tier', () => {
    expect(runsBrowserTests([])).toBe(true);
    expect(runsBrowserTests(['test/e2e/console.e2e.test.ts'])).toBe(true);
    expect(runsBrowserTests(['--selectProjects', 'unit', 'e2e'])).toBe(true);
    expect(runsBrowserTests(['--selectProjects=integration,e2e'])).toBe(true);
  });

  it('does not when only other tiers are selected', () => {
    expect(runsBrowserTests(['--selectProjects', 'unit'])).toBe(false);
    expect(runsBrowserTests(['--selectProjects', 'unit', 'integration', '--ci'])).toBe(false);
    expect(runsBrowserTests(['--selectProjects=unit'])).toBe(false);
  });
});

/**
 * The console in a real browser (Debian's Chromium, driven by playwright-core) on the demo story:
 * an employee signs in, finds Ana's single view, her printer's lifecycle, her referral network
 * with Ben and the campaign's funnel, and an expert resolves the escalated intervention in the
 * queue, which then shows it closed. A screenshot of each page is written to
 * .data/screenshots/console/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import type { Page } from 'playwright-core';
import { createConsoleServer, WEB_DIST_DIR } from '@experience-graph/console';
import { listen, type RunningServer } from '@experience-graph/server-kit';
import { launchBrowser, type TestBrowser } from '../support/browser';
import { consoleStory, type ConsoleStory } from '../support/console-story';
import { startSystem, type TestSystem } from '../support/system';

jest.setTimeout(240_000);

const SCREENSHOTS = path.resolve(__dirname, '..', '..', '.data', 'screenshots', 'console');

describe('the console in a browser', () => {
  let system: TestSystem;
  let story: ConsoleStory;
  let server: RunningServer;
  let browser: TestBrowser;
  let page: Page;
  const employeeId = `e-console-${process.pid}`;

  beforeAll(async () => {
    if (!existsSync(path.join(WEB_DIST_DIR, 'index.html'))) {
      throw new Error(`The console is not built (${WEB_DIST_DIR}): run npm run build.`);
    }
    mkdirSync(SCREENSHOTS, { recursive: true });
    system = await startSystem({ timers: { confirmFixWithinMs: 3_000 } });
    story = consoleStory(system);
    await story.seed();
    server = await listen(
      createConsoleServer({
        gatewayUrl: system.gatewayUrl,
        staticDir: WEB_DIST_DIR,
        temporalUiUrl: system.config.temporal.uiUrl,
        temporalNamespace: system.config.temporal.namespace,
        // As in development: tokens signed with the key this system's gateway trusts.
        devTokens: (id, roles) => system.staffToken(id, roles),
        logger: pino({ level: 'silent' }),
      }),
      '127.0.0.1',
      0,
    );
    browser = await launchBrowser('console');
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await story?.remove();
    await system?.stop();
  });

  const shoot = async (name: string) => {
    const file = path.join(SCREENSHOTS, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  };
  const open = (to: string) => page.goto(`${server.url}${to}`);

  it('signs an employee in with the roles they choose, and comes back to the page asked for', async () => {
    await open(`/customers/${encodeURIComponent(story.ana.id)}`);
    await page.waitForURL(/\/sign-in\?next=/);
    await page.getByLabel('Employee id').fill(employeeId);
    // support, marketer and expert are chosen by default; admin is not.
    await expect(page.getByRole('checkbox', { name: /admin/ }).isChecked()).resolves.toBe(false);
    await shoot('sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`**/customers/${encodeURIComponent(story.ana.id)}`);
    await expect(page.getByTestId('signed-in-as').textContent()).resolves.toBe(
      `${employeeId} · support, marketer, expert`,
    );
  });

  it("shows a customer's single view: value, devices and their stages, journey across channels", async () => {
    await open(`/customers/${encodeURIComponent(story.ana.id)}`);
    await page.getByRole('heading', { level: 1, name: story.ana.name }).waitFor();
    const devices = page.getByRole('region', { name: 'Devices' });
    await devices.getByRole('row', { name: new RegExp(`${story.serial}.*SUPPORT`) }).waitFor();
    const timeline = page.getByTestId('timeline');
    for (const step of ['Ad impression', 'Ad click', 'Purchase', 'Delivery', 'Installation']) {
      await timeline.getByText(step, { exact: true }).first().waitFor();
    }
    await timeline.getByText(story.campaign.name).first().waitFor();
    // Her own purchase, and half of what Ben spent after her recommendation.
    await expect(page.getByTestId('value-total').textContent()).resolves.toBe('$298.50');
    await shoot('customer');
  });

  it("shows a device's lifecycle: stage, events, health with reasons, interventions, its workflow", async () => {
    await open(`/devices/${encodeURIComponent(story.serial)}`);
    await page.getByRole('heading', { level: 1, name: story.serial }).waitFor();
    await expect(
      page.getByTestId('stages').locator('[aria-current="step"]').textContent(),
    ).resolves.toBe('Support');
    // Its stage history, oldest first: from the purchase to the support it is in now.
    const history = await page.getByTestId('stage-history').locator('li .badge').allTextContents();
    expect(history[0]).toBe('PURCHASED');
    expect(history.at(-1)).toBe('SUPPORT');
    expect(history).toEqual(expect.arrayContaining(['DELIVERING', 'INSTALLING']));
    expect(new Set(history).size).toBe(history.length);
    const events = page.getByTestId('device-events');
    for (const step of ['Purchase', 'Shipment update', 'Delivery', 'Installation']) {
      await events.getByText(step, { exact: true }).waitFor();
    }
    await page.getByText('AT_RISK').first().waitFor();
    await page
      .getByTestId('health-reasons')
      .getByText(/^error rate rising/)
      .waitFor();
    // Every reading the device cloud sent (28 days, four a day), drawn as two lines.
    await expect(page.getByTestId('telemetry-chart').getAttribute('data-points')).resolves.toBe(
      String(2 * 112),
    );
    await page
      .getByTestId('device-interventions')
      .getByRole('row', { name: /Predicted failure.*ESCALATED/ })
      .waitFor();
    await expect(page.getByTestId('workflow-link').getAttribute('href')).resolves.toBe(
      `${system.config.temporal.uiUrl}/namespaces/${system.config.temporal.namespace}/workflows/device:${story.serial}`,
    );
    await shoot('device');
  });

  it('reads the latest telemetry readings of a device through the gateway, oldest first', async () => {
    const { device } = await system.data<{
      device: { telemetry: Array<{ at: string; pagesPrinted: number; inkLevel: number }> };
    }>(
      `query ($serial: ID!) { device(serial: $serial) { telemetry(last: 5) { at pagesPrinted inkLevel } } }`,
      {
        serial: story.serial,
      },
    );
    expect(device.telemetry).toHaveLength(5);
    const times = device.telemetry.map((r) => Date.parse(r.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // The last of them is the latest reading sent: within the last day.
    expect(Date.now() - (times.at(-1) ?? 0)).toBeLessThan(24 * 3600_000);
    expect(device.telemetry[0]?.pagesPrinted).toBe(40);
    const refused = await system.request(
      `query ($serial: ID!) { device(serial: $serial) { telemetry(last: 0) { at } } }`,
      { serial: story.serial },
    );
    expect(refused.errors?.[0]?.message).toMatch(/last: must be 1 to 1000/);
  });

  it('draws the referral network around a customer with each person’s value', async () => {
    await open(`/customers/${encodeURIComponent(story.ana.id)}/network`);
    const people = page.getByTestId('network-people');
    await people.getByRole('row', { name: new RegExp(`${story.ana.name}.*\\$298\\.50`) }).waitFor();
    await people
      .getByRole('row', { name: new RegExp(`${story.ben.name} ${story.ana.name} \\$199\\.00`) })
      .waitFor();
    // Cytoscape drew both people, each labelled with their value.
    const graph = page.getByTestId('network-graph');
    await page.locator('[data-testid="network-graph"][data-nodes]').waitFor();
    await expect(graph.getAttribute('data-nodes')).resolves.toBe(
      `${story.ana.name} $298.50 | ${story.ben.name} $199.00`,
    );
    await expect(graph.locator('canvas').count()).resolves.toBeGreaterThan(0);
    await shoot('referral-network');
  });

  it("shows a campaign's funnel and attribution", async () => {
    await open(`/campaigns/${encodeURIComponent(story.campaign.id)}`);
    await page.getByRole('heading', { level: 1, name: story.campaign.name }).waitFor();
    const funnel = page.getByTestId('funnel');
    await funnel.getByRole('row', { name: 'Saw 1 — 100%' }).waitFor();
    await funnel.getByRole('row', { name: /^Purchased 1 / }).waitFor();
    await expect(page.getByTestId('funnel-chart').getAttribute('data-points')).resolves.toBe('4');
    // Ana's purchase came after her two touches of the campaign: all of it under every model.
    await page.getByTestId('attribution').getByRole('row', { name: 'Linear $199.00' }).waitFor();
    await expect(page.getByTestId('attribution-chart').getAttribute('data-points')).resolves.toBe(
      '4',
    );
    await shoot('campaign');
  });

  it('lets an expert resolve an escalated intervention, and the queue shows it resolved', async () => {
    await open('/interventions?status=ESCALATED');
    const row = page.locator(`tr[data-intervention="${story.interventionId}"]`);
    await row.getByRole('link', { name: story.serial, exact: true }).waitFor();
    await row.getByRole('link', { name: story.ana.name, exact: true }).waitFor();
    await shoot('queue');
    await row.getByPlaceholder('What fixed it').fill('Replaced the print head');
    await row.getByRole('button', { name: 'Resolve' }).click();
    await page
      .getByRole('status')
      .getByText(`Resolved ${story.interventionId} as ${employeeId}`)
      .waitFor();

    // The lifecycle closes it: it leaves the escalated queue, and shows among the closed ones.
    await page.getByLabel('Show').selectOption('CLOSED');
    await page.waitForURL('**/interventions?status=CLOSED');
    const closed = page.locator(`tr[data-intervention="${story.interventionId}"]`);
    await closed.getByText('CLOSED').waitFor();
    await closed.getByText('Resolved by expert').waitFor();
    await closed.getByText(`by ${employeeId}`).waitFor();
    await shoot('queue-resolved');
  });

  it('says so when there is nothing, or when the roles signed in may not read a page', async () => {
    await open(`/customers/${encodeURIComponent(`${story.run}-nobody`)}`);
    await page.getByText(`No customer has id ${story.run}-nobody.`).waitFor();
    await open('/sign-in');
    for (const role of ['support', 'expert']) {
      await page.getByRole('checkbox', { name: new RegExp(`^${role}`) }).uncheck();
    }
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/`);
    await open(`/customers/${encodeURIComponent(story.ana.id)}`);
    await page.getByRole('alert').getByText('Not allowed.').waitFor();
    await shoot('forbidden');
  });
});

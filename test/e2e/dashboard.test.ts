/**
 * The live dashboard in a real browser (Debian's Chromium, driven by playwright-core; never a
 * downloaded browser). The speed path, the analytics API and the dashboard run in-process on
 * the emulators the Jest global setup started; the local fleet posts events for ~20 s while
 * the page is open. Checks: the page loads with no request leaving the origin, the figures
 * change while events flow, and the freshness indicator stays within the spec's 5 s.
 * Saves test/artifacts/dashboard.png.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { startIngest } from '../../functions/ingest/main';
import { startProcessor } from '../../functions/processor/main';
import { startAnalytics } from '../../functions/analytics/main';
import { startDashboard } from '../../functions/dashboard/main';
import { DeviceFleet } from '../../local/run/fleet';
import { FleetLedger } from '../../local/run/ledger';
import { clients, createTopology } from '../integration/functions/local-cloud';

jest.setTimeout(90_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACT = join(__dirname, '..', 'artifacts', 'dashboard.png');
const FRESH_BOUND_MS = 5000;

describe('live dashboard in headless Chromium', () => {
  const c = clients();
  const stops: (() => Promise<unknown>)[] = [];
  let browser: BrowserContext | undefined;
  const abort = new AbortController();
  let profileDir: string;

  afterAll(async () => {
    abort.abort();
    await browser?.close().catch(() => undefined);
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await c.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  it('loads, shows changing figures while events flow, and stays fresh within 5 s', async () => {
    const apiKey = randomBytes(16).toString('hex');
    const topo = await createTopology(c.pubsub, c.bigtable, {
      INGEST_API_KEY_SHA256: createHash('sha256').update(apiKey).digest('hex'),
      EVENTS_PER_MESSAGE: '10',
      WATERMARK_DELAY_SECONDS: '1',
      // As the stacks deploy it: a snapshot a second keeps the live figures' worst case under 5 s.
      FLEET_METRICS_SECONDS: '1',
    });
    const processor = await startProcessor(topo.env, { host: '127.0.0.1' });
    stops.push(() => processor.stop());
    const ingest = await startIngest(topo.env);
    stops.push(() => ingest.stop());
    // The live figures come from the processor's snapshots in the fleet table (topo.env names it).
    const analytics = await startAnalytics(topo.env, { host: '127.0.0.1' });
    stops.push(() => analytics.stop());
    const dashboard = await startDashboard({ ANALYTICS_URL: analytics.address, PORT: '0', DASHBOARD_REFRESH_SECONDS: '1', LOG_LEVEL: 'silent' }, '127.0.0.1');
    stops.push(() => dashboard.stop());

    // 300 events/s for 20 s from 30 devices, 10 events per request, 1% invalid.
    const ledger = new FleetLedger(30, 60_000);
    const fleet = new DeviceFleet({
      ingestUrl: ingest.address.replace('0.0.0.0', '127.0.0.1'),
      apiKey,
      runTag: `e2e${Date.now().toString(36)}`,
      devices: 30,
      eventsPerRequest: 10,
      eventBytes: 400,
      invalidShare: 0.01,
      schedule: { durationMs: 20_000, sustainedEps: 300, burstEps: 0, burstStartMs: 20_000, burstEndMs: 20_000 },
      ledger,
      drainLimitMs: 5_000,
      signal: abort.signal,
    });
    const fleetDone = fleet.run();

    profileDir = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
    // A fresh profile directory (playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 800 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage();
    const origin = new URL(dashboard.address).origin;
    const foreign: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(origin)) foreign.push(r.url());
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    await page.goto(dashboard.address, { waitUntil: 'load' });
    await expect(page.title()).resolves.toBe('IoT pipeline — live');

    // Wait for the first events to be processed and shown.
    await page.waitForFunction(() => {
      const t = document.getElementById('processed')?.textContent ?? '—';
      return t !== '—' && Number(t.replace(/,/g, '')) > 0;
    }, undefined, { timeout: 30_000 });

    const read = () =>
      page.evaluate(() => ({
        processed: Number((document.getElementById('processed')?.textContent ?? '').replace(/,/g, '')),
        eventsPerSecond: (document.getElementById('events-per-second')?.textContent ?? '').replace(/,/g, ''),
        lagMs: Number(document.getElementById('freshness')?.getAttribute('data-lag-ms')),
        freshness: document.getElementById('freshness')?.className ?? '',
        topDevices: document.querySelectorAll('#top-devices tbody tr').length,
        bars: document.querySelectorAll('#device-chart rect.bar').length,
      }));

    // Sample while the fleet is still sending: the figures move and stay fresh.
    const samples = [];
    for (let i = 0; i < 5; i++) {
      samples.push(await read());
      await page.waitForTimeout(1500);
    }
    const processed = samples.map((s) => s.processed);
    expect(new Set(processed).size).toBeGreaterThan(1);
    expect(processed[processed.length - 1]).toBeGreaterThan(processed[0]);
    for (const s of samples) {
      expect(s.lagMs).toBeLessThanOrEqual(FRESH_BOUND_MS);
      expect(s.freshness).toContain('fresh');
    }
    const last = samples[samples.length - 1];
    expect(Number(last.eventsPerSecond)).toBeGreaterThan(0);
    expect(last.topDevices).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
    expect(foreign).toEqual([]);

    mkdirSync(join(__dirname, '..', 'artifacts'), { recursive: true });
    await page.screenshot({ path: ARTIFACT, fullPage: true });
    expect(statSync(ARTIFACT).size).toBeGreaterThan(10_000);

    const result = await fleetDone;
    expect(result.counters.rejected).toBe(result.counters.sentInvalid);
    expect(result.counters.rejectedValid).toBe(0);
  });
});

// Proves `livegift serve` as a person runs it: a fresh directory gets a migrated, seeded SQLite
// database, the web app is served at / (its bundle cached for good), the demo LIVE streams video, /healthz and /metrics answer, SIGTERM drains and exits 0, and `livegift reconcile`
// then finds the demo ledger consistent; a bad config value stops start-up naming the variable.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', 'bin', 'livegift.js');
const dir = mkdtempSync(join(tmpdir(), 'livegift-serve-'));
const env = { ...process.env, SQLITE_PATH: join(dir, 'data', 'livegift.db'), VIDEO_DIR: join(dir, 'data', 'video'), HOST: '127.0.0.1', PORT: '0', RTMP_PORT: '0', LOG_LEVEL: 'warn', DATABASE_URL: '' };

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function runCli(args: string[], extraEnv: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('livegift serve', () => {
  it('serves health and metrics on a fresh database, then stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { resolve(code); }));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`no banner within 30 s:\n${stderr}`)); }, 30_000);
      child.stderr.on('data', () => {
        const m = /running at (http:\/\/\S+)/.exec(stderr);
        if (m?.[1] !== undefined) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    });
    expect(stderr).toContain('Demo logins');
    expect(stderr).toMatch(/kit .*under 18/);
    expect(existsSync(env.SQLITE_PATH)).toBe(true);

    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', checks: { database: 'ok', ledger: 'ok' } });

    // The web app, built on first start: its page, then its bundle (content-hashed, cached for good).
    const home = await fetch(`${url}/`);
    expect(home.status).toBe(200);
    const page = await home.text();
    expect(page).toContain('<div id="root">');
    const script = /src="(\/app\/[\w.-]+\.js)"/.exec(page)?.[1];
    expect(script).toBeDefined();
    const bundle = await fetch(`${url}${script ?? ''}`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${url}/signup`)).headers.get('content-type')).toContain('text/html');

    // The demo LIVE has moving video: the test pattern streams into the node's own RTMP ingest.
    const demoVideo = async () => {
      const { lives } = (await (await fetch(`${url}/v1/lives`)).json()) as { lives: { title: string; video: { state: string; playlistUrl: string | null } }[] };
      return lives.find((l) => l.video.state === 'live')?.video.playlistUrl ?? null;
    };
    const deadline = Date.now() + 30_000;
    let playlist = await demoVideo();
    while (playlist === null && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      playlist = await demoVideo();
    }
    expect(playlist).not.toBeNull();
    expect(await (await fetch(`${url}${playlist ?? ''}`)).text()).toContain('#EXTINF');

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/livegift_ledger_groups_committed_total \d+/);
    expect(metrics).toContain('livegift_http_request_duration_seconds');

    // A request still in flight when SIGTERM arrives is answered before the process exits.
    const inflight = fetch(`${url}/metrics`);
    child.kill('SIGTERM');
    expect((await inflight).status).toBe(200);
    expect(await exited).toBe(0);
    // The database was closed cleanly: SQLite removed its write-ahead log on the last close.
    expect(existsSync(`${env.SQLITE_PATH}-wal`)).toBe(false);
  });

  it('reconciles the seeded demo ledger without drift, and seeding again moves nothing', () => {
    const seed = runCli(['seed']);
    expect(seed.status).toBe(0);
    expect(seed.stdout).toMatch(/0 applied, \d+ already there/);
    const r = runCli(['reconcile']);
    expect(r.stderr).toContain('Ledger is consistent');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { ok: boolean; transfers: number; totals: Record<string, string> };
    expect(report.ok).toBe(true);
    expect(report.transfers).toBeGreaterThan(0);
    expect(report.totals.COIN).toBe(String(3500 + 700 + 100 + 1 + 30 + 299 + 1000));
  });

  it('compares the FIAT ledgers with the provider’s records, and names a payment the ledger never booked', () => {
    const clean = runCli(['reconcile', '--provider']);
    expect(clean.stderr).toContain('The FIAT ledgers agree with sandbox');
    expect(clean.status).toBe(0);
    const report = JSON.parse(clean.stdout) as { ledger: { ok: boolean }; provider: { ok: boolean; skipped: number; differences: unknown[] } };
    expect(report.ledger.ok).toBe(true);
    expect(report.provider).toMatchObject({ ok: true, differences: [] });
    expect(report.provider.skipped).toBeGreaterThan(0); // the demo's seeded purchases never went through a provider

    // The provider took a payment whose purchase our ledger never credited.
    const db = new Database(env.SQLITE_PATH);
    db.prepare(
      "INSERT INTO sandbox_checkouts (ref, purchase_id, coins, currency, amount_minor, description, return_url, status, refunded_minor, dispute_status, pending_until_ms, created_at_ms, updated_at_ms, disputed_minor) VALUES ('cs_sandbox_orphan', 'pur_orphan', 70, 'USD', 99, '70 coins', 'http://x/return', 'paid', 0, NULL, NULL, 0, 0, 0)",
    ).run();
    db.close();
    const drift = runCli(['reconcile', '--provider']);
    expect(drift.status).toBe(1);
    expect(drift.stderr).toContain('PROVIDER DIFFERENCES (sandbox): 1');
    const differences = (JSON.parse(drift.stdout) as { provider: { differences: { kind: string; subject: string; problem: string }[] } }).provider.differences;
    expect(differences).toEqual([expect.objectContaining({ kind: 'charge', subject: 'pur_orphan', problem: 'missing_in_ledger' })]);
    const bad = runCli(['reconcile', '--providers']);
    expect(bad.status).toBe(2);
  });

  it('exits 1 and names the account when a cached balance was changed behind the ledger', () => {
    const db = new Database(env.SQLITE_PATH);
    db.prepare("UPDATE accounts SET credits_posted = credits_posted + 5 WHERE id = 'user:demo-ana:coins'").run();
    db.close();
    const r = runCli(['reconcile']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('LEDGER DRIFT');
    const report = JSON.parse(r.stdout) as { ok: boolean; problems: { kind: string; detail: string }[] };
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'balance_drift', detail: expect.stringContaining('user:demo-ana:coins') as unknown }));
  });

  it('refuses to start with a bad config value and names it', () => {
    const r = runCli(['serve'], { PORT: 'three-thousand' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('PORT');
  });

  it('answers an unknown command with usage and exit code 2', () => {
    const r = runCli(['launch']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Usage: livegift');
  });
});

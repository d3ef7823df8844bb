// Starts a Skjold demo on a free port in a fresh data directory and a headless Debian
// chromium, and takes care of screenshots under target/e2e/.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = process.env.SKJOLD_BIN ?? join(root, 'target', 'debug', 'skjold');
export const SHOTS = join(root, 'target', 'e2e');
export const PASSWORD = 'skjold-demo-2026';

function freePort() {
  return new Promise((ok, fail) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
    srv.on('error', fail);
  });
}

export async function startSkjold() {
  const dataDir = mkdtempSync(join(tmpdir(), 'skjold-e2e-'));
  const out = execFileSync(BIN, ['demo', '--no-serve', '--data-dir', dataDir], { encoding: 'utf8' });
  const examples = [...out.matchAll(/Prøv fx borgeren (.+) med CPR-nummer (\d{6}-\d{4})/g)].map((m) => ({ name: m[1], cpr: m[2] }));
  if (examples.length === 0) throw new Error(`the demo printed no example citizen:\n${out}`);
  const port = await freePort();
  const server = spawn(BIN, ['serve', '--data-dir', dataDir, '--bind', `127.0.0.1:${port}`], { stdio: ['ignore', 'inherit', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
    if (i === 99) throw new Error('Skjold did not start');
  }
  return { base, examples, stop: () => server.kill('SIGTERM') };
}

export async function startBrowser() {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
      '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

export async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

export async function login(browser, base, username) {
  const context = await browser.newContext({ locale: 'da-DK' });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel('Brugernavn').fill(username);
  await page.getByLabel('Adgangskode').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log ind' }).click();
  return { context, page };
}

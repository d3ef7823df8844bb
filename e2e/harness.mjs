// Starts a Skjold demo on a free port in a fresh data directory and a headless Debian
// chromium, and takes care of screenshots under target/e2e/.
import { spawn, execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
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

// The second-factor secrets set up during this run, by user name.
const secrets = new Map();

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

// The code an authenticator app shows now (RFC 6238: HMAC-SHA1, 6 digits, 30 s steps).
export function totp(secret, at = Date.now()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}

export async function login(browser, base, username) {
  const context = await browser.newContext({ locale: 'da-DK' });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel('Brugernavn').fill(username);
  await page.getByLabel('Adgangskode').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log ind' }).click();
  await page.waitForLoadState();
  if (new URL(page.url()).pathname === '/login/engangskode') {
    // The role needs a second factor: set one up the first time, as a user with an
    // authenticator app would, and enter the current code.
    const shown = page.locator('#totp-secret');
    if (await shown.count()) {
      secrets.set(username, (await shown.textContent()).trim());
      await shot(page, `totp-setup-${username}`);
    }
    await page.getByLabel('Engangskode').fill(totp(secrets.get(username)));
    await page.getByRole('button', { name: /log ind/i }).click();
    await page.waitForLoadState();
    if (new URL(page.url()).pathname.startsWith('/login')) throw new Error(`${username}: the code was refused`);
  }
  return { context, page };
}

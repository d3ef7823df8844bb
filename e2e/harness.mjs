// Starts a Skjold demo on a free port in a fresh data directory and a headless Debian
// chromium, and takes care of screenshots under target/e2e/.
import { spawn } from 'node:child_process';
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

// Runs `skjold demo` (build and serve, the way a person tries it), reading what it prints:
// example citizens, the demo users' second-factor secrets, and when it serves.
export async function startSkjold() {
  const dataDir = mkdtempSync(join(tmpdir(), 'skjold-e2e-'));
  const port = await freePort();
  const server = spawn(BIN, ['demo', '--data-dir', dataDir, '--port', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`the demo did not start:\n${out}`)), 120_000);
    server.stdout.setEncoding('utf8');
    server.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('Skjold kører på')) { clearTimeout(timer); ok(); }
    });
    server.on('exit', (code) => { clearTimeout(timer); fail(new Error(`the demo stopped (${code}):\n${out}`)); });
  });
  server.stdout.resume();
  const examples = [...out.matchAll(/Prøv fx borgeren (.+) med CPR-nummer (\d{6}-\d{4})/g)].map((m) => ({ name: m[1], cpr: m[2] }));
  if (examples.length === 0) throw new Error(`the demo printed no example citizen:\n${out}`);
  for (const m of out.matchAll(/^ {2}(\S+) +([A-Z2-7]{16,})$/gm)) printedSecrets.set(m[1], m[2]);
  if (!printedSecrets.has('sagsbehandler')) throw new Error(`the demo printed no second-factor secrets:\n${out}`);
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
    if (i === 99) throw new Error('Skjold did not start');
  }
  return { base, dataDir, examples, secrets: printedSecrets, stop: () => server.kill('SIGTERM') };
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
// The demo users' secrets, as `skjold demo` printed them.
const printedSecrets = new Map();

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

export async function login(browser, base, username, password = PASSWORD) {
  const context = await browser.newContext({ locale: 'da-DK' });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel('Brugernavn').fill(username);
  await page.getByLabel('Adgangskode').fill(password);
  await page.getByRole('button', { name: 'Log ind' }).click();
  await page.waitForLoadState();
  if (new URL(page.url()).pathname === '/login/engangskode') {
    // The demo shows a demo user's current code beside the form; a user without a second
    // factor sets one up, as a user with an authenticator app would.
    let code;
    const box = page.locator('#demo-code');
    const shown = page.locator('#totp-secret');
    if (await box.count()) {
      code = (await box.textContent()).replace(/\s/g, '');
      // A code signs in once, so after quick sign-ins the box offers a later step's code;
      // one step ahead is within the allowed skew, more is not: wait, as a person would.
      const secret = printedSecrets.get(username);
      for (let i = 0; secret && i < 3 && ![totp(secret), totp(secret, Date.now() + 30_000)].includes(code); i++) {
        await new Promise((r) => setTimeout(r, 30_500 - (Date.now() % 30_000)));
        await page.reload();
        code = (await box.textContent()).replace(/\s/g, '');
      }
      await shot(page, `totp-demo-${username}`);
    } else if (await shown.count()) {
      secrets.set(username, (await shown.textContent()).trim());
      await shot(page, `totp-setup-${username}`);
      code = totp(secrets.get(username));
    } else {
      throw new Error(`${username}: no code to enter`);
    }
    await page.getByLabel('Engangskode').fill(code);
    await page.getByRole('button', { name: /log ind/i }).click();
    await page.waitForLoadState();
    if (new URL(page.url()).pathname.startsWith('/login')) throw new Error(`${username}: the code was refused`);
  }
  return { context, page };
}

// axe-core's findings on the page that are serious or critical, as short lines.
const AXE = join(root, 'e2e', 'node_modules', 'axe-core', 'axe.min.js');
export async function axeProblems(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

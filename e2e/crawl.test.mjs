// Every page of every role, at desktop and phone width: each staff role signs in, opens
// every page of its menu and the pages those link to (same-origin GET links one level
// deep), and a citizen does the same in their own view. On each page axe-core must find
// nothing serious or critical, nothing may scroll sideways, and a screenshot is saved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSkjold, startBrowser, login, shot, axeProblems } from './harness.mjs';

let skjold;
let browser;

before(async () => {
  skjold = await startSkjold();
  browser = await startBrowser();
});

after(async () => {
  await browser?.close();
  skjold?.stop();
});

const WIDTHS = [1280, 375];
// Links that do something or fetch a file rather than show a page.
const SKIP = /\/(logout|sprog\/|login)|\.(pdf|csv|json|jsonl|zip)$|\/(eksport|dokument|tilbagelevering|brev\.pdf|svar|data\/)|\/vedhaeftninger\//;
// Per list, the detail pages followed: enough to see each kind of page, not every row.
const PER_KIND = 2;

function kindOf(path) {
  return path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id');
}

async function check(page, label, width, problems) {
  const found = await axeProblems(page);
  for (const f of found) problems.push(`${label} @${width}: ${f}`);
  const wide = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  if (wide[0] > wide[1]) problems.push(`${label} @${width}: scrolls sideways (${wide[0]} > ${wide[1]})`);
  await shot(page, `crawl-${label.replace(/[^a-z0-9]+/gi, '_').slice(0, 80)}-${width}`);
}

// The pages to visit: the menu's, then the links on them (one level), each kind of
// address a few times.
async function pagesOf(page, base, menuSelector) {
  // The menu's own links (the design system copies those that do not fit into "Mere").
  const menu = [...new Set(await page.locator(menuSelector).evaluateAll((as) => as.map((a) => a.getAttribute('href'))))];
  const seen = new Set(menu);
  const kinds = new Map();
  const all = [...menu];
  for (const href of menu) {
    await page.goto(`${base}${href}`);
    const links = await page.locator('main a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    for (const link of links) {
      if (!link.startsWith('/') || link.startsWith('//')) continue;
      const path = link.split('#')[0].split('?')[0];
      if (!path || seen.has(path) || SKIP.test(path)) continue;
      const kind = kindOf(path);
      const n = kinds.get(kind) ?? 0;
      if (n >= PER_KIND) continue;
      kinds.set(kind, n + 1);
      seen.add(path);
      all.push(path);
    }
  }
  return all;
}

async function crawl(page, base, who, paths, width) {
  const problems = [];
  await page.setViewportSize({ width, height: 900 });
  for (const path of paths) {
    const res = await page.goto(`${base}${path}`);
    assert.ok(res.status() < 500, `${who} ${path}: ${res.status()}`);
    await check(page, `${who}${path}`, width, problems);
  }
  return problems;
}

const STAFF = ['admin', 'sagsbehandler', 'mentorhuset', 'praktikpartner', 'dpo', 'revisor', 'indkoeber', 'analytiker', 'kontrollant'];

test('every page of every staff role: axe-core clean, nothing scrolls sideways, at 1280 and 375 px', async () => {
  const started = Date.now();
  const problems = [];
  const counts = {};
  for (const user of STAFF) {
    const { context, page } = await login(browser, skjold.base, user);
    // axe-core is injected as a script, which the content security policy refuses: a
    // context that bypasses it for the test only.
    const ctx = await browser.newContext({ locale: 'da-DK', bypassCSP: true, storageState: await context.storageState() });
    await context.close();
    const p = await ctx.newPage();
    await p.goto(`${skjold.base}/`);
    const paths = await pagesOf(p, skjold.base, 'nav.nav a.nav-link');
    paths.push('/tilgaengelighed', '/privatliv', '/konto/adgangskode', '/findes-ikke', `${paths[0]}/ikke-et-id`);
    counts[user] = paths.length;
    for (const width of WIDTHS) problems.push(...(await crawl(p, skjold.base, user, paths, width)));
    // On a phone the menu button opens the menu, which holds the user's name and "Log af".
    await p.setViewportSize({ width: 375, height: 800 });
    await p.goto(`${skjold.base}${paths[0]}`);
    await p.getByRole('button', { name: 'Menu' }).click();
    const drawer = p.getByRole('dialog', { name: 'Menu' });
    await drawer.waitFor();
    assert.ok(await drawer.getByRole('button', { name: 'Log af' }).isVisible(), `${user}: Log af in the menu`);
    assert.ok(await drawer.getByRole('link', { name: 'Skift adgangskode' }).isVisible(), `${user}: password in the menu`);
    problems.push(...(await axeProblems(p)).map((f) => `${user} open menu: ${f}`));
    await shot(p, `crawl-${user}-menu-open-375`);
    await drawer.getByRole('button', { name: /Luk/ }).click();
    await drawer.waitFor({ state: 'hidden' });
    // The skip link is whole when focused.
    await p.goto(`${skjold.base}${paths[0]}`);
    await p.keyboard.press('Tab');
    assert.ok(await p.locator('a.skipnav').evaluate((a) => a === document.activeElement), `${user}: the skip link comes first`);
    await p.waitForTimeout(400); // its slide-in transition
    const box = await p.locator('a.skipnav').boundingBox();
    if (!(box && box.y >= 0 && box.x >= 0 && box.x + box.width <= 375)) problems.push(`${user}: skip link not whole when focused ${JSON.stringify(box)}`);
    else await shot(p, `crawl-${user}-skip-link-375`);
    await ctx.close();
  }
  console.log(`pages per role: ${JSON.stringify(counts)}; ${Math.round((Date.now() - started) / 1000)} s`);
  assert.deepEqual(problems, []);
});

test('every page of the citizen\'s own view, at 1280 and 375 px', async () => {
  const context = await browser.newContext({ locale: 'da-DK', bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${skjold.base}/borger/login`);
  await page.getByRole('link', { name: 'Log ind med MitID' }).click();
  await page.getByRole('button').first().click();
  await page.getByRole('heading', { level: 1, name: 'Dine oplysninger hos kommunen' }).waitFor();
  const paths = await pagesOf(page, skjold.base, 'nav.nav a.nav-link');
  paths.push('/borger/findes-ikke', '/tilgaengelighed');
  const problems = [];
  for (const width of WIDTHS) problems.push(...(await crawl(page, skjold.base, 'borger', paths, width)));
  console.log(`citizen pages: ${paths.length}`);
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto(`${skjold.base}/borger/`);
  await page.getByRole('button', { name: 'Menu' }).click();
  assert.ok(await page.getByRole('dialog', { name: 'Menu' }).getByRole('button', { name: 'Log af' }).isVisible());
  await context.close();
  assert.deepEqual(problems, []);
});

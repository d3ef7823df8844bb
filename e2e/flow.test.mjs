// The supplier platform as people use it: a caseworker orders a service and discloses one
// extra field with a justification; the supplier sees exactly the automatic fields plus that
// one; another supplier sees nothing of it. Every demo user signs in with the code the demo
// shows; one changes their password.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { startSkjold, startBrowser, login, shot, totp, axeProblems, PASSWORD } from './harness.mjs';

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

// The fields of a table's rows; the order's own text (a row without a field) is left out.
const fieldsOf = (page, table) =>
  page.locator(`${table} tbody tr`).evaluateAll((rows) => rows.map((r) => r.dataset.field).filter(Boolean));

test('caseworker orders, discloses one more field; only the right supplier sees it', async () => {
  const citizen = skjold.examples[0];

  // The caseworker finds the citizen by CPR number.
  const cw = await login(browser, skjold.base, 'sagsbehandler');
  await shot(cw.page, '01-caseworker-start');
  await cw.page.locator('form[action="/borgere/soeg"]').getByLabel('CPR-nummer').fill('320190-1234');
  await cw.page.getByRole('button', { name: 'Søg' }).click();
  await assert.doesNotReject(cw.page.getByText('gyldig fødselsdato').waitFor());
  await shot(cw.page, '02-caseworker-bad-cpr');
  await cw.page.locator('form[action="/borgere/soeg"]').getByLabel('CPR-nummer').fill(citizen.cpr);
  await cw.page.getByRole('button', { name: 'Søg' }).click();
  await cw.page.getByRole('heading', { level: 1, name: citizen.name }).waitFor();
  await shot(cw.page, '03-citizen');

  // The order form shows what goes automatically before anything is sent.
  await cw.page.getByLabel('Ydelse').selectOption({ label: 'Mentorstøtte' });
  await cw.page.getByLabel('Leverandør').selectOption({ label: 'Mentorhuset ApS (aftale DBA-2024-017)' });
  await cw.page.getByRole('button', { name: 'Se hvad der videregives' }).click();
  const automatic = await cw.page.locator('#automatic-fields tr[data-field]').evaluateAll((li) => li.map((l) => l.dataset.field));
  assert.deepEqual(automatic, ['name', 'target_group', 'job_goal', 'language_skills']);
  const onRequest = await cw.page.locator('#on-request-fields li').evaluateAll((li) => li.map((l) => l.dataset.field));
  assert.ok(onRequest.includes('address') && onRequest.includes('health'));
  await shot(cw.page, '04-order-preview');
  await fillContent(cw.page);
  await cw.page.getByRole('button', { name: 'Send bestilling' }).click();
  await cw.page.getByText('Bestillingen er sendt').waitFor();
  const reference = (await cw.page.getByRole('heading', { level: 1 }).textContent()).replace('Bestilling ', '').trim();
  const orderPath = new URL(cw.page.url()).pathname;
  await shot(cw.page, '05-order-placed');

  // A manual disclosure without a justification is refused; with one it goes through.
  await cw.page.getByLabel('Oplysning').selectOption('health');
  await cw.page.getByLabel('Begrundelse').fill('kort');
  await cw.page.getByRole('button', { name: 'Videregiv' }).click();
  await cw.page.locator('.skjold-error-summary').getByText('skriftlig begrundelse').waitFor();
  // The error summary has the focus, and the field it is about says so beside it.
  assert.ok(await cw.page.locator('.skjold-error-summary').evaluate((e) => e === document.activeElement), 'the summary is focused');
  const justification = cw.page.getByLabel('Begrundelse');
  assert.equal(await justification.getAttribute('aria-invalid'), 'true');
  const describedBy = await justification.getAttribute('aria-describedby');
  assert.ok((await cw.page.locator(`[id="${describedBy.split(' ')[0]}"]`).textContent()).includes('skriftlig begrundelse'));
  await shot(cw.page, '06-disclosure-refused');
  await cw.page.getByLabel('Oplysning').selectOption('health');
  await cw.page.getByLabel('Begrundelse').fill('Mentoren skal kende skånehensyn for at kunne planlægge forløbet.');
  await cw.page.getByRole('button', { name: 'Videregiv' }).click();
  await cw.page.getByText('Oplysningen er videregivet').waitFor();
  assert.deepEqual(await fieldsOf(cw.page, '#disclosures'), [...automatic, 'health']);
  await shot(cw.page, '07-disclosed');
  await cw.context.close();

  // The supplier sees exactly the automatic fields plus the one disclosed by hand.
  const sup = await login(browser, skjold.base, 'mentorhuset');
  await sup.page.getByRole('link', { name: reference }).click();
  await sup.page.getByRole('heading', { level: 1, name: `Bestilling ${reference}` }).waitFor();
  assert.deepEqual(await fieldsOf(sup.page, '#disclosed'), [...automatic, 'health']);
  const body = await sup.page.locator('main').textContent();
  assert.ok(body.includes(citizen.name));
  assert.ok(!body.includes(citizen.cpr), 'the CPR number was not disclosed');
  assert.ok(body.includes('Rasmus Kjærgaard'), 'the responsible caseworker is named');
  await shot(sup.page, '08-supplier-order');
  const supplierPath = new URL(sup.page.url()).pathname;
  await sup.context.close();

  // Another supplier sees nothing of it, not even by guessing the address.
  const other = await login(browser, skjold.base, 'praktikpartner');
  assert.equal(await other.page.getByRole('link', { name: reference }).count(), 0);
  await shot(other.page, '09-other-supplier-list');
  const res = await other.page.goto(`${skjold.base}${supplierPath}`);
  assert.equal(res.status(), 404);
  assert.ok(!(await other.page.locator('main').textContent()).includes(citizen.name));
  const res2 = await other.page.goto(`${skjold.base}${orderPath}`);
  assert.equal(res2.status(), 403);
  await shot(other.page, '10-other-supplier-refused');
  await other.context.close();

  // The privacy officer finds both disclosures in the ledger.
  const dpo = await login(browser, skjold.base, 'dpo');
  // Their start page is the follow-up; the ledger is one link away.
  await dpo.page.getByRole('heading', { level: 1, name: 'Opfølgning' }).waitFor();
  await shot(dpo.page, '11a-follow-up');
  await dpo.page.getByRole('link', { name: 'Videregivelser' }).click();
  await dpo.page.locator('#ledger').waitFor();
  const rows = await dpo.page.locator('#ledger tbody tr').filter({ hasText: reference }).count();
  // The automatic fields, the manual one, and the order's own text.
  assert.equal(rows, automatic.length + 2);
  await shot(dpo.page, '11-ledger');
  await dpo.page.getByRole('link', { name: 'Adgangslog' }).click();
  await dpo.page.locator('#access-log').waitFor();
  await shot(dpo.page, '12-access-log');
  // The sign-in report shows the other supplier's refusal and the officer's own sign-in
  // with a second factor.
  await dpo.page.getByRole('link', { name: 'Log-ind-rapport' }).click();
  const events = dpo.page.locator('#sign-in-events tbody tr');
  assert.ok(await events.filter({ hasText: 'Adgang nægtet' }).filter({ hasText: 'praktikpartner' }).count() >= 1);
  assert.ok(await events.filter({ hasText: 'adgangskode og engangskode' }).count() >= 1);
  await shot(dpo.page, '12b-sign-in-report');
  await dpo.context.close();
});

// The text of a PDF, page by page, as a reader of the letter gets it.
async function pdfText(bytes) {
  const doc = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: true, isEvalSupported: false }).promise;
  const pages = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    pages.push(content.items.map((i) => i.str).join(' '));
  }
  await doc.destroy();
  return pages.join('\n');
}

test('an access request from intake to the PDF letter in the citizen\'s digital mailbox', async () => {
  // The citizen of the first test: Mentorhuset received their data.
  const citizen = skjold.examples[0];
  const cw = await login(browser, skjold.base, 'sagsbehandler');
  await cw.page.locator('form[action="/borgere/soeg"]').getByLabel('CPR-nummer').fill(citizen.cpr);
  await cw.page.getByRole('button', { name: 'Søg' }).click();
  await cw.page.getByRole('heading', { level: 1, name: citizen.name }).waitFor();
  await cw.page.getByRole('link', { name: 'Registrér anmodning om rettigheder' }).click();
  await cw.page.getByRole('heading', { level: 1, name: `Registrér anmodning fra ${citizen.name}` }).waitFor();
  await shot(cw.page, '30-rights-intake');

  // Intake: the request as it came, by telephone; the question model picks the regime.
  await cw.page.getByLabel('Hvad anmoder borgeren om?').selectOption({ label: 'Indsigt' });
  await cw.page.getByLabel('Modtaget som').selectOption('phone');
  await cw.page.getByLabel('Anmodningen').fill('Borgeren vil vide, hvem der har fået oplysninger om hende.');
  await cw.page.getByRole('button', { name: 'Registrér anmodningen' }).click();
  await cw.page.getByText('Anmodningen er registreret').waitFor();
  const title = await cw.page.title();
  assert.ok(!title.includes(citizen.name) && !title.includes(citizen.cpr), `the title carries no personal data: ${title}`);
  assert.equal((await cw.page.locator('#case-status').textContent()).trim(), 'Modtaget');
  const deadline = (await cw.page.locator('#deadline').textContent()).trim();
  assert.match(deadline, /\d{4}/, 'the deadline is shown');
  const casePath = new URL(cw.page.url()).pathname;
  await shot(cw.page, '31-rights-case');

  // No decision before the identity check; then the decision with reasons.
  assert.equal(await cw.page.getByRole('button', { name: 'Træf afgørelse' }).count(), 0);
  await cw.page.getByLabel('Hvordan er borgerens identitet kontrolleret?').fill('MitID ved fremmøde i Borgerservice');
  await cw.page.getByRole('button', { name: 'Registrér kontrol' }).click();
  await cw.page.getByText('Identitetskontrollen er registreret').waitFor();
  const decision = cw.page.locator('form[action$="/afgoerelse"]');
  await decision.getByLabel('Afgørelse', { exact: true }).selectOption('granted');
  await decision.getByLabel('Begrundelse').fill('Borgeren har ret til indsigt i egne oplysninger, jf. databeskyttelsesforordningens artikel 15.');
  await cw.page.getByRole('button', { name: 'Træf afgørelse' }).click();
  await cw.page.getByText('Afgørelsen er registreret').waitFor();
  await cw.page.locator('#svar').waitFor();
  await shot(cw.page, '32-rights-draft');

  // The answer is reviewed for other people's data before it can go out.
  assert.equal(await cw.page.getByRole('button', { name: /Send svaret/ }).count(), 0);
  await cw.page.getByRole('button', { name: 'Svaret er gennemgået for tredjemands oplysninger' }).click();
  await cw.page.getByText('Svaret er gennemgået for andres oplysninger').waitFor();

  // The letter, downloaded and opened: a PDF that names the recipients from the ledger and
  // the right to complain.
  const [download] = await Promise.all([
    cw.page.waitForEvent('download'),
    cw.page.locator('#letter-link').click(),
  ]);
  const bytes = readFileSync(await download.path());
  assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
  const text = (await pdfText(bytes)).replace(/\s+/g, ' ');
  assert.ok(text.includes(citizen.name), 'the letter is addressed to the citizen');
  assert.ok(text.includes('Mentorhuset'), 'the letter names the supplier that received data');
  assert.ok(text.includes('Datatilsynet'), 'the letter tells of the right to complain');

  // Sent to the digital mailbox: the demo's provider is a folder.
  await cw.page.getByRole('button', { name: 'Send svaret til borgerens digitale postkasse' }).click();
  await cw.page.getByText('Svaret er sendt til borgerens digitale postkasse').waitFor();
  assert.equal((await cw.page.locator('#case-status').textContent()).trim(), 'Besvaret');
  const reference = casePath.split('/').pop();
  const answers = readdirSync(join(skjold.dataDir, 'letters')).filter((f) => f.endsWith('-indsigtssvar.pdf'));
  let delivered = false;
  for (const f of answers) {
    const sentText = (await pdfText(readFileSync(join(skjold.dataDir, 'letters', f)))).replace(/\s+/g, ' ');
    delivered ||= sentText.includes(citizen.name) && sentText.includes('Mentorhuset');
  }
  assert.ok(delivered, `the answer is in the mailbox folder (${answers.join(', ')}; case ${reference})`);
  await shot(cw.page, '33-rights-answered');
  await cw.context.close();

  // The privacy officer sees the case among all cases; a supplier cannot open it.
  const dpo = await login(browser, skjold.base, 'dpo');
  await dpo.page.goto(`${skjold.base}/rettigheder`);
  await dpo.page.locator(`a[href="${casePath}"]`).first().waitFor();
  await shot(dpo.page, '34-rights-dpo');
  await dpo.context.close();
  const sup = await login(browser, skjold.base, 'mentorhuset');
  const res = await sup.page.goto(`${skjold.base}${casePath}`);
  assert.ok([403, 404].includes(res.status()), `a supplier is refused the case (${res.status()})`);
  assert.ok(!(await sup.page.locator('body').textContent()).includes(citizen.name));
  await sup.context.close();
});

test('on a phone, a caseworker adds a citizen and replaces an item; the old value stays', async () => {
  const cw = await login(browser, skjold.base, 'sagsbehandler');
  await cw.page.setViewportSize({ width: 375, height: 800 });
  await cw.page.locator('#tilfoej-borger summary').click();
  const form = cw.page.locator('#new-citizen');
  // A CPR number with an impossible date is refused, with what was typed kept.
  await form.getByLabel('CPR-nummer').fill('310207-1234');
  await form.getByLabel('Navn').fill('Ida Testesen');
  await form.getByLabel('Kilde').fill('Borgeren');
  await form.getByLabel('Felt 1').selectOption('address');
  await form.getByLabel('Værdi 1').fill('Jagtvej 12, 2200 København N');
  await form.getByRole('button', { name: 'Tilføj borger' }).click();
  await cw.page.locator('#new-citizen-error').waitFor();
  assert.equal(await cw.page.locator('#new-citizen').getByLabel('Navn').inputValue(), 'Ida Testesen');
  await shot(cw.page, '40-new-citizen-refused-phone');
  await cw.page.locator('#new-citizen').getByLabel('CPR-nummer').fill('070707-1234');
  await cw.page.locator('#new-citizen').getByRole('button', { name: 'Tilføj borger' }).click();
  await cw.page.getByRole('heading', { level: 1, name: 'Ida Testesen' }).waitFor();
  const body = await cw.page.locator('main').textContent();
  assert.ok(body.includes('Jagtvej 12'), 'the first item is on the record');

  await cw.page.locator('#registrer-oplysning summary').click();
  const item = cw.page.locator('#record-item');
  await item.getByLabel('Felt').selectOption('address');
  await item.getByLabel('Værdi').fill('Nørrebrogade 1, 2200 København N');
  await item.getByLabel('Kilde').fill('Folkeregisteret');
  await item.getByRole('button', { name: 'Registrér oplysning' }).click();
  await cw.page.locator('#history').waitFor();
  assert.ok((await cw.page.locator('#history').textContent()).includes('Jagtvej 12'), 'the old value is kept');
  assert.ok((await cw.page.locator('main').textContent()).includes('Nørrebrogade 1'));
  await shot(cw.page, '41-citizen-history-phone');
  await cw.context.close();
});

test('a citizen signs in with the demo MitID, sees who got the data, files an access request; desktop and phone', async () => {
  for (const [width, tag] of [[1280, 'desktop'], [375, 'phone']]) {
    // axe-core is injected as a script, which Skjold's content security policy would refuse.
    const context = await browser.newContext({ locale: 'da-DK', viewport: { width, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    // The menu: in the page's header on a desktop, behind the menu button on a phone.
    const menu = async (name) => {
      if (width < 992) {
        await page.getByRole('button', { name: 'Menu' }).click();
        await page.getByRole('dialog', { name: 'Menu' }).getByRole('link', { name, exact: true }).click();
      } else {
        await page.getByRole('navigation').getByRole('link', { name, exact: true }).click();
      }
    };
    const checked = async (name) => {
      assert.deepEqual(await axeProblems(page), [], `axe on ${name} at ${width} px`);
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= width, `${name} scrolls sideways at ${width} px (${wide})`);
      await shot(page, `60-citizen-${name}-${tag}`);
    };
    // Signed out, the citizen's address leads to the sign-in.
    await page.goto(`${skjold.base}/borger/`);
    assert.equal(new URL(page.url()).pathname, '/borger/login');
    await checked('login');
    await page.getByRole('link', { name: 'Log ind med MitID' }).click();
    // The demo's identity provider says plainly that it is a demo.
    await page.getByText('Demo – ikke MitID').waitFor();
    await page.getByRole('button').first().click();
    await page.getByRole('heading', { level: 1, name: 'Dine oplysninger hos kommunen' }).waitFor();
    await checked('home');

    await menu('Hvem har fået dem');
    await page.getByRole('heading', { level: 1, name: 'Hvem har fået mine oplysninger' }).waitFor();
    const recipients = await page.locator('#recipients').textContent();
    assert.ok(recipients.includes('Mentorhuset ApS'), 'the supplier of the order');
    assert.ok(recipients.includes('Helbredsmæssige forhold'), 'the field disclosed by a decision');
    assert.ok(recipients.includes('begrundede afgørelse'), 'marked as a decision, not automatic');
    await checked('recipients');

    await menu('Hvem har set dem');
    await page.locator('#log-check.alert-success').waitFor();
    assert.ok(!(await page.locator('main').textContent()).includes('Rasmus Kjærgaard'), 'no staff names');
    await checked('log');

    await menu('Mine oplysninger');
    await page.getByRole('heading', { level: 1, name: 'Mine oplysninger' }).waitFor();
    await checked('data');

    await menu('Mine anmodninger');
    await page.getByRole('link', { name: 'Ny anmodning' }).click();
    await checked('request-form');
    await page.getByRole('radio', { name: 'Indsigt' }).check();
    await page.getByLabel('Beskriv din anmodning').fill(`Jeg vil se alt om mig (${tag}).`);
    await page.getByRole('button', { name: 'Send anmodningen' }).click();
    await page.getByText('Din anmodning er modtaget').waitFor();
    assert.ok((await page.locator('#requests').textContent()).includes('Indsigt'));
    await checked('requests');

    await menu('Mine samtykker');
    await page.getByRole('heading', { level: 1, name: 'Mine samtykker' }).waitFor();
    await checked('consents');
    await page.getByRole('link', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your data at the municipality' }).waitFor();
    await checked('home-english');
    await page.getByRole('link', { name: 'Dansk' }).click();
    await context.close();
  }
});

test('supplier asks for a field, caseworker approves; the guard stops a CPR number', async () => {
  const citizen = skjold.examples[1];
  const cw = await login(browser, skjold.base, 'sagsbehandler');
  await cw.page.locator('form[action="/borgere/soeg"]').getByLabel('CPR-nummer').fill(citizen.cpr);
  await cw.page.getByRole('button', { name: 'Søg' }).click();
  await cw.page.getByLabel('Ydelse').selectOption({ label: 'Mentorstøtte' });
  await cw.page.getByLabel('Leverandør').selectOption({ label: 'Mentorhuset ApS (aftale DBA-2024-017)' });
  await cw.page.getByRole('button', { name: 'Se hvad der videregives' }).click();
  await fillContent(cw.page);
  await cw.page.getByRole('button', { name: 'Send bestilling' }).click();
  await cw.page.getByText('Bestillingen er sendt').waitFor();
  const reference = (await cw.page.getByRole('heading', { level: 1 }).textContent()).replace('Bestilling ', '').trim();

  // The supplier asks for the phone number, with a reason.
  const sup = await login(browser, skjold.base, 'mentorhuset');
  await sup.page.getByRole('link', { name: reference }).click();
  assert.deepEqual(await fieldsOf(sup.page, '#disclosed'), ['name', 'target_group', 'job_goal', 'language_skills']);
  await sup.page.getByLabel('Telefon').check();
  await sup.page.getByLabel('Begrundelse').fill('Mentoren skal kunne ringe til borgeren før første møde.');
  await sup.page.getByRole('button', { name: 'Send anmodning' }).click();
  await sup.page.getByText('Anmodningen er sendt').waitFor();
  await shot(sup.page, '13-supplier-request');

  // The caseworker sees it on the start page, with the data beside it, and approves.
  await cw.page.goto(`${skjold.base}/borgere`);
  await cw.page.locator('#open-requests').getByRole('link', { name: reference }).click();
  await cw.page.getByRole('heading', { name: /Anmodning om oplysninger/ }).waitFor();
  await shot(cw.page, '14-caseworker-request');
  // Each requested field is decided on its own: the phone number is approved.
  await cw.page.getByRole('group', { name: 'Afgørelse om telefon' }).getByLabel('Godkend').check();
  await cw.page.getByLabel('Begrundelse for telefon').fill('Borgeren har sagt ja til opkald fra mentoren.');
  await cw.page.getByRole('button', { name: 'Gem afgørelsen' }).click();
  await cw.page.getByText('Anmodningen er afgjort').waitFor();
  assert.deepEqual(await fieldsOf(cw.page, '#disclosures'), ['name', 'target_group', 'job_goal', 'language_skills', 'phone']);

  // A message with a CPR number is stopped by the guard until confirmed.
  await cw.page.getByLabel('Ny besked').fill(`Borgerens CPR-nummer er ${citizen.cpr}.`);
  await cw.page.getByRole('button', { name: 'Send besked' }).click();
  await cw.page.locator('.skjold-error-summary').getByText('beskeden indeholder et CPR-nummer', { exact: false }).waitFor();
  await cw.page.getByLabel('Begrundelse for at sende alligevel').waitFor();
  await shot(cw.page, '15-guard');
  await cw.page.getByLabel('Ny besked').fill('Første møde er tirsdag kl. 10 i jobcentret.');
  await cw.page.getByRole('button', { name: 'Send besked' }).click();
  await cw.page.getByText('Beskeden er sendt').waitFor();
  await cw.context.close();

  // The supplier now sees the phone number, the decision and the message.
  await sup.page.reload();
  assert.deepEqual(await fieldsOf(sup.page, '#disclosed'), ['name', 'target_group', 'job_goal', 'language_skills', 'phone']);
  const thread = await sup.page.locator('#thread').textContent();
  assert.ok(thread.includes('Anmodningen er godkendt'));
  assert.ok(thread.includes('Første møde er tirsdag'));
  assert.ok(!thread.includes(citizen.cpr), 'the stopped message was not sent');
  await shot(sup.page, '16-supplier-thread');
  await sup.context.close();
});

test('the demo shows the current code, the printed key gives it too; a user changes their password', async () => {
  const context = await browser.newContext({ locale: 'da-DK' });
  const page = await context.newPage();
  await page.goto(`${skjold.base}/login`);
  await page.getByLabel('Brugernavn').fill('revisor');
  await page.getByLabel('Adgangskode').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log ind' }).click();
  await page.locator('#demo-code-box').waitFor();
  assert.match(await page.locator('#demo-code-box').textContent(), /Demo: engangskoden for revisor er lige nu \d{3} \d{3}\. I en rigtig installation/);
  const shown = (await page.locator('#demo-code').textContent()).replace(' ', '');
  const now = Date.now();
  const fromKey = [now - 30_000, now, now + 30_000].map((t) => totp(skjold.secrets.get('revisor'), t));
  assert.ok(fromKey.includes(shown), `the printed key gives ${fromKey}, the page shows ${shown}`);
  await shot(page, '17-demo-code');
  await page.getByLabel('Engangskode').fill(shown);
  await page.getByRole('button', { name: 'Log ind' }).click();
  await page.getByRole('link', { name: 'Adgangslog' }).waitFor();

  // Change the password from the header link: a wrong current password is refused.
  const fresh = 'revisorens nye adgangskode';
  await page.getByRole('link', { name: 'Skift adgangskode' }).click();
  await page.getByLabel('Nuværende adgangskode').fill('forkert gæt');
  await page.getByLabel(/^Ny adgangskode/).fill(fresh);
  await page.getByLabel('Gentag ny adgangskode').fill(fresh);
  await page.getByRole('button', { name: 'Skift adgangskode' }).click();
  await page.getByText('Den nuværende adgangskode er forkert').waitFor();
  await shot(page, '18-password-refused');
  await page.getByLabel('Nuværende adgangskode').fill(PASSWORD);
  await page.getByLabel(/^Ny adgangskode/).fill(fresh);
  await page.getByLabel('Gentag ny adgangskode').fill(fresh);
  await page.getByRole('button', { name: 'Skift adgangskode' }).click();
  await page.getByText('Din adgangskode er skiftet').waitFor();
  await shot(page, '19-password-changed');
  await page.getByRole('button', { name: 'Log af' }).click();
  await context.close();

  // The new password signs in (with the next code); the old one no longer does.
  const again = await login(browser, skjold.base, 'revisor', fresh);
  await again.page.getByRole('link', { name: 'Adgangslog' }).waitFor();
  await again.context.close();
  const old = await browser.newContext({ locale: 'da-DK' });
  const oldPage = await old.newPage();
  await oldPage.goto(`${skjold.base}/login`);
  await oldPage.getByLabel('Brugernavn').fill('revisor');
  await oldPage.getByLabel('Adgangskode').fill(PASSWORD);
  await oldPage.getByRole('button', { name: 'Log ind' }).click();
  await oldPage.getByText('Forkert brugernavn eller adgangskode').waitFor();
  await old.close();
});

/** A PEPPOL BIS 3 invoice whose note names a citizen: it waits for review. */
function invoiceNamingACitizen(id) {
  const today = new Date().toISOString().slice(0, 10);
  return `<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
<cbc:ID>${id}</cbc:ID><cbc:IssueDate>${today}</cbc:IssueDate><cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
<cbc:Note>Vedr. borger Karen Margrethe Lund, CPR 020304-1122, tlf. 22 33 44 55</cbc:Note>
<cbc:DocumentCurrencyCode>DKK</cbc:DocumentCurrencyCode>
<cac:AccountingSupplierParty><cac:Party><cbc:EndpointID schemeID="0184">DK10000025</cbc:EndpointID><cac:PartyName><cbc:Name>Grønt fra Fyn ApS</cbc:Name></cac:PartyName></cac:Party></cac:AccountingSupplierParty>
<cac:AccountingCustomerParty><cac:Party><cac:PartyName><cbc:Name>Københavns Kommune (demo)</cbc:Name></cac:PartyName></cac:Party></cac:AccountingCustomerParty>
<cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="DKK">1290.00</cbc:LineExtensionAmount><cbc:PayableAmount currencyID="DKK">1612.50</cbc:PayableAmount></cac:LegalMonetaryTotal>
<cac:InvoiceLine><cbc:ID>1</cbc:ID><cbc:InvoicedQuantity unitCode="KGM">100</cbc:InvoicedQuantity><cbc:LineExtensionAmount currencyID="DKK">1290.00</cbc:LineExtensionAmount>
<cac:Item><cbc:Name>Økologiske gulerødder</cbc:Name><cac:CommodityClassification><cbc:ItemClassificationCode listID="UNSPSC">50401700</cbc:ItemClassificationCode></cac:CommodityClassification></cac:Item>
<cac:Price><cbc:PriceAmount currencyID="DKK">12.90</cbc:PriceAmount></cac:Price></cac:InvoiceLine>
</Invoice>`;
}

test('a buyer uploads an invoice, the reviewer approves it, the report counts it; desktop and phone', async () => {
  const buyer = await login(browser, skjold.base, 'indkoeber');
  await buyer.page.goto(`${skjold.base}/fakturaer`);
  const before = await buyer.page.locator('#noegletal dd').first().textContent();
  await buyer.page.getByLabel('Fakturaer og kreditnotaer').setInputFiles({
    name: 'faktura-e2e.xml', mimeType: 'application/xml', buffer: Buffer.from(invoiceNamingACitizen('E2E-1')),
  });
  await buyer.page.getByRole('button', { name: 'Send' }).click();
  await buyer.page.getByText('Fakturaerne er modtaget').waitFor();
  assert.match(await buyer.page.locator('#modtaget').textContent(), /1 nye dokumenter.*1 venter på manuel gennemgang/s);
  await shot(buyer.page, '30-invoices-sent');

  const reviewer = await login(browser, skjold.base, 'kontrollant');
  await reviewer.page.goto(`${skjold.base}/analyse/gennemgang`);
  await reviewer.page.getByRole('link', { name: 'E2E-1' }).click();
  const doc = await reviewer.page.locator('#dokument').textContent();
  assert.ok(!doc.includes('Karen Margrethe Lund') && !doc.includes('020304-1122'), 'the reviewer sees the anonymised text only');
  assert.ok(await reviewer.page.locator('#dokument mark').count() >= 2, 'the codes are highlighted');
  assert.equal(await reviewer.page.title(), 'Gennemgang af dokument – Skjold', 'the title carries nothing of the document');
  await shot(reviewer.page, '31-invoice-review');
  await reviewer.page.getByLabel('Skjul også (valgfrit)').fill('Vedr. borger');
  await reviewer.page.getByLabel('Bemærkning').fill('Koderne er kontrolleret');
  await reviewer.page.getByRole('button', { name: 'Registrér afgørelsen' }).click();
  await reviewer.page.getByText('Dokumentet er godkendt').waitFor();
  await reviewer.context.close();

  for (const width of [1280, 375]) {
    await buyer.page.setViewportSize({ width, height: 900 });
    await buyer.page.goto(`${skjold.base}/fakturaer`);
    const after = await buyer.page.locator('#noegletal dd').first().textContent();
    const n = (s) => Number(s.split(' ')[0].replace(/\./g, ''));
    assert.equal(n(after), n(before) + 1, `${before} → ${after}`);
    assert.ok(await buyer.page.locator('figure.skjold-chart svg').count() >= 3);
    assert.ok(await buyer.page.locator('#sammenligning-tabel').isVisible());
    const wide = await buyer.page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(wide[0] <= wide[1], `the report scrolls sideways at ${width}`);
    await shot(buyer.page, `32-invoice-report-${width}`);
  }
  await buyer.context.close();
});

/** The order's content: what the supplier is to do, for how long and how much. */
async function fillContent(page) {
  const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel('Opgave').fill('Ugentlige samtaler om at fastholde jobbet');
  await page.getByLabel('Periode fra').fill(day(0));
  await page.getByLabel('Periode til').fill(day(90));
  await page.getByLabel('Omfang').fill('4 timer om ugen');
}

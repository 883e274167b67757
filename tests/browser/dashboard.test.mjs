// dashboard.test.mjs: the dashboard as a manager uses it, in Debian's Chromium through
// playwright-core: signing in, every page, the filters, a CSV download, an alert acknowledged,
// a rule refused and added, a report downloaded, a viewer's limits, signing out; axe-core on
// every page; screenshots at 1440×900 (1280 for alerts, rules and reports) and 390×844. Started
// by run-browser-tests.sh with the server's URL, two users and the figures the data set must give;
// prints TAP and exits non-zero when a case fails.
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import fs from 'node:fs/promises';
import path from 'node:path';

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    console.log(`Bail out! ${name} is not set (start this through run-browser-tests.sh)`);
    process.exit(1);
  }
  return value;
};

const base = env('DASH_URL');
const admin = { name: env('DASH_ADMIN'), password: env('DASH_ADMIN_PASSWORD') };
const viewer = { name: env('DASH_VIEWER'), password: env('DASH_VIEWER_PASSWORD') };
const expected = JSON.parse(env('DASH_EXPECTED'));
const shots = env('DASH_SCREENSHOTS');
const downloads = env('DASH_DOWNLOADS');
const knownDay = expected.knownDay;
const axeSource = await fs.readFile(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const STEP_TIMEOUT_MS = 20000;

// TAP

const cases = [];
const test = (name, fn) => cases.push({ name, fn });

class Failure extends Error {}
function check(condition, message) {
  if (!condition)
    throw new Failure(message);
}
function equal(actual, wanted, what) {
  check(actual === wanted,
        `${what}: got ${JSON.stringify(actual)}, wanted ${JSON.stringify(wanted)}`);
}

// The browser

const browser = await chromium.launch({
  executablePath: env('CHROMIUM'),
  // Without the background-networking flags Chromium calls home, which a closed network refuses.
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

// Every page's console errors (a blocked script or style under the CSP shows here) and dialogs
// (a comment's <script> that ran) fail the case that opened the page.
const problems = [];
async function newContext(viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, locale: 'en-GB', acceptDownloads: true });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  context.on('page', watch);
  return context;
}
function watch(page) {
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/status of 40[0134]/.test(msg.text()))
      problems.push(`console error on ${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`script error on ${page.url()}: ${error.message}`));
  page.on('dialog', async (dialog) => {
    problems.push(`a dialog opened on ${page.url()}: ${dialog.message()}`);
    await dialog.dismiss();
  });
}

async function signIn(page, user) {
  await page.goto(`${base}/login`);
  await page.fill('#login-name', user.name);
  await page.fill('#login-password', user.password);
  await Promise.all([page.waitForURL((url) => url.pathname !== '/login'),
                     page.click('form[action="/login"] button[type="submit"]')]);
}

// axe-core: every violation printed as a TAP comment; serious and critical ones fail.
const axeFindings = [];
async function axe(page, label) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa',
                                     'best-practice'] },
  }));
  const bad = [];
  for (const v of result.violations) {
    const where = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ');
    const line = `axe ${label}: ${v.impact} ${v.id} (${v.nodes.length}×): ${v.help} – ${where}`;
    axeFindings.push(line);
    console.log(`# ${line}`);
    if (v.impact === 'serious' || v.impact === 'critical')
      bad.push(line);
  }
  console.log(`# axe ${label}: ${result.passes.length} rules passed, ` +
              `${result.violations.length} violated, ${result.incomplete.length} to check by hand`);
  for (const v of result.incomplete)
    console.log(`# axe ${label}: to check by hand: ${v.id} (${v.nodes.length}×): ${v.help}`);
  check(bad.length === 0, `axe found serious or critical problems:\n${bad.join('\n')}`);
}

// Nothing may make the page itself wider than the screen: wide tables scroll in their box.
async function noSidewaysScroll(page, label) {
  const widths = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    screen: document.documentElement.clientWidth,
    wide: Array.from(document.querySelectorAll('main *'))
      .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                     && !e.closest('.table-wrap'))
      .slice(0, 3).map((e) => `${e.tagName.toLowerCase()}.${e.className}`),
  }));
  check(widths.page <= widths.screen,
        `${label}: the page is ${widths.page} px wide on a ${widths.screen} px screen ` +
        `(too wide: ${widths.wide.join(', ')})`);
}

async function screenshot(page, name) {
  await fs.mkdir(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

// Each page at both sizes: axe at each, a screenshot of each, no sideways scrolling on the phone.
async function inspect(context, url, name) {
  const page = await context.newPage();
  for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    await page.setViewportSize(viewport);
    const response = await page.goto(url);
    equal(response.status(), 200, `${url} status`);
    await axe(page, `${name} (${size})`);
    await noSidewaysScroll(page, `${name} (${size})`);
    await screenshot(page, `${name}-${size}`);
  }
  await page.close();
}

const text = async (page, selector) =>
  (await page.textContent(selector)).replace(/\s+/g, ' ').trim();
// "78 (n = 219)" → { index: '78', n: '219' }
function indexCell(cellText) {
  const m = /^(\S+) \(n = ([\d,.\u00a0]+)\)/.exec(cellText.replace(/\u00a0/g, ' '));
  check(m, `not a Happy Index cell: "${cellText}"`);
  return { index: m[1], n: m[2].replace(/[^\d]/g, '') };
}
const month = (site, key) => {
  const e = expected.month[`${site}:${key}`];
  return { index: String(e.index), n: String(e.n) };
};
async function overviewRow(page, title) {
  const row = page.locator('table.overview tbody tr', { hasText: title });
  return {
    month: indexCell((await row.locator('td').nth(2).textContent()).trim()),
    responses: (await row.locator('td').nth(3).textContent()).replace(/[^\d]/g, ''),
  };
}

// The cases, in order: they share the admin's browser context.

let adminContext;
let adminPage;

test('sign-in: a wrong password is refused with a message, the right one opens the overview',
  async () => {
    adminContext = await newContext();
    adminPage = await adminContext.newPage();
    const page = adminPage;
    await page.goto(`${base}/`);
    check(new URL(page.url()).pathname === '/login', `/ without a session went to ${page.url()}`);
    await axe(page, 'sign-in');
    await page.fill('#login-name', admin.name);
    await page.fill('#login-password', 'not the password at all');
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.click('form[action="/login"] button[type="submit"]'),
    ]);
    equal(refused.status(), 401, 'wrong password status');
    equal(await text(page, '.alert[role="alert"]'), 'The name or the password is wrong.',
          'the alert');
    equal(await page.inputValue('#login-name'), admin.name, 'the name kept in the form');
    await axe(page, 'sign-in with an error');
    await page.setViewportSize(PHONE);
    await screenshot(page, 'login-error-phone');
    await page.setViewportSize(DESKTOP);
    await screenshot(page, 'login-error-desktop');

    await page.fill('#login-password', admin.password);
    await Promise.all([page.waitForURL(`${base}/`),
                       page.click('form[action="/login"] button[type="submit"]')]);
    equal(await text(page, 'h1'), 'Overview', 'the heading after signing in');
    equal(await text(page, '.account .user'), admin.name, 'the user shown');
  });

test('the session cookie is Secure, HttpOnly and SameSite=Strict, and Chromium keeps it on ' +
     'http://localhost', async () => {
  const cookies = await adminContext.cookies(base);
  const session = cookies.find((c) => c.name === 'sk_session');
  check(session, `no sk_session cookie among ${cookies.map((c) => c.name).join(', ')}`);
  equal(session.secure, true, 'Secure');
  equal(session.httpOnly, true, 'HttpOnly');
  equal(session.sameSite, 'Strict', 'SameSite');
  check(!cookies.some((c) => c.name === 'sk_login'), 'the login cookie was not cleared');
});

test('overview: every site, the 30-day figures as the responses give them', async () => {
  const page = adminPage;
  const titles = await page.locator('table.overview tbody th').allTextContents();
  equal(titles.join(' | '), 'Berlin Mitte | Hamburg Harbour | Helsinki Airport, Gate 12',
        'the sites');
  for (const [site, title] of [['berlin-mitte', 'Berlin Mitte'],
                               ['hamburg-harbour', 'Hamburg Harbour'],
                               ['hel-airport', 'Helsinki Airport, Gate 12']]) {
    const row = await overviewRow(page, title);
    equal(`${row.month.index} (n = ${row.month.n})`,
          `${month(site, 'all').index} (n = ${month(site, 'all').n})`, `${title} 30 days`);
  }
  const silent = page.locator('table.overview tbody tr.silent');
  equal(await silent.count(), 1, 'sites with a silent kiosk');
  check((await silent.textContent()).includes('1 silent'), 'Berlin Mitte says "1 silent"');
  await inspect(adminContext, `${base}/`, 'overview');
});

test('overview: the misuse switch and the survey filter change the figures as they should',
  async () => {
    const page = adminPage;
    await page.goto(`${base}/`);
    await page.check('#f-misuse');
    await Promise.all([page.waitForURL(/misuse=1/), page.click('form.filters button')]);
    let row = await overviewRow(page, 'Berlin Mitte');
    const withMisuse = month('berlin-mitte', 'misuse');
    equal(`${row.month.index} (n = ${row.month.n})`, `${withMisuse.index} (n = ${withMisuse.n})`,
          'Berlin Mitte 30 days with misuse');
    check(Number(withMisuse.n) === Number(month('berlin-mitte', 'all').n) + 5,
          'the five misuse answers are counted');
    check(await page.isChecked('#f-misuse'), 'the switch stays on');

    await page.uncheck('#f-misuse');
    await page.selectOption('#f-survey', 'small-shop');
    await Promise.all([page.waitForURL(/survey=small-shop/), page.click('form.filters button')]);
    row = await overviewRow(page, 'Berlin Mitte');
    const small = month('berlin-mitte', 'small-shop');
    equal(`${row.month.index} (n = ${row.month.n})`, `${small.index} (n = ${small.n})`,
          'Berlin Mitte 30 days, survey small-shop');
    const hamburg = await overviewRow(page, 'Hamburg Harbour');
    equal(hamburg.month.n, '0', 'Hamburg Harbour has no small-shop answers');
    equal(await page.inputValue('#f-survey'), 'small-shop', 'the survey stays chosen');
  });

test('site: one day gives HappyOrNot\'s example, 78 (n = 219); with misuse 76 (n = 224)',
  async () => {
    const page = adminPage;
    await page.goto(`${base}/`);
    await Promise.all([page.waitForURL(/\/sites\/berlin-mitte/),
                       page.click('table.overview a:text-is("Berlin Mitte")')]);
    equal(await text(page, 'h1'), 'Berlin Mitte', 'the heading');
    await page.fill('#f-from', knownDay);
    await page.fill('#f-to', knownDay);
    await Promise.all([page.waitForURL(new RegExp(`from=${knownDay}&to=${knownDay}`)),
                       page.click('form.filters button')]);
    const faces = page.locator('#faces + p');
    equal(indexCell((await faces.textContent()).replace(/^.*: /, '').trim()).index, '78',
          'Happy Index of the day');
    const counts = await page.locator('table.faces tbody td:nth-child(2)').allTextContents();
    equal(counts.join(' '), '126 60 16 17', 'the faces, very happy first');
    check((await text(page, 'main')).includes('5 responses flagged as misuse are left out.'),
          'the misuse note');
    const unhappy = page.locator('table.reasons').first().locator('tbody tr').first();
    // The option's label as the visitors saw it ("Waiting time"), or its id where none is known.
    check(/Waiting time|waiting-time/.test(await unhappy.textContent()),
          `the first unhappy reason is ${await unhappy.textContent()}`);

    const comments = await page.locator('table.comments').textContent();
    for (const wanted of ['<script>alert("xss")</script> Kassen zu langsam',
                          'Très bien, le café était délicieux – à bientôt',
                          'Super Service 😀👍🏽'])
      check(comments.includes(wanted), `the comment "${wanted}" as written`);
    equal(await page.locator('table.comments script').count(), 0,
          'a comment\'s <script> as markup');
    equal(await page.locator('table.comments td[lang="fr"]').count(), 1,
          'the French comment marked lang="fr"');

    await page.check('#f-misuse');
    await Promise.all([page.waitForURL(/misuse=1/), page.click('form.filters button')]);
    equal(indexCell((await faces.textContent()).replace(/^.*: /, '').trim()).n, '224',
          'responses with misuse');
    equal(indexCell((await faces.textContent()).replace(/^.*: /, '').trim()).index, '76',
          'Happy Index with misuse');
    check((await page.locator('table.comments tr.misuse').textContent()).includes('spam spam spam'),
          'the misuse comment, flagged');
  });

test('site: the daily CSV downloads through its link and holds the day\'s row', async () => {
  const page = adminPage;
  await page.goto(`${base}/sites/berlin-mitte`);
  const link = page.locator('#trend ~ p.download a').first();
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  equal(download.suggestedFilename(), 'berlin-mitte-daily.csv', 'the file name');
  const file = path.join(downloads, download.suggestedFilename());
  await download.saveAs(file);
  const lines = (await fs.readFile(file, 'utf8')).split(/\r?\n/);
  equal(lines[0], 'date,happy_index,responses,misuse,all_responses', 'the header');
  check(lines.includes(`${knownDay},78.2,219,5,224`),
        `no row "${knownDay},78.2,219,5,224" in:\n${lines.join('\n')}`);
  equal(lines.filter((l) => /^\d{4}-\d\d-\d\d,/.test(l)).length, 30, 'a row a day for 30 days');
  await inspect(adminContext, `${base}/sites/berlin-mitte?from=${knownDay}&to=${knownDay}`,
                'site');
});

test('compare: sites ranked, each beside its type and country', async () => {
  const page = adminPage;
  await page.goto(`${base}/`);
  await Promise.all([page.waitForURL(`${base}/compare`), page.click('nav a:text-is("Compare")')]);
  equal(await page.getAttribute('nav a:text-is("Compare")', 'aria-current'), 'page',
        'the current page in the navigation');
  const rows = page.locator('table.compare tbody tr');
  equal(await rows.count(), 3, 'sites');
  const indices = [];
  for (let i = 0; i < 3; i++)
    indices.push(Number(indexCell(await rows.nth(i).locator('td').nth(1).textContent()).index));
  check(indices[0] >= indices[1] && indices[1] >= indices[2], `not ranked: ${indices}`);
  const berlin = rows.filter({ hasText: 'Berlin Mitte' });
  equal(indexCell(await berlin.locator('td').nth(1).textContent()).index,
        month('berlin-mitte', 'all').index, 'Berlin Mitte');
  equal(await text(page, 'table.groups tbody th'), 'North', 'the group');
  await inspect(adminContext, `${base}/compare`, 'compare');
});

test('fleet: every kiosk, the silent one marked', async () => {
  const page = adminPage;
  await page.goto(`${base}/fleet`);
  equal(await page.locator('table.fleet tbody tr').count(), 5, 'kiosks');
  check((await text(page, 'main')).includes('5 kiosks, 1 silent'), 'the summary');
  const silent = page.locator('table.fleet tbody tr.silent');
  equal(await silent.count(), 1, 'silent kiosks');
  equal(await text(page, 'table.fleet tbody tr.silent th'), 'bm-checkout', 'the silent one');
  check((await silent.textContent()).includes('upload: could not connect to the server'),
        'its last error');
  check((await text(page, 'table.fleet tbody tr:has-text("hel-spare")')).includes('never'),
        'a kiosk never heard from');
  await inspect(adminContext, `${base}/fleet`, 'fleet');
});

// The alerts, rules and reports pages: axe at both sizes, nothing wider than a phone, and the
// documentation's screenshots at 1280 (desktop) and 390 (phone) px.
const DOCS_DESKTOP = { width: 1280, height: 900 };
async function checkPage(page, label, shots) {
  for (const [size, viewport] of [['desktop', DOCS_DESKTOP], ['phone', PHONE]]) {
    await page.setViewportSize(viewport);
    await axe(page, `${label} (${size})`);
    await noSidewaysScroll(page, `${label} (${size})`);
    if (shots[size])
      await screenshot(page, shots[size]);
  }
  await page.setViewportSize(DESKTOP);
}

test('alerts: the open episodes in words, one acknowledged with a comment', async () => {
  const page = adminPage;
  await page.goto(`${base}/`);
  const nav = page.locator('nav.main-nav a[href="/alerts"]');
  equal((await nav.textContent()).replace(/\s+/g, ' ').trim(), 'Alerts 2 open',
        'the navigation counts the open alerts');
  await Promise.all([page.waitForURL(`${base}/alerts`), nav.click()]);
  equal(await page.getAttribute('nav a[href="/alerts"]', 'aria-current'), 'page',
        'the current page in the navigation');
  const cards = page.locator('ul.episodes > li');
  equal(await cards.count(), 2, 'open episodes');
  const lunch = cards.filter({ hasText: 'berlin-lunch' });
  equal(await text(page, 'ul.episodes > li:has-text("berlin-lunch") .figure'),
        '62% unhappy of 8 responses in 60 minutes', 'the figure that made it hold');
  equal((await lunch.locator('ol.reasons li').allTextContents()).join(' | '),
        'Waiting time (4) | Staff (2) | Cleanliness (1)', 'the top three reasons');
  check((await lunch.locator('ul.comments').textContent())
          .includes('<b>Waited</b> twenty minutes'), 'a comment as written');
  equal(await lunch.locator('ul.comments b').count(), 0, 'a comment\'s markup as text');
  check((await lunch.textContent()).includes('Berlin Mitte'), 'the site');
  check((await text(page, '#history')).includes('History'), 'the history');
  check((await text(page, 'table.history')).includes('A second till opened'),
        'the closed episode\'s acknowledgement');

  await lunch.locator('input[name="comment"]').fill('Opened a second till');
  await Promise.all([page.waitForURL(/result=acknowledged/),
                     lunch.locator('button:text-is("Acknowledge")').click()]);
  equal(await text(page, 'p.done'), 'The alert is acknowledged.', 'the result');
  const acknowledged = page.locator('ul.episodes > li', { hasText: 'berlin-lunch' });
  const ack = (await acknowledged.locator('.ack').textContent()).replace(/\s+/g, ' ');
  check(ack.startsWith(`Acknowledged by ${admin.name} on `) &&
        ack.endsWith(': Opened a second till'), `the acknowledgement: "${ack}"`);
  equal(await acknowledged.locator('form.acknowledge').count(), 0,
        'no second acknowledgement form');

  const [download] = await Promise.all([page.waitForEvent('download'),
                                        page.click('a[href^="/alerts.csv"]')]);
  const file = path.join(downloads, download.suggestedFilename());
  await download.saveAs(file);
  const lines = (await fs.readFile(file, 'utf8')).split(/\r?\n/);
  check(lines[0].startsWith('rule,kind,site,kiosk,opened_at,closed_at,'), `the header ${lines[0]}`);
  check(lines.some((l) => l.startsWith('berlin-lunch,unhappy-share,berlin-mitte,') &&
                          l.includes('A second till opened')), 'the closed episode\'s row');
  await checkPage(page, 'alerts', { desktop: 'alerts', phone: 'alerts-phone' });
});

test('alert rules: a bad rule is refused with its problem and the input kept; a good one is ' +
     'listed', async () => {
  const page = adminPage;
  await page.goto(`${base}/alerts`);
  await Promise.all([page.waitForURL(`${base}/alerts/rules`), page.click('a:text-is("Alert rules")')]);
  equal((await page.locator('table.rules tbody th').allTextContents()).join(' | '),
        'berlin-lunch | harbour-very-unhappy', 'the rules');
  await page.fill('#r-name', 'harbour-lunch');
  await page.selectOption('#r-kind', 'unhappy-share');
  await page.selectOption('#r-scope', 'site:hamburg-harbour');
  await page.fill('#r-threshold', '150');
  await page.fill('#r-emails', 'manager@example.org\nshift-lead@example.org');
  await page.selectOption('#r-language', 'de');
  const [refused] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.click('form.rule button[type="submit"]'),
  ]);
  equal(refused.status(), 400, 'a refused rule\'s status');
  check((await text(page, '#rule-problems')).includes(
    'threshold: 150 is not a percentage of unhappy responses'), 'the problem is shown');
  equal(await page.inputValue('#r-name'), 'harbour-lunch', 'the name kept');
  equal(await page.inputValue('#r-threshold'), '150', 'the threshold kept');
  equal(await page.inputValue('#r-scope'), 'site:hamburg-harbour', 'the site kept');
  equal(await page.inputValue('#r-language'), 'de', 'the language kept');
  check((await page.inputValue('#r-emails')).includes('shift-lead@example.org'),
        'the addresses kept');
  await axe(page, 'alert rules with a refused rule');

  await page.fill('#r-threshold', '40');
  await Promise.all([page.waitForURL(/saved=harbour-lunch/),
                     page.click('form.rule button[type="submit"]')]);
  equal(await text(page, 'p.done'), 'The rule “harbour-lunch” is saved.', 'the result');
  const row = page.locator('table.rules tbody tr', { hasText: 'harbour-lunch' });
  check((await row.textContent()).includes('At least 40% unhappy of at least 4 responses ' +
                                           'within 15 minutes'), 'the rule in words');
  await checkPage(page, 'alert rules', { desktop: 'rules' });
});

test('reports: a site\'s PDF for a day downloads through the form', async () => {
  const page = adminPage;
  await page.goto(`${base}/`);
  await Promise.all([page.waitForURL(`${base}/reports`), page.click('nav a:text-is("Reports")')]);
  await page.selectOption('#d-scope', 'site:berlin-mitte');
  await page.check('#d-day');
  await page.fill('#d-date', knownDay);
  const [download] = await Promise.all([page.waitForEvent('download'),
                                        page.click('form.report button[type="submit"]')]);
  equal(download.suggestedFilename(), `report-berlin-mitte-${knownDay}.pdf`, 'the file name');
  const file = path.join(downloads, download.suggestedFilename());
  await download.saveAs(file);
  const pdf = await fs.readFile(file);
  equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-', 'the file\'s first bytes');
  const response = await adminContext.request.get(
    `${base}/reports/download?site=berlin-mitte&period=week&date=${knownDay}`);
  equal(response.status(), 200, 'the week\'s report');
  equal(response.headers()['content-type'], 'application/pdf', 'its type');
  check(response.headers()['content-disposition'].startsWith('attachment; filename="report-'),
        `a download: ${response.headers()['content-disposition']}`);
  equal((await response.body()).subarray(0, 5).toString('latin1'), '%PDF-', 'its first bytes');

  await page.fill('#s-name', 'north-weekly');
  await page.selectOption('#s-scope', 'group:north');
  await page.selectOption('#s-period', 'weekly');
  await page.fill('#s-emails', 'area-manager@example.org\nnot an address');
  await page.selectOption('#s-language', 'de');
  const [refused] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.click('form.schedule button[type="submit"]'),
  ]);
  equal(refused.status(), 400, 'a refused schedule\'s status');
  check((await text(page, 'div.problem')).includes('email: “not” is not an e-mail address'),
        `the problem: ${await text(page, 'div.problem')}`);
  equal(await page.inputValue('#s-name'), 'north-weekly', 'the name kept');
  await page.fill('#s-emails', 'area-manager@example.org\nberlin@example.org');
  await Promise.all([page.waitForURL(/added=north-weekly/),
                     page.click('form.schedule button[type="submit"]')]);
  const row = page.locator('table.schedules tbody tr', { hasText: 'north-weekly' });
  equal((await row.locator('td').allTextContents()).slice(0, 5).join(' | '),
        'North (group) | weekly | area-manager@example.orgberlin@example.org | Deutsch | yes',
        'the schedule');
  await checkPage(page, 'reports', { desktop: 'reports' });
});

test('viewer: one site only, no Fleet in the navigation, another site 404, fleet 403',
  async () => {
    const context = await newContext();
    const page = await context.newPage();
    await signIn(page, viewer);
    const nav = await page.locator('nav.main-nav a').allTextContents();
    equal(nav.map((n) => n.replace(/\s+/g, ' ').trim()).join(' | '),
          'Overview | Compare | Alerts 1 open | Reports', 'the navigation');
    equal((await page.locator('table.overview tbody th').allTextContents()).join(' | '),
          'Berlin Mitte', 'the sites');
    let response = await page.goto(`${base}/sites/hamburg-harbour`);
    equal(response.status(), 404, 'another site');
    equal(await text(page, 'h1'), 'Page not found', 'its heading');
    await axe(page, 'not found (viewer)');
    response = await page.goto(`${base}/fleet`);
    equal(response.status(), 403, 'the fleet');
    equal(await text(page, '.error-message'), 'Only administrators may open this page.',
          'the reason');
    response = await page.goto(`${base}/sites/berlin-mitte`);
    equal(response.status(), 200, 'the viewer\'s own site');
    response = await page.goto(`${base}/alerts`);
    equal((await page.locator('ul.episodes > li h3').allTextContents()).join(' | '),
          'berlin-lunch (Share of unhappy responses)', 'the alerts of its site only');
    response = await page.goto(`${base}/alerts/rules`);
    equal(response.status(), 403, 'the alert rules');
    const report = await context.request.get(
      `${base}/reports/download?site=hamburg-harbour&period=day&date=${knownDay}`);
    equal(report.status(), 404, 'another site\'s report');
    response = await page.goto(`${base}/reports`);
    equal(await page.locator('#d-scope option').count(), 1, 'its site only in the report form');
    equal(await page.locator('#schedules').count(), 0, 'no schedules for a viewer');
    await context.close();
  });

test('sign-out: back at the sign-in form, and the old session cookie opens nothing', async () => {
  const page = adminPage;
  await page.goto(`${base}/`);
  const before = (await adminContext.cookies(base)).filter((c) => c.name === 'sk_session');
  equal(before.length, 1, 'a session cookie before');
  await Promise.all([page.waitForURL(`${base}/login`),
                     page.click('form[action="/logout"] button')]);
  equal((await adminContext.cookies(base)).filter((c) => c.name === 'sk_session').length, 0,
        'the cookie after signing out');
  const response = await page.goto(`${base}/compare`);
  check(new URL(page.url()).pathname === '/login', `compare after signing out: ${page.url()}`);
  equal(response.status(), 200, 'the sign-in form');

  // The old cookie, put back as a thief would: the server has ended the session.
  const stolen = await newContext();
  await stolen.addCookies(before);
  const thief = await stolen.newPage();
  await thief.goto(`${base}/fleet`);
  check(new URL(thief.url()).pathname === '/login', `the old cookie opened ${thief.url()}`);
  const csv = await stolen.request.get(`${base}/fleet.csv`, { maxRedirects: 0 });
  equal(csv.status(), 401, 'the fleet CSV with the old cookie');
  await stolen.close();
  await adminContext.close();
});

// Run

const started = Date.now();
let failed = 0;
console.log(`1..${cases.length}`);
for (const [i, c] of cases.entries()) {
  problems.length = 0;
  try {
    await c.fn();
    check(problems.length === 0, problems.join('\n'));
    console.log(`ok ${i + 1} - ${c.name}`);
  } catch (error) {
    failed++;
    console.log(`not ok ${i + 1} - ${c.name}`);
    const detail = error instanceof Failure ? error.message : error.stack;
    for (const line of String(detail).split('\n'))
      console.log(`# ${line}`);
  }
}
await browser.close();
console.log(`# ${cases.length - failed} of ${cases.length} passed in ` +
            `${((Date.now() - started) / 1000).toFixed(1)} s; axe: ${axeFindings.length} ` +
            `finding(s) in all; screenshots in ${shots}`);
process.exit(failed ? 1 : 0);

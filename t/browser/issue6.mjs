// issue6.mjs: issue 6's scenario in a real browser, Debian's chromium
// driven by playwright-core, against a running stack.
//
// Run by t/integ/70-browser.t, which brings the stack up and passes:
//   LK_BASE_URL   http://127.0.0.1:PORT (nginx)
//   LK_SCREENS    directory for the screenshots (t/out/screens)
//   LK_CHROMIUM   the browser (default /usr/bin/chromium)
//   LK_PASSWORD_ALICE, LK_PASSWORD_ADMIN
// It prints one line per check, "ok - name" or "not ok - name", and "# "
// lines for diagnostics; the wrapper numbers them as TAP.
//
// No JavaScript on the pages: everything here is links, forms and
// buttons, as a person would use them.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const base = process.env.LK_BASE_URL;
const screens = process.env.LK_SCREENS || 't/out/screens';
const exe = process.env.LK_CHROMIUM || '/usr/bin/chromium';
const pw = {
	alice: process.env.LK_PASSWORD_ALICE,
	admin: process.env.LK_PASSWORD_ADMIN,
};
// Debian's chromium, never a browser downloaded by playwright.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu',
	'--disable-quic', '--no-first-run', '--disable-background-networking',
	'--disable-component-update', '--disable-sync'];

let failed = 0;
function ok(cond, name) {
	if (!cond)
		failed++;
	console.log(`${cond ? 'ok' : 'not ok'} - ${name}`);
	return cond;
}
function is(got, want, name) {
	if (ok(got === want, name))
		return true;
	diag(`     got: ${JSON.stringify(got)}\nexpected: ${JSON.stringify(want)}`);
	return false;
}
function diag(msg) {
	for (const line of String(msg).split('\n'))
		console.log(`# ${line}`);
}

// An API request the way a client sends one: key in the header.
async function api(key) {
	const r = await fetch(`${base}/users/current.json`, {
		headers: { 'X-Redmine-API-Key': key },
	});
	return r.status;
}

// Poll until the API answers want several times in a row (every worker
// has applied a settings change), for at most 3 s.
async function settle(key, want) {
	const end = Date.now() + 3000;
	let streak = 0, got;
	while (Date.now() < end) {
		got = await api(key);
		streak = got === want ? streak + 1 : 0;
		if (streak >= 5)
			return got;
		await new Promise((res) => setTimeout(res, 20));
	}
	return got;
}

const dirs = [];
async function browser() {
	const dir = mkdtempSync(join(tmpdir(), 'latchkey-chromium-'));
	dirs.push(dir);
	const ctx = await chromium.launchPersistentContext(dir, {
		executablePath: exe,
		headless: true,
		args: ARGS,
		viewport: { width: 1000, height: 720 },
		timeout: 30000,
	});
	ctx.setDefaultTimeout(15000);
	const page = ctx.pages()[0] || await ctx.newPage();
	return { ctx, page };
}

let shot = 0;
async function screenshot(page, name) {
	const file = join(screens,
		`${String(++shot).padStart(2, '0')}-${name}.png`);
	await page.screenshot({ path: file, fullPage: true });
	diag(`screenshot ${file}`);
}

async function signIn(page, login, password) {
	await page.goto(`${base}/login`);
	await page.getByLabel('Login').fill(login);
	await page.getByLabel('Password').fill(password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.waitForLoadState();
}

async function shownKey(page) {
	const text = await page.locator('#api-key-value').textContent();
	return (text || '').trim();
}

async function main() {
	mkdirSync(screens, { recursive: true });
	const a = await browser();
	const page = a.page;

	// --- alice signs in --------------------------------------------------
	await page.goto(`${base}/login`);
	is(await page.title(), 'Sign in - latchkey', 'the sign-in page');
	await screenshot(page, 'login');
	await page.getByLabel('Login').fill('alice');
	await page.getByLabel('Password').fill('wrong-password-1');
	await page.getByRole('button', { name: 'Sign in' }).click();
	ok(await page.getByRole('alert').filter(
		{ hasText: 'Invalid user or password' }).isVisible(),
	'a wrong password: "Invalid user or password"');
	await screenshot(page, 'login-failed');
	await signIn(page, 'alice', pw.alice);
	is(new URL(page.url()).pathname, '/my/account',
		'alice signs in and lands on My account');
	const cookies = await a.ctx.cookies(base);
	const sess = cookies.find((c) => c.name === 'latchkey_session');
	ok(sess && sess.httpOnly && sess.sameSite === 'Lax',
		'the session cookie is HttpOnly and SameSite=Lax');

	// --- My account: show the key, reset it --------------------------------
	await page.getByRole('link', { name: 'My account' }).click();
	is(await page.locator('h1').textContent(), 'My account',
		'alice opens My account');
	ok(await page.getByRole('heading', { name: 'API access key' })
		.isVisible(), 'with an API access key section');
	is(await page.locator('#api-key-value').count(), 0,
		'the key is hidden until asked for');
	await screenshot(page, 'my-account');
	await page.getByRole('link', { name: 'Show' }).click();
	const oldKey = await shownKey(page);
	ok(/^[0-9a-f]{40}$/.test(oldKey), 'Show reveals a 40-hex key');
	await screenshot(page, 'my-account-key-shown');
	is(await api(oldKey), 200, 'the shown key works on the API (200)');

	await page.getByRole('button', { name: 'Reset' }).click();
	await page.waitForLoadState();
	ok(await page.getByRole('status').filter(
		{ hasText: 'Your API access key was reset.' }).isVisible(),
	'the page says "Your API access key was reset."');
	await screenshot(page, 'my-account-key-reset');
	await page.getByRole('link', { name: 'Show' }).click();
	const newKey = await shownKey(page);
	ok(/^[0-9a-f]{40}$/.test(newKey) && newKey !== oldKey,
		'Show now reveals a new key');
	is(await api(oldKey), 401, 'the old key: 401 from the API');
	is(await api(newKey), 200, 'the new key: 200');

	// --- the admin switches the REST web service off and on ----------------
	const b = await browser();
	const admin = b.page;
	await signIn(admin, 'admin', pw.admin);
	await admin.getByRole('link', { name: 'Settings' }).click();
	is(await admin.locator('h1').textContent(), 'Settings',
		'the admin opens Settings');
	const rest = admin.getByLabel('Enable REST web service');
	ok(await rest.isChecked(), 'Enable REST web service is checked');
	ok(await admin.getByLabel('Authentication required').isVisible(),
		'Authentication required is there');
	await screenshot(admin, 'settings');
	await rest.uncheck();
	await admin.getByRole('button', { name: 'Save' }).click();
	await admin.waitForLoadState();
	ok(await admin.getByRole('status').filter(
		{ hasText: 'running workers apply' }).isVisible(),
	'saved; the page says the running workers apply it');
	ok(!(await admin.getByLabel('Enable REST web service').isChecked()),
		'and shows the box unchecked');
	await screenshot(admin, 'settings-saved');
	is(await settle(newKey, 403), 403,
		'REST web service off: an API request with a key gets 403');
	await page.goto(`${base}/my/account`);
	is(await page.getByRole('heading', { name: 'API access key' }).count(),
		0, 'alice\'s My account hides the key section meanwhile');
	await admin.getByLabel('Enable REST web service').check();
	await admin.getByRole('button', { name: 'Save' }).click();
	await admin.waitForLoadState();
	ok(await admin.getByLabel('Enable REST web service').isChecked(),
		'the admin turns it back on');
	is(await settle(newKey, 200), 200, 'the key works again (200)');

	// alice is no administrator.
	const r = await page.goto(`${base}/settings`);
	is(r.status(), 403, 'alice gets 403 on Settings');
	await screenshot(page, 'settings-denied');

	// --- a forged POST changes nothing --------------------------------------
	// A page of another origin with a form aimed at the Reset button's
	// action, without the token; submitted by a click, as a victim would.
	await page.setContent(`<!DOCTYPE html><title>Win a prize</title>
<form method="post" action="${base}/my/api_key">
<input type="hidden" name="x" value="1">
<button type="submit">Claim</button></form>`);
	await page.getByRole('button', { name: 'Claim' }).click();
	await page.waitForLoadState();
	const landed = new URL(page.url()).pathname;
	const refused = await page.locator('h1').textContent();
	ok((landed === '/my/api_key' && refused === 'Form refused') ||
		landed === '/login',
	`the forged cross-site POST is refused (landed on ${landed}: ` +
		`${refused})`);
	await screenshot(page, 'forged-post');
	// The same without a token from the browser itself, cookie and all.
	const forged = await a.ctx.request.post(`${base}/my/api_key`, {
		form: { x: '1' }, maxRedirects: 0,
	});
	is(forged.status(), 403, 'a same-site POST without the token: 403');
	await page.goto(`${base}/my/account?show_key=1`);
	is(await shownKey(page), newKey, 'alice\'s key is unchanged');
	is(await api(newKey), 200, 'and still works');

	// --- sign-out ends the session ------------------------------------------
	await page.getByRole('button', { name: 'Sign out' }).click();
	await page.waitForLoadState();
	is(new URL(page.url()).pathname, '/login', 'signed out: the sign-in page');
	ok(await page.getByRole('status').filter(
		{ hasText: 'You have been signed out.' }).isVisible(),
	'which says so');
	await screenshot(page, 'signed-out');
	const left = (await a.ctx.cookies(base)).find(
		(c) => c.name === 'latchkey_session');
	ok(!left, 'the session cookie is gone');
	await page.goto(`${base}/my/account`);
	is(new URL(page.url()).pathname, '/login',
		'My account now sends to the sign-in page');

	await b.ctx.close();
	await a.ctx.close();
}

try {
	await main();
} catch (e) {
	ok(false, 'the scenario runs to the end');
	diag(e && e.stack ? e.stack : String(e));
} finally {
	for (const d of dirs)
		rmSync(d, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);

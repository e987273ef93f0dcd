#!/usr/bin/env node
// The peer of `make bench`: the usual way to check CORS verdicts with
// Playwright-core, written the way a careful user would write it, so that
// corsproof is compared with a fair baseline rather than a straw man.
//
// For each case it opens a fresh browser context (the same isolation
// corsproof gives: empty preflight cache, HTTP cache and cookies), gives the
// page its origin by fulfilling only the page document at
// ORIGIN/__peer with page.route (the request under test is not
// intercepted), calls fetch in the page and reads the verdict from the
// page's promise: resolved → allowed, TypeError → blocked. It closes the
// context and prints one JSON line {name, verdict, ms, error?} per case.
//
// Usage: node peer.js --cases CASES.json [--browser PATH] [--timeout MS]
//   CASES.json: [{name, origin, method, url, headers, credentials, body}]
//
// Chromium 156 applies Local Network Access checks: a route-fulfilled
// https page has no local address space, so its calls to a loopback target
// are refused (LocalNetworkAccessPermissionDenied). corsproof turns the
// checks off by default (--lna off) and the peer does the same with
// --disable-features=LocalNetworkAccessChecks, so both run under equal
// conditions; the first line on stderr says so. Playwright's own
// --disable-features list is kept: merge-features.sh joins both lists.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

// FLAGS are the flags both tools give Chromium in the benchmark.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// LNA_FEATURE is turned off so loopback targets are reachable, as with
// corsproof --lna off.
const LNA_FEATURE = 'LocalNetworkAccessChecks';

function parseArgs(argv) {
  const opts = { browser: '/usr/bin/chromium', cases: '', timeout: 5000 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    switch (arg) {
      case '--browser': opts.browser = next(); break;
      case '--cases': opts.cases = next(); break;
      case '--timeout': opts.timeout = Number(next()); break;
      default: throw new Error(`unknown argument ${JSON.stringify(arg)}`);
    }
  }
  if (!opts.cases) throw new Error('--cases FILE is required');
  if (!(opts.timeout > 0)) throw new Error('--timeout wants milliseconds above 0');
  return opts;
}

// pageScript runs in the page: the request under test, and the verdict
// taken only from how the promise settles.
async function pageScript(c) {
  const init = { method: c.method, headers: c.headers || {}, credentials: c.credentials || 'same-origin', mode: 'cors' };
  if (c.body) init.body = c.body;
  try {
    const res = await fetch(c.url, init);
    await res.arrayBuffer();
    return { verdict: 'allowed', status: res.status };
  } catch (err) {
    if (err instanceof TypeError) return { verdict: 'blocked', error: String(err.message) };
    return { verdict: 'error', error: String(err) };
  }
}

async function runCase(browser, c, timeout) {
  const start = performance.now();
  const context = await browser.newContext();
  let out;
  try {
    const page = await context.newPage();
    const pageURL = c.origin + '/__peer';
    // Only the page document is fulfilled; the request under test goes out
    // to the network as the browser makes it.
    await page.route(pageURL, (route) => route.fulfill({
      status: 200,
      contentType: 'text/html; charset=utf-8',
      body: '<!doctype html><title>peer</title>',
    }));
    await page.goto(pageURL);
    // While any route is registered Playwright intercepts every request of
    // the page (Fetch.enable for "*"), answers CORS preflights itself with
    // headers that allow everything, and disables the HTTP cache. Removing
    // the route before the request under test turns interception off, so
    // the browser decides as it would for a user.
    await page.unrouteAll();
    let timer;
    const timedOut = new Promise((resolve) => {
      timer = setTimeout(() => resolve({ verdict: 'timeout' }), timeout);
    });
    out = await Promise.race([page.evaluate(pageScript, c), timedOut]);
    clearTimeout(timer);
  } catch (err) {
    out = { verdict: 'error', error: String(err && err.message || err) };
  } finally {
    await context.close();
  }
  const line = { name: c.name, verdict: out.verdict, ms: Math.round(performance.now() - start) };
  if (out.error) line.error = out.error;
  return line;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const cases = JSON.parse(fs.readFileSync(opts.cases, 'utf8'));
  if (!Array.isArray(cases)) throw new Error(`${opts.cases}: want a JSON list of cases`);

  const args = [...FLAGS, `--disable-features=${LNA_FEATURE}`];
  process.stderr.write(`peer: playwright-core ${require('playwright-core/package.json').version}, ` +
    `${opts.browser} ${args.join(' ')} (LNA checks off, as corsproof --lna off)\n`);
  // Playwright's own --disable-features list comes first and Chromium keeps
  // only the last switch of a name: merge-features.sh joins the two and
  // execs the browser, so Playwright's defaults stay as they are.
  const browser = await chromium.launch({
    executablePath: path.join(__dirname, 'merge-features.sh'),
    env: { ...process.env, PEER_BROWSER: opts.browser },
    headless: true,
    args,
  });
  const started = performance.now();
  try {
    // One case at a time, as a Playwright test file runs by default: more
    // concurrency did not raise throughput on 2 cores.
    for (const c of cases) {
      process.stdout.write(JSON.stringify(await runCase(browser, c, opts.timeout)) + '\n');
    }
  } finally {
    await browser.close();
  }
  process.stderr.write(`peer: ${cases.length} cases in ${Math.round(performance.now() - started)} ms\n`);
}

main().catch((err) => {
  process.stderr.write(`peer: error: ${err && err.stack || err}\n`);
  process.exit(2);
});

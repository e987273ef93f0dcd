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
//                     [--mode fresh|reuse] [--workers N] [--host-rules RULES]
//   CASES.json: [{name, origin, method, url, headers, credentials, body}]
//
// --mode reuse is the strongest Playwright setup at the same isolation:
// one context and page per worker, kept for the whole run; between cases
// the browser cache (which holds the preflight cache) is cleared over CDP
// (Network.clearBrowserCache) and the cookies with context.clearCookies();
// a CDP session per page, with Network.enable once, sees each case's
// preflight and Chromium's CorsError, so the peer captures what corsproof
// captures. --host-rules maps the page hosts to a page server (Chromium's
// --host-resolver-rules), as a Playwright user serves pages on many
// origins: then pages load with a plain goto and nothing is intercepted.
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
  const opts = { browser: '/usr/bin/chromium', cases: '', timeout: 5000, mode: 'fresh', workers: 2, hostRules: '' };
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
      case '--mode': opts.mode = next(); break;
      case '--workers': opts.workers = Number(next()); break;
      case '--host-rules': opts.hostRules = next(); break;
      default: throw new Error(`unknown argument ${JSON.stringify(arg)}`);
    }
  }
  if (!opts.cases) throw new Error('--cases FILE is required');
  if (!(opts.timeout > 0)) throw new Error('--timeout wants milliseconds above 0');
  if (opts.mode !== 'fresh' && opts.mode !== 'reuse') throw new Error(`--mode ${JSON.stringify(opts.mode)}: want fresh or reuse`);
  if (!(Number.isInteger(opts.workers) && opts.workers > 0)) throw new Error('--workers wants a whole number above 0');
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

// withTimeout races the page's answer against the case's time-out.
async function withTimeout(promise, timeout) {
  let timer;
  const timedOut = new Promise((resolve) => {
    timer = setTimeout(() => resolve({ verdict: 'timeout' }), timeout);
  });
  try {
    return await Promise.race([promise, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

// openAt loads a page at origin: from the page server when the hosts are
// mapped to it, else by fulfilling only the page document.
async function openAt(page, origin, mapped) {
  const pageURL = origin + '/__peer';
  if (mapped) {
    await page.goto(pageURL);
    return;
  }
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
}

async function runCase(browser, c, timeout, mapped) {
  const start = performance.now();
  const context = await browser.newContext();
  let out;
  try {
    const page = await context.newPage();
    await openAt(page, c.origin, mapped);
    out = await withTimeout(page.evaluate(pageScript, c), timeout);
  } catch (err) {
    out = { verdict: 'error', error: String(err && err.message || err) };
  } finally {
    await context.close();
  }
  const line = { name: c.name, verdict: out.verdict, ms: Math.round(performance.now() - start) };
  if (out.error) line.error = out.error;
  return line;
}

// reuseWorker runs its share of the cases in one context and page, reset
// between cases as corsproof's clean isolation resets its contexts.
async function reuseWorker(browser, queue, timeout, mapped, emit) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  // The events of the case in flight: its preflight and CorsError.
  let seen = { preflight: false, corsError: '' };
  cdp.on('Network.requestWillBeSent', (ev) => {
    if (ev.type === 'Preflight') seen.preflight = true;
  });
  cdp.on('Network.loadingFailed', (ev) => {
    if (ev.corsErrorStatus) seen.corsError = ev.corsErrorStatus.corsError;
  });
  await cdp.send('Network.enable');
  let origin = '';
  try {
    for (let c = queue.shift(); c; c = queue.shift()) {
      const start = performance.now();
      let out;
      try {
        if (origin) {
          await cdp.send('Network.clearBrowserCache');
          await context.clearCookies();
        }
        if (c.origin !== origin) {
          origin = '';
          await openAt(page, c.origin, mapped);
          origin = c.origin;
        }
        seen = { preflight: false, corsError: '' };
        out = await withTimeout(page.evaluate(pageScript, c), timeout);
        if (out.verdict === 'timeout') origin = ''; // the page is in no known state
      } catch (err) {
        out = { verdict: 'error', error: String(err && err.message || err) };
        origin = '';
      }
      const line = { name: c.name, verdict: out.verdict, ms: Math.round(performance.now() - start), preflight: seen.preflight };
      if (seen.corsError) line.cors_error = seen.corsError;
      if (out.error) line.error = out.error;
      emit(line);
    }
  } finally {
    await context.close();
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const cases = JSON.parse(fs.readFileSync(opts.cases, 'utf8'));
  if (!Array.isArray(cases)) throw new Error(`${opts.cases}: want a JSON list of cases`);

  const args = [...FLAGS, `--disable-features=${LNA_FEATURE}`];
  if (opts.hostRules) args.push(`--host-resolver-rules=${opts.hostRules}`);
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
  const emit = (line) => process.stdout.write(JSON.stringify(line) + '\n');
  try {
    if (opts.mode === 'reuse') {
      const queue = [...cases];
      await Promise.all(Array.from({ length: opts.workers }, () => reuseWorker(browser, queue, opts.timeout, !!opts.hostRules, emit)));
    } else {
      // One case at a time, as a Playwright test file runs by default: more
      // concurrency did not raise throughput on 2 cores.
      for (const c of cases) emit(await runCase(browser, c, opts.timeout, !!opts.hostRules));
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

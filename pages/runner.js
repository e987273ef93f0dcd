// The in-page runner: the page calls fetch or XMLHttpRequest exactly as a web
// app would, and reports what JavaScript could see. It adds nothing to the
// request beyond what the case names.
"use strict";
(() => {
  const limit = 4096;
  // How long to wait for the rest of a body once the response has passed
  // the CORS checks: a stream (SSE, long poll) never ends, and its verdict
  // is already known.
  const bodyWait = 1000;
  // readSome reads the body, or gives up after bodyWait and leaves a longer
  // one (a stream) to the browser; Response.text keeps reading it, so the
  // request still ends as a finished one, not an aborted one.
  async function readSome(r) {
    let timer;
    const timeUp = new Promise((resolve) => { timer = setTimeout(() => resolve(null), bodyWait); });
    try {
      const text = await Promise.race([r.text(), timeUp]);
      if (text === null) return { text: "", complete: false };
      return { text: text.slice(0, limit), complete: true };
    } finally {
      clearTimeout(timer);
    }
  }
  function headerPairs(spec) {
    return Object.entries(spec.headers || {});
  }
  function viaXHR(spec) {
    return new Promise((resolve) => {
      const x = new XMLHttpRequest();
      const done = (error, bodyComplete) => {
        const headers = {};
        for (const line of (x.getAllResponseHeaders() || "").split("\r\n")) {
          const i = line.indexOf(":");
          if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
        }
        let body = "";
        try { body = String(x.responseText || "").slice(0, limit); } catch (e) { /* not text */ }
        resolve({ ok: !error && x.status >= 200 && x.status < 300, status: x.status, type: "",
          error: error || "", headers, body, bodyComplete: !!bodyComplete });
      };
      try {
        x.open(spec.method, spec.url, true);
        x.withCredentials = spec.credentials === "include";
        for (const [k, v] of headerPairs(spec)) x.setRequestHeader(k, v);
        let settled = false;
        const once = (error, bodyComplete) => { if (!settled) { settled = true; done(error, bodyComplete); } };
        x.onreadystatechange = () => {
          // A response that passed CORS reaches HEADERS_RECEIVED; give its
          // body bodyWait to finish, as fetch does.
          if (x.readyState === 2 && x.status !== 0) setTimeout(() => once("", false), bodyWait);
        };
        x.onload = () => once("", true);
        x.onerror = () => once("XMLHttpRequest error event (status 0)");
        x.onabort = () => once("XMLHttpRequest aborted");
        x.ontimeout = () => once("XMLHttpRequest timeout");
        x.send(spec.hasBody ? spec.body : null);
      } catch (e) {
        resolve({ ok: false, status: 0, type: "", error: String(e), headers: {}, body: "" });
      }
    });
  }
  async function viaFetch(spec) {
    const init = { method: spec.method, headers: headerPairs(spec), credentials: spec.credentials };
    if (spec.mode) init.mode = spec.mode;
    if (spec.hasBody) init.body = spec.body;
    try {
      const r = await fetch(spec.url, init);
      const headers = {};
      r.headers.forEach((v, k) => { headers[k] = v; });
      let body = { text: "", complete: true };
      try { body = await readSome(r); } catch (e) { /* body failed */ }
      return { ok: r.ok, status: r.status, type: r.type, error: "", headers, body: body.text, bodyComplete: body.complete };
    } catch (e) {
      return { ok: false, status: 0, type: "", error: String(e), headers: {}, body: "" };
    }
  }
  self.__corsproof = {
    info: () => ({ origin: self.origin, secure: self.isSecureContext }),
    run: (spec) => (spec.api === "xhr" ? viaXHR(spec) : viaFetch(spec)),
  };
})();

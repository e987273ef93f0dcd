// The in-page runner: the page calls fetch or XMLHttpRequest exactly as a web
// app would, and reports what JavaScript could see. It adds nothing to the
// request beyond what the case names.
"use strict";
(() => {
  const limit = 4096;
  function headerPairs(spec) {
    return Object.entries(spec.headers || {});
  }
  function viaXHR(spec) {
    return new Promise((resolve) => {
      const x = new XMLHttpRequest();
      const done = (error) => {
        const headers = {};
        for (const line of (x.getAllResponseHeaders() || "").split("\r\n")) {
          const i = line.indexOf(":");
          if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
        }
        let body = "";
        try { body = String(x.responseText || "").slice(0, limit); } catch (e) { /* not text */ }
        resolve({ ok: !error && x.status >= 200 && x.status < 300, status: x.status, type: "",
          error: error || "", headers, body });
      };
      try {
        x.open(spec.method, spec.url, true);
        x.withCredentials = spec.credentials === "include";
        for (const [k, v] of headerPairs(spec)) x.setRequestHeader(k, v);
        x.onload = () => done("");
        x.onerror = () => done("XMLHttpRequest error event (status 0)");
        x.onabort = () => done("XMLHttpRequest aborted");
        x.ontimeout = () => done("XMLHttpRequest timeout");
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
      let body = "";
      try { body = (await r.text()).slice(0, limit); } catch (e) { /* body failed */ }
      return { ok: r.ok, status: r.status, type: r.type, error: "", headers, body };
    } catch (e) {
      return { ok: false, status: 0, type: "", error: String(e), headers: {}, body: "" };
    }
  }
  self.__corsproof = {
    info: () => ({ origin: self.origin, secure: self.isSecureContext }),
    run: (spec) => (spec.api === "xhr" ? viaXHR(spec) : viaFetch(spec)),
  };
})();

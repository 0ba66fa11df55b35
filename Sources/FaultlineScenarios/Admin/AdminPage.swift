/// The live page at `<admin prefix>/ui`: the catalog with a search and curl lines, the journal
/// as it grows, each client's verdict, and the switches (sticky scenario, reset, clock,
/// reload). One self-contained document, no external assets: it works offline and in a
/// container. It reads the admin API with the token its address carries (`?token=`), which it
/// then keeps in the tab's session storage and takes out of the address bar.
enum AdminPage {
    static let answer = LabeledResponse(
        status: 200,
        headers: ["Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", "Content-Security-Policy": "default-src 'self'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"],
        body: Array(html.utf8),
        label: "faultline:admin")

    static let html = #"""
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Faultline</title><link rel="icon" href="data:,">
    <style>
    body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2430}
    header{background:#1d2430;color:#fff;padding:.6em 1em;display:flex;gap:1em;align-items:center;flex-wrap:wrap}
    header h1{font-size:1.1em;margin:0}
    main{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:1em;padding:1em}
    section{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:.8em;min-width:0}
    h2{font-size:1em;margin:0 0 .5em}
    input,select,button{font:inherit;padding:.25em .4em}
    table{border-collapse:collapse;width:100%}td,th{padding:.2em .4em;border-bottom:1px solid #eef0f3;text-align:left;vertical-align:top}
    code,pre{font:12px/1.35 ui-monospace,monospace;white-space:pre-wrap;word-break:break-all}
    .s2{color:#137333}.s3{color:#1a5fb4}.s4{color:#b25b00}.s5{color:#c5221f}
    .badge{display:inline-block;min-width:2.6em;text-align:center;border-radius:3px;padding:0 .3em;color:#fff}
    .b2{background:#137333}.b3{background:#1a5fb4}.b4{background:#b25b00}.b5{background:#c5221f}
    .pass{color:#137333}.warn{color:#b25b00}.fail{color:#c5221f}
    .muted{color:#6b7380}.row{display:flex;gap:.4em;flex-wrap:wrap;margin:.3em 0}
    #catalog{max-height:70vh;overflow:auto}#journal-wrap{max-height:60vh;overflow:auto}
    tr.request{cursor:pointer}#journal td{overflow-wrap:anywhere}
    @media (min-width:1100px){section.wide{grid-column:span 2}}
    </style></head>
    <body>
    <header><h1>Faultline</h1><span id="status" class="muted">connecting…</span></header>
    <main>
    <section><h2>Catalog</h2>
      <input id="search" type="search" placeholder="Search by code, status or message" style="width:100%">
      <div id="catalog"></div></section>
    <section class="wide"><h2>Requests</h2>
      <div class="row"><input id="filter-client" placeholder="client"><input id="filter-vendor" placeholder="vendor"><input id="filter-status" placeholder="status (e.g. 4)"></div>
      <div id="journal-wrap"><table><thead><tr><th>time (UTC)</th><th>status</th><th>request</th><th>scenario</th></tr></thead><tbody id="journal"></tbody></table></div></section>
    <section><h2>Verdicts</h2><div id="verdicts" class="muted">none yet</div></section>
    <section><h2>Switches</h2>
      <div class="row"><select id="sticky-vendor"><option value="">every vendor</option></select><input id="sticky-client" placeholder="client (optional)"></div>
      <div class="row"><input id="sticky-scenario" placeholder="scenario, e.g. 503"><button id="sticky-set">Answer with it</button><button id="sticky-clear">Clear</button></div>
      <div class="row"><input id="reset-client" placeholder="client (empty: everyone)"><button id="reset">Reset</button></div>
      <div class="row"><input id="clock-advance" placeholder="advance, e.g. 24h" size="12"><button id="clock-move">Move clock</button><span id="clock" class="muted"></span></div>
      <div class="row"><button id="reload">Reload files</button></div>
      <pre id="outcome" class="muted"></pre></section>
    </main>
    <script>
    "use strict";
    const prefix = location.pathname.replace(/\/ui\/?$/, "");
    const params = new URLSearchParams(location.search);
    if (params.get("token")) { sessionStorage.setItem("faultline-token", params.get("token")); params.delete("token"); history.replaceState(null, "", location.pathname + (params.toString() ? "?" + params : "")); }
    const token = sessionStorage.getItem("faultline-token");
    const $ = id => document.getElementById(id);
    const cls = s => "s" + String(s)[0];
    const esc = t => String(t).replace(/[&<>"]/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]));
    async function api(path, options = {}) {
      const headers = Object.assign({"Content-Type": "application/json"}, options.headers || {});
      if (token) headers.Authorization = "Bearer " + token;
      const response = await fetch(prefix + path, Object.assign({}, options, {headers}));
      const text = await response.text();
      let body; try { body = JSON.parse(text); } catch { body = text; }
      return {status: response.status, body};
    }
    let catalog = [];
    function renderCatalog() {
      const query = $("search").value.trim().toLowerCase();
      const parts = [];
      for (const vendor of catalog) {
        const rows = [];
        for (const endpoint of vendor.endpoints) {
          const path = endpoint.paths[0] || "";
          for (const s of endpoint.scenarios) {
            const example = s.rendered !== undefined ? s.rendered : (s.body !== undefined ? JSON.stringify(s.body) : (s.text || ""));
            const haystack = [s.name, s.status, s.description || "", example, s.body !== undefined ? JSON.stringify(s.body) : "", endpoint.id].join(" ").toLowerCase();
            if (query && !haystack.includes(query)) continue;
            const curl = `curl -g -i -X ${endpoint.method} '${location.origin}${path.replace(/'/g, "%27")}?scenario=${encodeURIComponent(s.name)}'`;
            rows.push(`<tr class="scenario" data-name="${esc(s.name)}" data-status="${s.status}"><td><span class="badge b${String(s.status)[0]}">${s.status}</span></td>` +
              `<td><b>${esc(s.name)}</b> <span class="muted">${esc(endpoint.method)} ${esc(path)}</span>${s.description ? `<div class="muted">${esc(s.description)}</div>` : ""}` +
              (example ? `<pre>${esc(example.length > 600 ? example.slice(0, 600) + "…" : example)}</pre>` : "") +
              `<code class="curl">${esc(curl)}</code> <button class="copy" data-curl="${esc(curl)}">copy</button></td></tr>`);
          }
        }
        if (rows.length) parts.push(`<h3>${esc(vendor.vendor)} <span class="muted">${esc(vendor.title || "")}</span></h3><table>${rows.join("")}</table>`);
      }
      $("catalog").innerHTML = parts.join("") || '<p class="muted">nothing matches</p>';
    }
    async function loadCatalog() {
      const {status, body} = await api("/scenarios?bodies=true");
      if (status !== 200) { $("status").textContent = status === 401 ? "needs the admin token: open …/ui?token=YOUR_TOKEN" : "catalog: " + status; return; }
      catalog = body.vendors;
      const select = $("sticky-vendor");
      select.innerHTML = '<option value="">every vendor</option>' + catalog.map(v => `<option>${esc(v.vendor)}</option>`).join("");
      renderCatalog();
    }
    const open = new Set();
    let polls = 0, shown = 0;
    async function poll() {
      // Polls overlap (the timer, a click, a filter): an older answer never replaces a newer one.
      const mine = ++polls;
      const {status, body} = await api("/requests?limit=200&answers=true");
      if (mine < shown) return;
      shown = mine;
      if (status !== 200) { $("status").textContent = "journal: " + status; return; }
      $("status").textContent = "live · " + body.requests.length + " requests";
      const client = $("filter-client").value.trim(), vendor = $("filter-vendor").value.trim(), wanted = $("filter-status").value.trim();
      const rows = body.requests.slice().reverse().filter(r => (!client || r.client === client) && (!vendor || r.vendor === vendor) && (!wanted || String(r.status).startsWith(wanted)));
      $("journal").innerHTML = rows.map((r, i) => {
        const key = String(r.sequence);
        const row = `<tr class="request" data-key="${esc(key)}" data-status="${r.status}" data-path="${esc(r.path)}"><td class="muted">${esc(r.time.slice(11, 23))}</td><td><span class="badge b${String(r.status)[0]}">${r.status}</span></td>` +
          `<td>${esc(r.method)} ${esc(r.path)}<div class="muted">${esc(r.client)}${judged[r.client] ? ` · retries: <span class="${esc(judged[r.client])}">${esc(judged[r.client])}</span>` : ""}</div></td><td>${esc(r.scenario || "")}</td></tr>`;
        return open.has(key) ? row + `<tr><td colspan="4"><pre class="answer">${esc(served(r))}</pre></td></tr>` : row;
      }).join("");
    }
    // The answer as served when the page was open for it; else the scenario's body as written.
    function served(r) {
      const head = `${r.method} ${r.path}  →  ${r.status}  (client ${r.client}, endpoint ${r.endpoint || "-"}, scenario ${r.scenario || "-"})`;
      if (r.answer) {
        return head + "\n\nserved:\n" + Object.entries(r.answer.headers).map(([k, v]) => k + ": " + v).join("\n") + "\n\n" + r.answer.body + (r.answer.truncated ? "\n…(truncated)" : "");
      }
      const vendor = catalog.find(v => v.vendor === r.vendor);
      const endpoint = vendor && vendor.endpoints.find(e => e.id === r.endpoint);
      const s = endpoint && endpoint.scenarios.find(x => x.name === (r.scenario || "default"));
      if (!s) return head;
      return head + "\n\nanswered before the page was open; " + s.name + " (" + s.status + ") as its file writes it:\n" + (s.body !== undefined ? JSON.stringify(s.body, null, 1) : (s.text || "(no body)"));
    }
    // Each client's verdict, shown beside its requests too.
    const judged = Object.create(null);
    async function verdicts() {
      const {status, body} = await api("/verdicts");
      if (status !== 200 || !body.clients || !body.clients.length) return;
      for (const c of body.clients) judged[c.client] = c.verdict;
      $("verdicts").classList.remove("muted");
      $("verdicts").innerHTML = body.clients.map(c => `<div class="verdict" data-client="${esc(c.client)}" data-verdict="${esc(c.verdict)}"><b>${esc(c.client)}</b>: <span class="${esc(c.verdict)}">${esc(c.verdict)}</span>` +
        (c.findings || []).map(f => `<div class="muted">· ${esc(f.message || JSON.stringify(f))}</div>`).join("") + "</div>").join("");
    }
    async function clock() { const {body} = await api("/clock"); if (body && body.now) $("clock").textContent = body.now + (body.aheadSeconds ? ` (+${body.aheadSeconds} s)` : ""); }
    function show(result) { $("outcome").textContent = result.status + " " + JSON.stringify(result.body, null, 1); $("outcome").className = cls(result.status); }
    function who() { const o = {}; if ($("sticky-client").value.trim()) o.client = $("sticky-client").value.trim(); if ($("sticky-vendor").value) o.vendor = $("sticky-vendor").value; return o; }
    $("search").addEventListener("input", renderCatalog);
    for (const id of ["filter-client", "filter-vendor", "filter-status"]) $(id).addEventListener("input", poll);
    $("catalog").addEventListener("click", e => { if (e.target.classList.contains("copy")) { navigator.clipboard && navigator.clipboard.writeText(e.target.dataset.curl); e.target.textContent = "copied"; } });
    $("journal").addEventListener("click", e => { const tr = e.target.closest("tr.request"); if (!tr) return; const k = tr.dataset.key; open.has(k) ? open.delete(k) : open.add(k); poll(); });
    $("sticky-set").addEventListener("click", async () => show(await api("/scenario", {method: "PUT", body: JSON.stringify(Object.assign({scenario: $("sticky-scenario").value.trim()}, who()))})));
    $("sticky-clear").addEventListener("click", async () => show(await api("/scenario?" + new URLSearchParams(who()), {method: "DELETE"})));
    $("reset").addEventListener("click", async () => { const c = $("reset-client").value.trim(); show(await api("/reset" + (c ? "?client=" + encodeURIComponent(c) : ""), {method: "POST"})); poll(); });
    $("clock-move").addEventListener("click", async () => { show(await api("/clock", {method: "POST", body: JSON.stringify({advance: $("clock-advance").value.trim() || "0"})})); clock(); });
    $("reload").addEventListener("click", async () => { show(await api("/reload", {method: "POST"})); loadCatalog(); });
    loadCatalog().then(() => { poll(); verdicts(); clock(); });
    setInterval(poll, 1000); setInterval(verdicts, 2000); setInterval(clock, 5000);
    </script></body></html>
    """#
}

// The copytrader dashboard: renders the daemon's live feed (/events, the same figures as
// copytraderctl status and stats) and sends the few actions a trader needs. Data only ever reaches
// the page as text (textContent), never as markup. The token comes in the address's fragment, which
// the browser never sends; it is kept for this tab only and sent in a header with each action.
"use strict";

const tokenKey = "copytrader-dashboard-token";
let token = sessionStorage.getItem(tokenKey) || "";
{
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (match) {
    token = decodeURIComponent(match[1]);
    sessionStorage.setItem(tokenKey, token);
    history.replaceState(null, "", location.pathname); // the token leaves the address bar
  }
}

const $ = (id) => document.getElementById(id);

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function table(node, headings, rows) {
  node.replaceChildren();
  const head = el("tr");
  for (const h of headings) head.append(el("th", h));
  node.append(head);
  for (const row of rows) node.append(row);
}

function shortContract(id) {
  const parts = String(id).split(".");
  return parts.length >= 2 ? parts.slice(-2).join(".") : id;
}

function money(v) {
  return v === null || v === undefined ? "–" : Number(v).toLocaleString(undefined, { maximumFractionDigits: 2 });
}

function timeOf(iso) {
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleTimeString();
}

// ---- actions ----

async function act(body, confirmWords) {
  const result = $("action-result");
  if (!token) {
    result.textContent = "No token: open the address copytraderctl dashboard prints.";
    return;
  }
  if (confirmWords) body.confirm = confirmWords;
  result.textContent = "sending " + body.command + (body.name ? " " + body.name : "") + "…";
  try {
    const answer = await fetch("/api/action", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + token },
      body: JSON.stringify(body),
    });
    const reply = await answer.json().catch(() => ({ ok: false, error: answer.statusText }));
    result.textContent = reply.ok
      ? body.command + (body.name ? " " + body.name : "") + ": done"
      : body.command + " refused: " + (reply.error || answer.status);
    result.className = reply.ok ? "ok" : "bad";
  } catch (e) {
    result.textContent = "the daemon did not answer: " + e;
    result.className = "bad";
  }
}

// The rows are redrawn as the feed changes, so a button carries what it does in data attributes and
// one listener on the table acts on it. Flatten asks twice: a first click arms it for five seconds
// (remembered across redraws), the second sends; a stray click flattens nothing.
const armed = new Map(); // follower -> the time its Flatten stops being armed
let lastFollowersKey = ""; // what the follower rows were last drawn from

function rowButton(label, command, name) {
  const armedNow = command === "flatten" && (armed.get(name) || 0) > Date.now();
  const button = el("button", armedNow ? "Confirm flatten" : label, armedNow ? "danger" : "");
  button.type = "button";
  button.dataset.needsToken = "";
  button.dataset.command = command;
  button.dataset.name = name;
  button.disabled = !token;
  return button;
}

function onRowClick(event) {
  const button = event.target.closest("button[data-command]");
  if (!button) return;
  const { command, name } = button.dataset;
  if (command === "flatten" && !((armed.get(name) || 0) > Date.now())) {
    armed.set(name, Date.now() + 5000);
    button.textContent = "Confirm flatten";
    button.classList.add("danger");
    setTimeout(() => (lastFollowersKey = ""), 5100); // redraw once it is no longer armed
    return;
  }
  armed.delete(name);
  act({ command, name });
}

// ---- rendering ----

function renderHeader(status) {
  const badge = $("copying");
  badge.textContent = status.copying ? (status.dry_run ? "copying (dry run)" : "copying") : "NOT COPYING: " + status.problem;
  badge.className = "badge " + (status.copying ? "ok" : "bad");
}

function renderLeader(status) {
  const leader = status.leader;
  const box = $("leader");
  box.replaceChildren();
  box.append(el("div", "account " + leader.account));
  box.append(el("div", leader.hub_connected ? "hub connected" : "hub DISCONNECTED", leader.hub_connected ? "ok" : "bad"));
  const positions = leader.positions.filter((p) => p.net !== 0);
  box.append(el("div", positions.length ? positions.map((p) => shortContract(p.contract) + " " + p.net).join(", ") : "flat"));
  box.dataset.positions = JSON.stringify(positions.map((p) => [p.contract, p.net]));

  const breaker = $("breaker");
  breaker.replaceChildren();
  const b = status.breaker;
  breaker.append(el("div", b.tripped ? "TRIPPED" : "armed", b.tripped ? "bad" : "ok"));
  breaker.append(el("div", b.max_orders + " copy events per " + b.window_ms / 1000 + " s; trips " + b.trips, "muted"));
}

function renderLogins(status) {
  const rows = status.logins.map((l) => {
    const tr = el("tr");
    tr.append(el("td", l.username));
    tr.append(el("td", Math.floor(l.tokens) + " / " + l.capacity));
    tr.append(el("td", l.waiting));
    tr.append(el("td", l.throttled, l.throttled > 0 ? "warn" : ""));
    tr.append(el("td", l.hub_connected ? "connected" : "DOWN", l.hub_connected ? "ok" : "bad"));
    return tr;
  });
  table($("logins"), ["login", "budget left", "waiting", "429s", "hub"], rows);
}

function positionsCell(f) {
  const td = el("td");
  td.className = "positions";
  let net = 0;
  for (const p of f.positions || []) {
    net += p.position;
    const unprotected = p.position !== 0 && p.stops < Math.abs(p.position);
    let text = shortContract(p.contract) + " " + p.position + "/" + p.target;
    if (p.leader_target !== p.target) text += " (leader " + p.leader_target + (p.held ? ", held: " + p.held : "") + ")";
    text += p.position !== 0 ? " · stop " + p.stops + " target " + p.targets : "";
    td.append(el("div", text, unprotected ? "bad" : p.position === p.target ? "" : "warn"));
  }
  if (!td.childElementCount) td.append(el("div", "flat", "muted"));
  td.dataset.net = String(net);
  return td;
}

function guardCell(g) {
  const td = el("td");
  if (!g || !g.guarded) {
    td.append(el("div", "no risk profile", "muted"));
    return td;
  }
  td.append(el("div", g.state + (g.rule ? " (" + g.rule + ")" : ""), g.state === "active" ? "ok" : "bad"));
  const headroom = [g.mll_headroom, g.daily_loss_headroom].filter((v) => v !== undefined && v !== null);
  if (headroom.length) td.append(el("div", "headroom $" + money(Math.min(...headroom))));
  if (g.day_realized !== undefined) td.append(el("div", "day P&L $" + money(g.day_realized - (g.day_fees || 0))));
  return td;
}

function renderFollowers(status, stats, lastLatency) {
  const figures = new Map((stats.followers || []).map((f) => [f.name, f]));
  // Redrawn only when something shown changed: a button is not swapped under the pointer.
  const key = JSON.stringify([status.followers, [...figures.values()].map((f) => f.last_error), [...lastLatency]]);
  if (key === lastFollowersKey) return;
  lastFollowersKey = key;
  const rows = status.followers.map((f) => {
    const tr = el("tr");
    tr.dataset.follower = f.name;
    tr.append(el("td", f.name + " (" + f.account + ")"));
    tr.append(el("td", f.state + (f.reason ? ": " + f.reason : ""), f.state === "active" ? "ok" : "warn"));
    tr.append(positionsCell(f));
    tr.append(guardCell(f.guard));
    const latency = lastLatency.get(f.name);
    tr.append(el("td", latency === undefined ? "–" : latency + " µs"));
    const error = figures.get(f.name)?.last_error || (f.unmapped ? "unmapped: " + f.unmapped.join(", ") : "");
    tr.append(el("td", error, error ? "bad" : ""));
    const actions = el("td");
    actions.className = "actions";
    if (f.state === "disabled") actions.append(rowButton("Enable", "enable", f.name));
    else actions.append(rowButton("Disable", "disable", f.name));
    actions.append(rowButton("Flatten", "flatten", f.name));
    if (f.guard && f.guard.state && f.guard.state !== "active") actions.append(rowButton("Unlock", "unlock", f.name));
    tr.append(actions);
    return tr;
  });
  table($("followers"), ["follower", "state", "position / target", "guard", "last copy", "last error", ""], rows);
}

function renderCopies(copies) {
  const rows = copies.slice(-20).reverse().map((c) => {
    const tr = el("tr");
    tr.append(el("td", timeOf(c.at)));
    tr.append(el("td", c.follower));
    tr.append(el("td", c.action + " " + c.size + " " + shortContract(c.contract)));
    tr.append(el("td", c.timed ? c.latency_us + " µs" : "–"));
    return tr;
  });
  table($("copies"), ["time", "follower", "action", "latency"], rows);
}

function renderProblems(problems) {
  const list = $("problems");
  list.replaceChildren();
  for (const p of problems.slice(-20).reverse()) {
    list.append(el("li", timeOf(p.at) + " " + p.level + ": " + p.text, p.level === "warning" ? "warn" : "bad"));
  }
  if (!problems.length) list.append(el("li", "none", "muted"));
}

function renderChart(copies) {
  const events = new Map();
  for (const c of copies) {
    if (!c.timed || !c.event) continue;
    const e = events.get(c.event) || { first: Infinity, last: 0 };
    e.first = Math.min(e.first, c.latency_us);
    e.last = Math.max(e.last, c.latency_us);
    events.set(c.event, e);
  }
  const points = [...events.values()].slice(-50);
  const svg = $("chart");
  svg.replaceChildren();
  if (!points.length) {
    $("chart-scale").textContent = "no copies yet";
    return;
  }
  const top = Math.max(...points.map((p) => p.last), 1);
  const x = (i) => (points.length === 1 ? 300 : (i * 600) / (points.length - 1));
  const y = (v) => 155 - (v / top) * 150;
  for (const which of ["first", "last"]) {
    const line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
    line.setAttribute("class", which);
    line.setAttribute("points", points.map((p, i) => x(i).toFixed(1) + "," + y(p[which]).toFixed(1)).join(" "));
    svg.append(line);
  }
  $("chart-scale").textContent = "top of the chart: " + top + " µs, " + points.length + " events";
}

function render(snapshot) {
  const { status, stats, copies, problems } = snapshot;
  const lastLatency = new Map();
  for (const c of copies) if (c.timed) lastLatency.set(c.follower, c.latency_us);
  renderHeader(status);
  renderLeader(status);
  renderLogins(status);
  renderFollowers(status, stats, lastLatency);
  renderCopies(copies);
  renderProblems(problems);
  renderChart(copies);
  document.body.dataset.updated = String(Date.now());
}

// ---- start ----

document.addEventListener("DOMContentLoaded", () => {
  $("token-note").textContent = token
    ? "Actions are enabled in this tab."
    : "Read-only: open the address copytraderctl dashboard prints to use the buttons.";
  for (const b of document.querySelectorAll("[data-needs-token]")) b.disabled = !token;
  $("reset-breaker").addEventListener("click", () => act({ command: "reset-breaker" }));
  $("followers").addEventListener("click", onRowClick);
  $("flatten-all").addEventListener("submit", (event) => {
    event.preventDefault();
    const words = $("flatten-all-words").value.trim();
    if (words !== "FLATTEN ALL") {
      $("action-result").textContent = "type FLATTEN ALL to flatten every follower";
      return;
    }
    $("flatten-all-words").value = "";
    act({ command: "flatten", all: true }, words);
  });
  const feed = new EventSource("/events");
  feed.onopen = () => ($("feed").textContent = "live feed: connected");
  feed.onerror = () => ($("feed").textContent = "live feed: reconnecting…");
  feed.onmessage = (message) => render(JSON.parse(message.data));
});

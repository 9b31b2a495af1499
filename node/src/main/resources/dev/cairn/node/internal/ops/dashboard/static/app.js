// Cairn dashboard: plain JS, no build step, no library. Polls the REST API and redraws the page
// the path names; the DAG and the charts are SVG drawn here.
"use strict";

const POLL_MS = 1000;
const JOBS_PAGE = 50;
const TASKS_PAGE = 50;
const LOG_LINES = 200;
/** Samples a job page keeps for its throughput chart: five minutes at one a second. */
const MAX_SAMPLES = 300;
const app = document.getElementById("app");
const statusEl = document.getElementById("status");
let timer = null;
let drawn = null;
// Page state that survives redraws: the task table's sort and page, the jobs list's page.
const view = { taskSort: "id", taskDesc: false, taskPage: 0, taskState: "", jobsPage: 0, job: null };
// Throughput samples per job, taken by this page as it polls: [{t, records, tasks}]
const samples = new Map();

// Redraws only what changed since the last poll, so an idle page keeps its DOM (and selection).
function draw(html) {
  if (html === drawn) return false;
  drawn = html;
  app.innerHTML = html;
  return true;
}

function esc(v) {
  return String(v === null || v === undefined ? "" : v)
    .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function pct(p) {
  return Math.floor((p || 0) * 1000) / 10;
}

function bar(p) {
  const v = pct(p);
  return `<span class="bar"><span style="width:${v}%"></span></span><span class="pct">${v.toFixed(1)}%</span>`;
}

function time(ms) {
  return ms ? new Date(ms).toLocaleTimeString() : "";
}

function bytes(n) {
  if (n === null || n === undefined) return "";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

function duration(ms) {
  if (ms === null || ms === undefined) return "";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`;
}

function rate(v) {
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} M/s`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)} k/s`;
  return `${v.toFixed(1)} /s`;
}

function state(s) {
  return `<span class="state ${esc(s)}">${esc(s)}</span>`;
}

async function getJson(path) {
  const res = await fetch(path, { headers: { Accept: "application/json" } });
  const body = await res.json();
  if (!res.ok) {
    const err = new Error(body.error || res.statusText);
    err.status = res.status;
    throw err;
  }
  return { body, total: Number(res.headers.get("X-Total-Count") || 0) };
}

async function get(path) {
  return (await getJson(path)).body;
}

/** A pager: "‹ prev  page i of n  next ›", its buttons carrying data-page. */
function pager(id, page, total, size) {
  const pages = Math.max(1, Math.ceil(total / size));
  const prev = page > 0 ? `<button data-pager="${id}" data-page="${page - 1}">‹ prev</button>` : `<button disabled>‹ prev</button>`;
  const next = page < pages - 1 ? `<button data-pager="${id}" data-page="${page + 1}">next ›</button>` : `<button disabled>next ›</button>`;
  return `<div class="pager" id="${id}">${prev}<span>page ${page + 1} of ${pages} (${total})</span>${next}</div>`;
}

function jobsTable(jobs) {
  if (jobs.length === 0) return `<p class="muted">No jobs yet.</p>`;
  const rows = jobs.map((j) => `<tr data-job="${esc(j.id)}">
      <td><a href="/jobs/${encodeURIComponent(j.id)}">${esc(j.id)}</a></td>
      <td>${esc(j.name)}</td><td class="owner">${esc(j.owner)}</td><td>${esc(j.kind)}</td><td>${state(j.state)}</td>
      <td class="progress">${bar(j.progress)}</td><td>${esc(time(j.submitted))}</td><td>${esc(time(j.finished))}</td></tr>`);
  return `<table id="jobs"><thead><tr><th>Job</th><th>Name</th><th>Owner</th><th>Kind</th><th>State</th><th>Progress</th>
    <th>Submitted</th><th>Finished</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function heap(n) {
  return n.heapMax ? `${bytes(n.heapUsed)} / ${bytes(n.heapMax)}` : "";
}

function disk(n) {
  return n.diskTotal ? `${bytes(n.diskFree)} free of ${bytes(n.diskTotal)}` : "";
}

function nodesTable(nodes) {
  const rows = nodes.map((n) => `<tr data-node="${esc(n.id)}"><td><a href="/nodes/${encodeURIComponent(n.id)}">${esc(n.id)}</a></td>
      <td>${esc((n.roles || []).join(", "))}</td><td>${state(n.state)}${n.reachable ? "" : ` <span class="muted">unreachable</span>`}</td>
      <td class="num">${n.slots === undefined ? "" : n.slots}</td><td class="num">${n.running === undefined ? "" : n.running}</td>
      <td class="num">${heap(n)}</td><td class="num">${disk(n)}</td>
      <td>${n.coord ? (n.coord.leader ? "leader" : "follower") : ""}</td></tr>`);
  return `<table id="nodes"><thead><tr><th>Node</th><th>Roles</th><th>State</th><th class="num">Slots</th>
      <th class="num">Running</th><th class="num">Heap</th><th class="num">Disk</th><th>Coord</th></tr></thead>
      <tbody>${rows.join("")}</tbody></table>`;
}

async function overview() {
  const [cluster, jobs] = await Promise.all([get("/api/cluster"), get("/api/jobs?limit=10")]);
  // Asked only of a cluster with store nodes: a 404 would be a console error in the browser.
  const hasStore = cluster.nodes.some((n) => (n.roles || []).includes("store"));
  const store = hasStore ? await get("/api/store").catch(() => null) : null;
  const workers = cluster.nodes.filter((n) => n.slots !== undefined);
  const alive = workers.filter((n) => n.state === "ALIVE");
  const slots = alive.reduce((a, n) => a + n.slots, 0);
  const running = jobs.filter((j) => j.state === "RUNNING").length;
  const leader = cluster.nodes.find((n) => n.coord && n.coord.leader);
  const masters = cluster.masters.map((m) => `<tr><td>${esc(m.endpoint)}</td><td>${state(m.state)}</td>
      <td>${m.dashboard ? `<a href="${esc(m.dashboard)}">${esc(m.dashboard)}</a>` : ""}</td></tr>`);
  draw(`<h1>Cluster</h1>
    <div class="cards">
      <div class="card"><div class="v">${alive.length}/${workers.length}</div><div class="k">workers alive</div></div>
      <div class="card"><div class="v">${slots}</div><div class="k">task slots</div></div>
      <div class="card"><div class="v">${running}</div><div class="k">jobs running</div></div>
      <div class="card"><div class="v">${store ? bytes(store.usedBytes) : "–"}</div><div class="k">store used${store ? ` of ${bytes(store.capacityBytes)}` : ""}</div></div>
      <div class="card"><div class="v">${leader ? esc(leader.coord.member) : "–"}</div><div class="k">coord leader</div></div>
    </div>
    <h2>Masters</h2>
    <table id="masters"><thead><tr><th>Endpoint</th><th>State</th><th>Dashboard</th></tr></thead><tbody>${masters.join("")}</tbody></table>
    <h2>Nodes</h2>${nodesTable(cluster.nodes)}
    <h2>Recent jobs <a class="small" href="/jobs">all jobs</a></h2>${jobsTable(jobs)}`);
}

async function jobsPage() {
  const { body: jobs, total } = await getJson(`/api/jobs?limit=${JOBS_PAGE}&offset=${view.jobsPage * JOBS_PAGE}`);
  draw(`<h1>Jobs</h1>${pager("jobs-pager", view.jobsPage, total, JOBS_PAGE)}${jobsTable(jobs)}`);
}

// ---- the DAG: layers by longest path from a source, boxes left to right, edges as curves ----

/** nodes: [{id, label, sub, progress, cls}], edges: [[fromId, toId]] */
function dag(nodes, edges) {
  if (nodes.length === 0) return "";
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const parents = new Map(nodes.map((n) => [n.id, []]));
  for (const [a, b] of edges) if (byId.has(a) && byId.has(b)) parents.get(b).push(a);
  const layer = new Map();
  const depth = (id, seen) => {
    if (layer.has(id)) return layer.get(id);
    if (seen.has(id)) return 0; // a cycle cannot be in a DAG; guard anyway
    seen.add(id);
    const d = parents.get(id).reduce((m, p) => Math.max(m, depth(p, seen) + 1), 0);
    layer.set(id, d);
    return d;
  };
  nodes.forEach((n) => depth(n.id, new Set()));
  const layers = [];
  nodes.forEach((n) => {
    const l = layer.get(n.id);
    (layers[l] = layers[l] || []).push(n);
  });
  const W = 170, H = 54, GX = 60, GY = 18;
  const pos = new Map();
  const rows = Math.max(...layers.map((l) => (l ? l.length : 0)));
  layers.forEach((l, x) => (l || []).forEach((n, y) => {
    const offset = ((rows - l.length) * (H + GY)) / 2;
    pos.set(n.id, { x: 10 + x * (W + GX), y: 10 + offset + y * (H + GY) });
  }));
  const width = 20 + layers.length * (W + GX) - GX;
  const height = 20 + rows * (H + GY) - GY;
  const paths = edges.filter(([a, b]) => pos.has(a) && pos.has(b)).map(([a, b]) => {
    const p = pos.get(a), q = pos.get(b);
    const x1 = p.x + W, y1 = p.y + H / 2, x2 = q.x, y2 = q.y + H / 2, mx = (x1 + x2) / 2;
    return `<path class="edge" d="M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2 - 6},${y2}" marker-end="url(#arrow)"/>`;
  });
  const boxes = nodes.map((n) => {
    const p = pos.get(n.id);
    const w = Math.max(0, Math.min(1, n.progress || 0)) * (W - 2);
    return `<g class="dag-node ${esc(n.cls || "")}" transform="translate(${p.x},${p.y})">
      <rect class="box" width="${W}" height="${H}" rx="6"/>
      <rect class="fill" x="1" y="${H - 7}" width="${w.toFixed(1)}" height="6" rx="3"/>
      <text x="10" y="20" class="label">${esc(n.label)}</text>
      <text x="10" y="38" class="sub">${esc(n.sub)}</text></g>`;
  });
  return `<svg id="dag" class="dag" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="DAG">
    <defs><marker id="arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
      <path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>${paths.join("")}${boxes.join("")}</svg>`;
}

// ---- charts: a line over time and bars, small and hand-drawn ----

function lineChart(id, points, label, fmt) {
  const W = 520, H = 150, L = 64, B = 22, T = 10;
  if (points.length < 2)
    return `<div class="chart" id="${id}"><div class="muted">${esc(label)}: sampling… (the page samples once a second while it is open)</div></div>`;
  const t0 = points[0].t, t1 = points[points.length - 1].t;
  const max = Math.max(1e-9, ...points.map((p) => p.v));
  const x = (t) => L + ((t - t0) / Math.max(1, t1 - t0)) * (W - L - 8);
  const y = (v) => T + (1 - v / max) * (H - T - B);
  const line = points.map((p, i) => `${i ? "L" : "M"}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(" ");
  const area = `${line} L${x(t1).toFixed(1)},${H - B} L${L},${H - B} Z`;
  return `<div class="chart" id="${id}"><div class="chart-title">${esc(label)}</div>
    <svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(label)}">
    <line class="axis" x1="${L}" y1="${T}" x2="${L}" y2="${H - B}"/><line class="axis" x1="${L}" y1="${H - B}" x2="${W - 8}" y2="${H - B}"/>
    <text class="tick" x="${L - 6}" y="${T + 8}" text-anchor="end">${esc(fmt(max))}</text>
    <text class="tick" x="${L - 6}" y="${H - B}" text-anchor="end">0</text>
    <text class="tick" x="${L}" y="${H - 6}">${esc(time(t0))}</text>
    <text class="tick" x="${W - 8}" y="${H - 6}" text-anchor="end">${esc(time(t1))}</text>
    <path class="area" d="${area}"/><path class="line" d="${line}"/></svg></div>`;
}

function barChart(id, bars, label, fmt) {
  const W = 520, H = 150, L = 64, B = 22, T = 10;
  if (bars.length === 0) return `<div class="chart" id="${id}"><div class="muted">${esc(label)}: no checkpoint completed yet</div></div>`;
  const max = Math.max(1, ...bars.map((b) => b.v));
  const step = (W - L - 8) / bars.length;
  const bw = Math.max(1, Math.min(24, step - 2));
  const rects = bars.map((b, i) => {
    const h = (b.v / max) * (H - T - B);
    return `<rect class="barv" x="${(L + i * step + (step - bw) / 2).toFixed(1)}" y="${(H - B - h).toFixed(1)}" width="${bw.toFixed(1)}" height="${h.toFixed(1)}"><title>${esc(b.title)}</title></rect>`;
  });
  return `<div class="chart" id="${id}"><div class="chart-title">${esc(label)}</div>
    <svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(label)}">
    <line class="axis" x1="${L}" y1="${T}" x2="${L}" y2="${H - B}"/><line class="axis" x1="${L}" y1="${H - B}" x2="${W - 8}" y2="${H - B}"/>
    <text class="tick" x="${L - 6}" y="${T + 8}" text-anchor="end">${esc(fmt(max))}</text>
    <text class="tick" x="${L - 6}" y="${H - B}" text-anchor="end">0</text>
    <text class="tick" x="${L}" y="${H - 6}">#${esc(bars[0].label)}</text>
    <text class="tick" x="${W - 8}" y="${H - 6}" text-anchor="end">#${esc(bars[bars.length - 1].label)}</text>
    ${rects.join("")}</svg></div>`;
}

/**
 * Adds a sample of a job's totals and returns its rate series: [{t, v}] per second between
 * samples, over the time this page has watched the job (an ended job's rate is flat zero).
 */
function sample(jobId, records, tasks) {
  let s = samples.get(jobId);
  if (!s) samples.set(jobId, (s = []));
  const now = Date.now();
  if (s.length === 0 || now - s[s.length - 1].t >= 500) s.push({ t: now, records, tasks });
  if (s.length > MAX_SAMPLES) s.shift();
  const out = { records: [], tasks: [] };
  for (let i = 1; i < s.length; i++) {
    const dt = (s[i].t - s[i - 1].t) / 1000;
    out.records.push({ t: s[i].t, v: Math.max(0, (s[i].records - s[i - 1].records) / dt) });
    out.tasks.push({ t: s[i].t, v: Math.max(0, (s[i].tasks - s[i - 1].tasks) / dt) });
  }
  return out;
}

function taskHeader(key, label, cls) {
  const mark = view.taskSort === key ? (view.taskDesc ? " ▼" : " ▲") : "";
  return `<th class="sortable ${cls || ""}" data-sort="${key}">${label}${mark}</th>`;
}

async function batchJob(job) {
  const stateFilter = view.taskState ? `&state=${encodeURIComponent(view.taskState)}` : "";
  const { body: page } = await getJson(`/api/jobs/${encodeURIComponent(job.id)}/tasks?limit=${TASKS_PAGE}`
    + `&offset=${view.taskPage * TASKS_PAGE}&sort=${view.taskSort}&desc=${view.taskDesc}${stateFilter}`);
  let body = "";
  if (job.error) body += `<p class="error">${esc(job.error)}</p>`;
  const nodes = job.stages.map((s) => ({
    id: s.name,
    label: s.name,
    sub: `${s.done}/${s.total} done${s.running ? `, ${s.running} running` : ""}${s.failed ? `, ${s.failed} failed` : ""}`,
    progress: s.total ? s.done / s.total : 0,
    cls: s.done === s.total && s.total > 0 ? "done" : s.running > 0 ? "running" : "",
  }));
  const edges = [];
  job.stages.forEach((s) => (s.parents || []).forEach((p) => edges.push([p, s.name])));
  body += `<h2>Stages</h2>${dag(nodes, edges)}`;
  const stages = job.stages.map((s) => `<tr><td>${esc(s.name)}</td><td class="num">${s.total}</td><td class="num">${s.pending}</td>
      <td class="num">${s.running}</td><td class="num">${s.done}</td><td class="num">${s.failed}</td>
      <td class="num">${s.retried}</td><td class="num">${s.stopped}</td><td class="num">${s.recordsIn}</td>
      <td class="num">${s.recordsOut}</td><td class="num">${bytes(s.bytesOut)}</td></tr>`);
  body += `<table id="stages"><thead><tr><th>Stage</th><th class="num">Tasks</th><th class="num">Pending</th>
      <th class="num">Running</th><th class="num">Done</th><th class="num">Failed attempts</th><th class="num">Retried</th>
      <th class="num">Stopped</th><th class="num">Records in</th><th class="num">Records out</th>
      <th class="num">Bytes out</th></tr></thead><tbody>${stages.join("")}</tbody></table>`;
  const records = job.stages.reduce((a, s) => a + s.recordsOut, 0);
  const done = job.stages.reduce((a, s) => a + s.done, 0);
  const series = sample(job.id, records, done);
  body += `<h2>Throughput</h2><div class="charts">${lineChart("chart-records", series.records, "records written per second", rate)}
      ${lineChart("chart-tasks", series.tasks, "tasks finished per second", rate)}</div>`;
  body += `<p class="muted">Input ${bytes(job.inputBytes)} (${bytes(job.inputLocalBytes)} read on the node holding it;
      ${job.dataLocalMaps} of ${job.locatedMaps} located tasks node-local), shuffle ${bytes(job.shuffleBytes)}.</p>`;
  const decisions = job.decisions || [];
  body += `<h2>Adaptive and speculation decisions</h2>${decisions.length === 0 ? `<p class="muted">None.</p>`
    : `<ul id="decisions">${decisions.map((d) => `<li>${esc(d)}</li>`).join("")}</ul>`}`;
  const failures = job.failures || [];
  body += `<h2>Failures</h2>${failures.length === 0 ? `<p class="muted">No failed attempt.</p>`
    : `<table id="failures"><thead><tr><th>Task</th><th class="num">Failed attempts</th><th>State</th><th>Last cause</th></tr></thead><tbody>
      ${failures.map((f) => `<tr><td>${esc(f.task)}</td><td class="num">${f.failures}</td><td>${state(f.state)}</td>
      <td class="error">${esc(f.cause)}</td></tr>`).join("")}</tbody></table>
      ${job.failedTasks > failures.length ? `<p class="muted">first ${failures.length} of ${job.failedTasks} tasks with failures</p>` : ""}`}`;
  const states = ["", "PENDING", "RUNNING", "SUCCEEDED", "STOPPED"];
  const filter = `<label class="filter">state <select id="task-state">${states.map((s) =>
    `<option value="${s}"${s === view.taskState ? " selected" : ""}>${s || "any"}</option>`).join("")}</select></label>`;
  const rows = page.tasks.map((t) => `<tr><td>${t.attempt > 0 ? `<a href="/jobs/${encodeURIComponent(job.id)}/tasks/${encodeURIComponent(t.id)}/attempts/${t.attempt}">${esc(t.id)}</a>` : esc(t.id)}</td><td>${esc(t.stage)}</td><td>${state(t.state)}</td>
      <td>${esc(t.worker)}</td><td class="num">${t.attempt}</td><td class="num">${t.failures}</td><td>${bar(t.progress)}</td>
      <td class="num">${esc(duration(t.durationMs))}</td><td class="num">${esc(bytes(t.inputBytes))}</td><td>${esc(t.locality)}</td>
      <td class="error">${esc(t.lastError)}</td></tr>`);
  body += `<h2>Tasks</h2><div class="toolbar">${filter}${pager("tasks-pager", view.taskPage, page.total, TASKS_PAGE)}</div>
      <table id="tasks"><thead><tr>${taskHeader("id", "Task")}${taskHeader("stage", "Stage")}
      ${taskHeader("state", "State")}${taskHeader("worker", "Worker")}${taskHeader("attempt", "Attempt", "num")}
      ${taskHeader("failures", "Failures", "num")}${taskHeader("progress", "Progress")}${taskHeader("duration", "Duration", "num")}
      ${taskHeader("input", "Input", "num")}${taskHeader("locality", "Locality")}<th>Last error</th></tr></thead>
      <tbody>${rows.join("")}</tbody></table>`;
  return body;
}

function streamJob(job) {
  let body = "";
  if (job.failure) body += `<p class="error">${esc(job.failure)}</p>`;
  const ops = job.operators || [];
  const nodes = ops.map((o) => ({
    id: o.id,
    label: `${o.name} ×${o.parallelism}`,
    sub: `${rate(o.recordsOutPerSecond)} out${o.backpressure > 0.5 ? `, backpressured ${Math.round(o.backpressure * 100)}%` : ""}`,
    progress: o.backpressure,
    cls: o.backpressure > 0.5 ? "backpressured" : "running",
  }));
  const edges = [];
  ops.forEach((o) => (o.inputs || []).forEach((i) => edges.push([i, o.id])));
  body += `<h2>Operators</h2>${ops.length === 0 ? `<p class="muted">No run in progress.</p>` : dag(nodes, edges)}`;
  if (ops.length > 0) {
    body += `<table id="operators"><thead><tr><th>Operator</th><th class="num">Parallelism</th><th class="num">Records in</th>
      <th class="num">In/s</th><th class="num">Records out</th><th class="num">Out/s</th><th>Watermark</th><th>Backpressure</th></tr></thead><tbody>
      ${ops.map((o) => `<tr><td>${esc(o.name)}</td><td class="num">${o.parallelism}</td><td class="num">${o.recordsIn}</td>
      <td class="num">${rate(o.recordsInPerSecond)}</td><td class="num">${o.recordsOut}</td><td class="num">${rate(o.recordsOutPerSecond)}</td>
      <td>${o.watermark === null ? "–" : esc(new Date(o.watermark).toISOString())}</td><td>${bar(o.backpressure)}</td></tr>`).join("")}
      </tbody></table>`;
  }
  const sources = ops.filter((o) => (o.inputs || []).length === 0);
  const records = sources.reduce((a, o) => a + o.recordsOut, 0);
  const series = sample(job.id, records, 0);
  const cps = job.checkpoints || [];
  body += `<h2>Charts</h2><div class="charts">${lineChart("chart-records", series.records, "records read by sources per second", rate)}
      ${barChart("chart-checkpoints", cps.map((c) => ({ v: c.durationMs, label: c.id, title: `#${c.id}: ${c.durationMs} ms, ${bytes(c.bytes)}` })),
      "checkpoint duration (ms)", (v) => `${Math.round(v)} ms`)}</div>`;
  const cp = job.latestCheckpoint;
  body += `<h2>Run</h2><table id="stream"><tbody>
      <tr><th>Attempt</th><td>${job.attempt}</td></tr><tr><th>Restarts</th><td>${job.restarts}</td></tr>
      <tr><th>Subtasks</th><td>${job.runningSubtasks} running, ${job.finishedSubtasks} finished of ${job.subtasks}</td></tr>
      <tr><th>Completed checkpoints</th><td>${job.completedCheckpoints}</td></tr>
      <tr><th>Latest checkpoint</th><td>${cp ? `#${cp.id} at ${esc(time(cp.completedAt))}, ${cp.durationMs} ms, ${bytes(cp.bytes)}` : "none yet"}</td></tr>
      </tbody></table>
      <h2>Checkpoints</h2>${cps.length === 0 ? `<p class="muted">None yet.</p>` : `<table id="checkpoints"><thead><tr><th>Id</th><th>Completed</th>
      <th class="num">Duration</th><th class="num">Size</th></tr></thead><tbody>${cps.slice().reverse().slice(0, 20).map((c) =>
      `<tr><td>${c.id}</td><td>${esc(time(c.completedAt))}</td><td class="num">${c.durationMs} ms</td><td class="num">${bytes(c.bytes)}</td></tr>`).join("")}
      </tbody></table>`}
      <h2>Slots</h2><table id="slots"><thead><tr><th>Slot</th><th>Worker</th></tr></thead><tbody>
      ${job.slots.map((w, i) => `<tr><td>${i}</td><td>${esc(w)}</td></tr>`).join("")}</tbody></table>`;
  return body;
}

async function jobPage(id) {
  if (view.job !== id) Object.assign(view, { job: id, taskPage: 0, taskSort: "id", taskDesc: false, taskState: "" });
  let job;
  try {
    job = await get(`/api/jobs/${encodeURIComponent(id)}?tasks=0`);
  } catch (e) {
    if (e.status === 404 || e.status === 400 || e.status === 403) {
      draw(`<h1>Job ${esc(id)}</h1><p class="error">${esc(e.message)}</p>`);
      return;
    }
    throw e;
  }
  let body = `<h1>Job <span id="job-id">${esc(job.id)}</span> <span class="muted">${esc(job.name)}</span></h1>
    <div class="cards">
      <div class="card"><div class="v" id="job-state">${state(job.state)}</div><div class="k">${esc(job.kind)} job</div></div>
      <div class="card"><div class="v" id="job-owner">${esc(job.owner)}</div><div class="k">owner</div></div>
      <div class="card"><div class="v" id="job-progress">${bar(job.progress)}</div><div class="k">progress</div></div>
      <div class="card"><div class="v">${esc(time(job.submitted))}</div><div class="k">submitted</div></div>
      <div class="card"><div class="v">${esc(time(job.finished)) || "–"}</div><div class="k">finished</div></div>
    </div>`;
  body += job.kind === "batch" ? await batchJob(job) : streamJob(job);
  draw(body);
}

async function attemptPage(job, task, attempt) {
  let log;
  try {
    log = await get(`/api/jobs/${encodeURIComponent(job)}/tasks/${encodeURIComponent(task)}/attempts/${attempt}/log`);
  } catch (e) {
    if (e.status === 404 || e.status === 400 || e.status === 403) {
      draw(`<h1>${esc(task)}, attempt ${esc(attempt)}</h1><p><a href="/jobs/${encodeURIComponent(job)}">${esc(job)}</a></p>
        <p class="error" id="attempt-error">${esc(e.message)}</p>`);
      return;
    }
    throw e;
  }
  const others = [];
  for (let a = 1; a <= Math.max(attempt, 1) + 1; a++)
    if (a !== attempt) others.push(`<a href="/jobs/${encodeURIComponent(job)}/tasks/${encodeURIComponent(task)}/attempts/${a}">attempt ${a}</a>`);
  draw(`<h1>${esc(task)}, attempt <span id="attempt">${esc(attempt)}</span></h1>
    <p>Job <a href="/jobs/${encodeURIComponent(job)}">${esc(job)}</a>, ran on
      <a href="/nodes/${encodeURIComponent(log.node)}">${esc(log.node)}</a>. Other attempts: ${others.join(", ")}</p>
    <h2>What the worker logged while it ran <span class="muted">(its thread's output, the last 1,000 lines)</span></h2>
    <pre id="attempt-log" class="log">${esc(log.lines.join("\n"))}</pre>`);
}

async function nodePage(id) {
  let node;
  try {
    node = await get(`/api/nodes/${encodeURIComponent(id)}`);
  } catch (e) {
    if (e.status === 404 || e.status === 400 || e.status === 403) {
      draw(`<h1>Node ${esc(id)}</h1><p class="error">${esc(e.message)}</p>`);
      return;
    }
    throw e;
  }
  let log;
  try {
    log = (await get(`/api/nodes/${encodeURIComponent(id)}/log?lines=${LOG_LINES}`)).lines.join("\n");
  } catch (e) {
    log = null;
    node.logError = e.message;
  }
  const c = node.coord;
  draw(`<h1>Node <span id="node-id">${esc(node.id)}</span></h1>
    <div class="cards">
      <div class="card"><div class="v">${state(node.state)}</div><div class="k">${esc((node.roles || []).join(", "))}</div></div>
      <div class="card"><div class="v">${heap(node) || "–"}</div><div class="k">heap used / max</div></div>
      <div class="card"><div class="v">${disk(node) || "–"}</div><div class="k">disk</div></div>
      <div class="card"><div class="v">${node.slots === undefined ? "–" : `${node.running}/${node.slots}`}</div><div class="k">tasks running / slots</div></div>
    </div>
    <table id="node"><tbody><tr><th>RPC endpoint</th><td>${esc(node.endpoint)}</td></tr><tr><th>HTTP</th><td>${esc(node.http)}</td></tr>
      ${c ? `<tr><th>Coord member</th><td>${esc(c.member)} (${c.leader ? "leader" : "follower"}), last zxid ${esc(c.lastZxidHex)}, ${c.sessions} sessions</td></tr>` : ""}
      ${node.error ? `<tr><th>Error</th><td class="error">${esc(node.error)}</td></tr>` : ""}</tbody></table>
    <h2>Log <span class="muted">(last ${LOG_LINES} lines)</span></h2>
    ${log === null ? `<p class="error" id="log-error">${esc(node.logError)}</p>` : `<pre id="log" class="log">${esc(log)}</pre>`}`);
}

async function nodesPage() {
  const nodes = await get("/api/nodes");
  draw(`<h1>Nodes</h1>${nodesTable(nodes)}`);
}

async function storePage() {
  let s;
  try {
    s = await get("/api/store");
  } catch (e) {
    if (e.status === 404) {
      draw(`<h1>Store</h1><p class="muted">${esc(e.message)}</p>`);
      return;
    }
    throw e;
  }
  const used = s.capacityBytes ? s.usedBytes / s.capacityBytes : 0;
  draw(`<h1>Store</h1>
    <div class="cards" id="store-summary">
      <div class="card"><div class="v">${bar(used)}</div><div class="k">${bytes(s.usedBytes)} used of ${bytes(s.capacityBytes)}</div></div>
      <div class="card"><div class="v">${s.files}</div><div class="k">files (${bytes(s.bytes)})</div></div>
      <div class="card"><div class="v">${s.blocks}</div><div class="k">blocks (${s.replicas} replicas)</div></div>
      <div class="card"><div class="v ${s.underReplicated ? "bad" : ""}">${s.underReplicated}</div><div class="k">under-replicated</div></div>
      <div class="card"><div class="v ${s.corruptReplicas ? "bad" : ""}">${s.corruptReplicas}</div><div class="k">corrupt replicas</div></div>
      <div class="card"><div class="v ${s.missing ? "bad" : ""}">${s.missing}</div><div class="k">missing blocks</div></div>
    </div>
    <h2>Store nodes</h2><table id="store-nodes"><thead><tr><th>Node</th><th>Data address</th><th class="num">Used</th>
      <th class="num">Free</th><th class="num">Blocks</th></tr></thead><tbody>${s.nodes.map((n) => `<tr><td>${esc(n.id)}</td>
      <td>${esc(n.dataAddress)}</td><td class="num">${bytes(n.usedBytes)}</td><td class="num">${bytes(n.freeBytes)}</td>
      <td class="num">${n.blocks}</td></tr>`).join("")}</tbody></table>
    <h2>Problems</h2>${s.problems.length === 0 ? `<p class="muted">None: every block has its replicas.</p>`
      : `<table id="store-problems"><thead><tr><th>Path</th><th>Block</th><th>Kind</th><th>Detail</th></tr></thead><tbody>
      ${s.problems.map((p) => `<tr><td>${esc(p.path)}</td><td>${esc(p.block)}</td><td>${esc(p.kind)}</td><td>${esc(p.detail)}</td></tr>`).join("")}
      </tbody></table>`}
    <p class="muted">Checked at ${esc(time(s.checkedAt))}; the master re-checks at most every few seconds.</p>`);
}

async function coordPage() {
  const c = await get("/api/coord");
  draw(`<h1>Coord</h1><p>Leader: <b id="coord-leader">${esc(c.leader || "none known")}</b></p>
    <table id="coord-members"><thead><tr><th>Member</th><th>Node</th><th>Client</th><th>Role</th><th>Last zxid</th>
      <th class="num">Sessions</th><th class="num">Znodes</th></tr></thead><tbody>${c.members.map((m) => `<tr><td>${esc(m.member)}</td>
      <td><a href="/nodes/${encodeURIComponent(m.node)}">${esc(m.node)}</a></td><td>${esc(m.client)}</td>
      <td>${m.leader ? state("leader") : "follower"}</td><td>${esc(m.lastZxidHex)}</td><td class="num">${m.sessions}</td>
      <td class="num">${m.znodes}</td></tr>`).join("")}</tbody></table>`);
}

function route() {
  const path = window.location.pathname;
  const attempt = path.match(/^\/jobs\/([^/]+)\/tasks\/([^/]+)\/attempts\/(\d+)$/);
  if (attempt) return () => attemptPage(decodeURIComponent(attempt[1]), decodeURIComponent(attempt[2]), Number(attempt[3]));
  if (path.startsWith("/jobs/")) return () => jobPage(decodeURIComponent(path.substring("/jobs/".length)));
  if (path === "/jobs") return jobsPage;
  if (path.startsWith("/nodes/")) return () => nodePage(decodeURIComponent(path.substring("/nodes/".length)));
  if (path === "/nodes") return nodesPage;
  if (path === "/store") return storePage;
  if (path === "/coord") return coordPage;
  return overview;
}

// One listener for the whole page: the DOM is redrawn, the listener stays.
app.addEventListener("click", (e) => {
  const th = e.target.closest("th.sortable");
  if (th) {
    const key = th.dataset.sort;
    view.taskDesc = view.taskSort === key ? !view.taskDesc : false;
    view.taskSort = key;
    view.taskPage = 0;
    refresh();
    return;
  }
  const b = e.target.closest("button[data-pager]");
  if (b) {
    if (b.dataset.pager === "tasks-pager") view.taskPage = Number(b.dataset.page);
    else view.jobsPage = Number(b.dataset.page);
    refresh();
  }
});
app.addEventListener("change", (e) => {
  if (e.target.id === "task-state") {
    view.taskState = e.target.value;
    view.taskPage = 0;
    refresh();
  }
});

async function refresh() {
  clearTimeout(timer);
  try {
    await route()();
    statusEl.textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (e) {
    statusEl.textContent = `cannot reach the master: ${e.message}`;
  }
  timer = setTimeout(refresh, POLL_MS);
}

refresh();

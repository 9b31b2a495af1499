// Cairn dashboard: plain JS, no build step. Polls the REST API once a second and redraws.
"use strict";

const POLL_MS = 1000;
const app = document.getElementById("app");
const statusEl = document.getElementById("status");
let timer = null;
let taskSort = { key: "id", asc: true };
let drawn = null;

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
  return body;
}

function jobsTable(jobs) {
  if (jobs.length === 0) return `<p class="muted">No jobs yet.</p>`;
  const rows = jobs.map((j) => `<tr data-job="${esc(j.id)}">
      <td><a href="/jobs/${encodeURIComponent(j.id)}">${esc(j.id)}</a></td>
      <td>${esc(j.name)}</td><td>${esc(j.kind)}</td><td>${state(j.state)}</td>
      <td class="progress">${bar(j.progress)}</td><td>${esc(time(j.submitted))}</td><td>${esc(time(j.finished))}</td></tr>`);
  return `<table id="jobs"><thead><tr><th>Job</th><th>Name</th><th>Kind</th><th>State</th><th>Progress</th>
    <th>Submitted</th><th>Finished</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

async function overview() {
  const [cluster, jobs] = await Promise.all([getJson("/api/cluster"), getJson("/api/jobs?limit=20")]);
  const alive = cluster.nodes.filter((n) => n.state === "ALIVE").length;
  const slots = cluster.nodes.filter((n) => n.state === "ALIVE").reduce((a, n) => a + n.slots, 0);
  const running = jobs.filter((j) => j.state === "RUNNING").length;
  const masters = cluster.masters.map((m) => `<tr><td>${esc(m.endpoint)}</td><td>${state(m.state)}</td>
      <td>${m.dashboard ? `<a href="${esc(m.dashboard)}">${esc(m.dashboard)}</a>` : ""}</td></tr>`);
  const nodes = cluster.nodes.map((n) => `<tr><td>${esc(n.id)}</td><td>${esc(n.endpoint)}</td><td>${esc(n.roles.join(", "))}</td>
      <td>${state(n.state)}</td><td class="num">${n.slots}</td><td class="num">${n.running}</td>
      <td class="num">${n.lastHeartbeatMsAgo} ms</td></tr>`);
  draw(`<h1>Cluster</h1>
    <div class="cards">
      <div class="card"><div class="v">${alive}/${cluster.nodes.length}</div><div class="k">workers alive</div></div>
      <div class="card"><div class="v">${slots}</div><div class="k">task slots</div></div>
      <div class="card"><div class="v">${running}</div><div class="k">jobs running</div></div>
    </div>
    <h2>Masters</h2>
    <table id="masters"><thead><tr><th>Endpoint</th><th>State</th><th>Dashboard</th></tr></thead><tbody>${masters.join("")}</tbody></table>
    <h2>Workers</h2>
    <table id="nodes"><thead><tr><th>Node</th><th>Endpoint</th><th>Roles</th><th>State</th><th class="num">Slots</th>
      <th class="num">Running</th><th class="num">Last heartbeat</th></tr></thead><tbody>${nodes.join("")}</tbody></table>
    <h2>Recent jobs</h2>${jobsTable(jobs)}`);
}

async function jobsPage() {
  const jobs = await getJson("/api/jobs?limit=200");
  draw(`<h1>Jobs</h1>${jobsTable(jobs)}`);
}

function sortTasks(tasks) {
  const k = taskSort.key;
  const dir = taskSort.asc ? 1 : -1;
  return tasks.slice().sort((a, b) => (a[k] < b[k] ? -dir : a[k] > b[k] ? dir : 0));
}

function taskHeader(key, label, cls) {
  const mark = taskSort.key === key ? (taskSort.asc ? " ▲" : " ▼") : "";
  return `<th class="sortable ${cls || ""}" data-sort="${key}">${label}${mark}</th>`;
}

async function jobPage(id) {
  let job;
  try {
    job = await getJson(`/api/jobs/${encodeURIComponent(id)}`);
  } catch (e) {
    if (e.status === 404) {
      draw(`<h1>Job ${esc(id)}</h1><p class="error">No such job.</p>`);
      return;
    }
    throw e;
  }
  let body = `<h1>Job <span id="job-id">${esc(job.id)}</span> <span class="muted">${esc(job.name)}</span></h1>
    <div class="cards">
      <div class="card"><div class="v" id="job-state">${state(job.state)}</div><div class="k">${esc(job.kind)} job</div></div>
      <div class="card"><div class="v" id="job-progress">${bar(job.progress)}</div><div class="k">progress</div></div>
      <div class="card"><div class="v">${esc(time(job.submitted))}</div><div class="k">submitted</div></div>
      <div class="card"><div class="v">${esc(time(job.finished)) || "–"}</div><div class="k">finished</div></div>
    </div>`;
  if (job.kind === "batch") {
    if (job.error) body += `<p class="error">${esc(job.error)}</p>`;
    const stages = job.stages.map((s) => `<tr><td>${esc(s.name)}</td><td class="num">${s.total}</td><td class="num">${s.pending}</td>
        <td class="num">${s.running}</td><td class="num">${s.done}</td><td class="num">${s.failed}</td>
        <td class="num">${s.retried}</td><td class="num">${s.stopped}</td><td class="num">${s.recordsIn}</td>
        <td class="num">${s.recordsOut}</td><td class="num">${s.bytesOut}</td></tr>`);
    body += `<h2>Stages</h2><table id="stages"><thead><tr><th>Stage</th><th class="num">Tasks</th><th class="num">Pending</th>
        <th class="num">Running</th><th class="num">Done</th><th class="num">Failed attempts</th><th class="num">Retried</th>
        <th class="num">Stopped</th><th class="num">Records in</th><th class="num">Records out</th>
        <th class="num">Bytes out</th></tr></thead><tbody>${stages.join("")}</tbody></table>`;
    const decisions = job.decisions || [];
    if (decisions.length > 0)
      body += `<h2>Decisions</h2><ul id="decisions">${decisions.map((d) => `<li>${esc(d)}</li>`).join("")}</ul>`;
    const tasks = sortTasks(job.tasks).map((t) => `<tr><td>${esc(t.id)}</td><td>${esc(t.stage)}</td><td>${state(t.state)}</td>
        <td>${esc(t.worker)}</td><td class="num">${t.attempt}</td><td class="num">${t.failures}</td><td>${bar(t.progress)}</td>
        <td class="error">${esc(t.lastError)}</td></tr>`);
    const shown = job.tasks.length < job.tasksTotal ? ` <span class="muted">(first ${job.tasks.length} of ${job.tasksTotal})</span>` : "";
    body += `<h2>Tasks${shown}</h2><table id="tasks"><thead><tr>${taskHeader("id", "Task")}${taskHeader("stage", "Stage")}
        ${taskHeader("state", "State")}${taskHeader("worker", "Worker")}${taskHeader("attempt", "Attempt", "num")}
        ${taskHeader("failures", "Failures", "num")}${taskHeader("progress", "Progress")}<th>Last error</th></tr></thead>
        <tbody>${tasks.join("")}</tbody></table>`;
  } else {
    if (job.failure) body += `<p class="error">${esc(job.failure)}</p>`;
    const cp = job.latestCheckpoint;
    body += `<h2>Run</h2><table id="stream"><tbody>
        <tr><th>Attempt</th><td>${job.attempt}</td></tr><tr><th>Restarts</th><td>${job.restarts}</td></tr>
        <tr><th>Subtasks</th><td>${job.runningSubtasks} running, ${job.finishedSubtasks} finished of ${job.subtasks}</td></tr>
        <tr><th>Completed checkpoints</th><td>${job.completedCheckpoints}</td></tr>
        <tr><th>Latest checkpoint</th><td>${cp ? `#${cp.id} at ${esc(time(cp.completedAt))}, ${cp.durationMs} ms, ${cp.bytes} bytes` : "none yet"}</td></tr>
        </tbody></table>
        <h2>Slots</h2><table id="slots"><thead><tr><th>Slot</th><th>Worker</th></tr></thead><tbody>
        ${job.slots.map((w, i) => `<tr><td>${i}</td><td>${esc(w)}</td></tr>`).join("")}</tbody></table>`;
  }
  if (!draw(body)) return;
  app.querySelectorAll("th.sortable").forEach((th) => th.addEventListener("click", () => {
    const key = th.dataset.sort;
    taskSort = { key, asc: taskSort.key === key ? !taskSort.asc : true };
    refresh();
  }));
}

function route() {
  const path = window.location.pathname;
  if (path.startsWith("/jobs/")) return () => jobPage(decodeURIComponent(path.substring("/jobs/".length)));
  if (path === "/jobs") return jobsPage;
  return overview;
}

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

// ghplan's local page, part 1: API access (token, Chinese errors, downloads, Server-Sent Events
// over a POST) and findings highlighted in place. app.js builds the three tabs on it.
// Hand-written, no libraries. User text only ever reaches the page through textContent
// (never innerHTML), so a plan containing markup is shown as text.
"use strict";

const SEVERITY_RANK = { error: 3, warning: 2, info: 1 };
const SEVERITY_ZH = { error: "错误", warning: "警告", info: "提示", confirm: "待确认" };
const STAGE_ORDER = ["outline", "section", "review", "repair", "done"];

// ------------------------------------------------------------------ API access
// A token in the page address (#token=…) is sent with every call: a server bound beyond
// 127.0.0.1 requires it.
function tokenFromHash() {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  return m ? decodeURIComponent(m[1]) : "";
}

function authHeaders(extra) {
  const h = Object.assign({}, extra || {});
  const token = tokenFromHash();
  if (token) h["Authorization"] = "Bearer " + token;
  return h;
}

class ApiError extends Error {}

// The API's errors are {"error": "<中文>", "error_en": …}; anything else gets a Chinese line too.
async function errorFrom(res) {
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (body && typeof body.error === "string" && body.error) return new ApiError(body.error);
  if (res.status === 401) return new ApiError("访问令牌缺失或不正确（请在网址后加 #token=…）。");
  if (res.status === 413) return new ApiError("文件太大：上传内容不能超过 20 MB。");
  return new ApiError("服务器返回了错误（HTTP " + res.status + "），请稍后再试。");
}

async function call(path, options) {
  const opts = Object.assign({}, options || {});
  opts.headers = authHeaders(opts.headers);
  let res;
  try {
    res = await fetch(path, opts);
  } catch (e) {
    throw new ApiError("无法连接 ghplan 服务器，请确认 ghplan serve 仍在运行。");
  }
  if (!res.ok) throw await errorFrom(res);
  return res;
}

async function callJson(path, payload) {
  const res = await call(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Accept": "application/json" },
    body: JSON.stringify(payload),
  });
  return res.json();
}

async function callForm(path, form) {
  const res = await call(path, { method: "POST", body: form });
  return res;
}

// ------------------------------------------------------------------ small DOM helpers
function $(id) { return document.getElementById(id); }

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else node.setAttribute(k, v);
  }
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

function showError(prefix, err) {
  const box = $(prefix + "-error");
  const msg = err instanceof ApiError ? err.message : "页面出错：" + (err && err.message ? err.message : String(err));
  box.textContent = msg;
  box.hidden = false;
}

function hideError(prefix) { $(prefix + "-error").hidden = true; }

// Runs an action with its button disabled and any failure shown in Chinese on the tab.
async function guarded(prefix, button, action) {
  hideError(prefix);
  const label = button.textContent;
  button.disabled = true;
  button.textContent = "处理中…";
  try { await action(); } catch (err) { showError(prefix, err); }
  finally { button.disabled = false; button.textContent = label; }
}

function nextYear() { return new Date().getFullYear() + 1; }

function intOrNull(value) {
  const n = parseInt(value, 10);
  return Number.isFinite(n) ? n : null;
}

// ------------------------------------------------------------------ downloads
function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: filename });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// The file name the server proposes (RFC 5987 filename* first), else `fallback`.
function attachmentName(res, fallback) {
  const cd = res.headers.get("Content-Disposition") || "";
  const star = /filename\*=(?:UTF-8'')?([^;]+)/i.exec(cd);
  if (star) { try { return decodeURIComponent(star[1].replace(/"/g, "")); } catch (e) { /* plain name below */ } }
  const plain = /filename="?([^";]+)"?/i.exec(cd);
  return plain ? plain[1] : fallback;
}

async function downloadResponse(res, fallback) {
  const blob = await res.blob();
  saveBlob(blob, attachmentName(res, fallback));
}

function stem(name) { return name.replace(/\.[^.]+$/, ""); }

// ------------------------------------------------------------------ highlighting findings
// Findings may overlap: the text is cut at every start/end, and each piece is marked with the
// findings covering it, coloured by the most severe one.
function segments(text, findings) {
  const cuts = new Set([0, text.length]);
  for (const f of findings) {
    if (f.start >= 0 && f.end <= text.length && f.end > f.start) { cuts.add(f.start); cuts.add(f.end); }
  }
  const points = Array.from(cuts).sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i], b = points[i + 1];
    const covering = [];
    findings.forEach((f, idx) => { if (f.start <= a && f.end >= b && f.end > f.start) covering.push(idx); });
    out.push({ start: a, end: b, covering });
  }
  return out;
}

function worstSeverity(list) {
  return list.reduce((w, f) => (SEVERITY_RANK[f.severity] || 0) > (SEVERITY_RANK[w] || 0) ? f.severity : w, "info");
}

function findingLine(f) {
  const parts = ["[" + (SEVERITY_ZH[f.severity] || f.severity) + "] " + f.rule, f.message_zh || f.message || ""];
  if (f.suggestion) parts.push("建议：" + f.suggestion);
  return parts.join(" · ");
}

function renderDetail(panel, list) {
  clear(panel);
  for (const f of list) {
    const box = el("div", { class: "detail-item sev-" + f.severity });
    box.appendChild(el("div", { class: "detail-rule" }, (SEVERITY_ZH[f.severity] || f.severity) + " · " + f.rule));
    box.appendChild(el("div", { class: "detail-text" }, "原文：" + f.text));
    box.appendChild(el("div", { class: "detail-message" }, "原因：" + (f.message_zh || f.message || "")));
    if (f.suggestion) box.appendChild(el("div", { class: "detail-suggestion" }, "建议：" + f.suggestion));
    if (f.fixable) box.appendChild(el("div", { class: "detail-fixable" }, "可自动修改"));
    panel.appendChild(box);
  }
}

function renderHighlighted(docNode, detailNode, text, findings) {
  clear(docNode);
  const firstMark = new Map();
  for (const seg of segments(text, findings)) {
    const piece = text.slice(seg.start, seg.end);
    if (!seg.covering.length) { docNode.appendChild(document.createTextNode(piece)); continue; }
    const list = seg.covering.map((i) => findings[i]);
    const mark = el("mark", {
      class: "finding sev-" + worstSeverity(list) + (list.length > 1 ? " overlap" : ""),
      title: list.map(findingLine).join("\n"),
      tabindex: "0",
      dataset: { findings: seg.covering.join(" ") },
    }, piece);
    mark.addEventListener("click", () => selectMark(docNode, detailNode, mark, list));
    mark.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); selectMark(docNode, detailNode, mark, list); } });
    docNode.appendChild(mark);
    for (const i of seg.covering) if (!firstMark.has(i)) firstMark.set(i, mark);
  }
  return firstMark;
}

function selectMark(docNode, detailNode, mark, list) {
  for (const m of docNode.querySelectorAll("mark.selected")) m.classList.remove("selected");
  mark.classList.add("selected");
  renderDetail(detailNode, list);
}

function renderFindingList(listNode, findings, firstMark, docNode, detailNode) {
  clear(listNode);
  if (!findings.length) { listNode.appendChild(el("li", { class: "clean" }, "没有发现问题。")); return; }
  findings.forEach((f, i) => {
    const li = el("li", { class: "sev-" + f.severity });
    const where = f.paragraph ? "第" + f.paragraph + "段" : "第" + f.line + "行";
    li.appendChild(el("span", { class: "badge" }, SEVERITY_ZH[f.severity] || f.severity));
    li.appendChild(el("span", { class: "where" }, where));
    li.appendChild(el("q", {}, f.text));
    li.appendChild(el("span", { class: "msg" }, f.message_zh || f.message || ""));
    if (f.suggestion) li.appendChild(el("span", { class: "sugg" }, "→ " + f.suggestion));
    li.appendChild(el("code", {}, f.rule));
    li.addEventListener("click", () => {
      const mark = firstMark.get(i);
      if (mark) { mark.scrollIntoView({ block: "center" }); selectMark(docNode, detailNode, mark, [f]); }
    });
    listNode.appendChild(li);
  });
}

function summaryLine(review) {
  const s = review.summary || {};
  const typeZh = typeName(review.type);
  return "类型：" + typeZh + "　年度：" + review.year + "　错误 " + (s.errors || 0) + " 处，警告 " +
    (s.warnings || 0) + " 处，提示 " + (s.infos || 0) + " 处。";
}

// ------------------------------------------------------------------ streamed answers
// Server-Sent Events over a POST: EventSource can only GET, so the stream is read by hand.
async function readEvents(res, onEvent) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder("utf-8");
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    buffer += decoder.decode(value || new Uint8Array(), { stream: !done });
    buffer = buffer.replace(/\r\n?/g, "\n");
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      dispatchEvent(buffer.slice(0, cut), onEvent);
      buffer = buffer.slice(cut + 2);
    }
    if (done) break;
  }
  if (buffer.trim()) dispatchEvent(buffer, onEvent);
}

function dispatchEvent(block, onEvent) {
  let name = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) continue;                 // a comment / keep-alive
    const i = line.indexOf(":");
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? "" : line.slice(i + 1).replace(/^ /, "");
    if (field === "event") name = value;
    else if (field === "data") data.push(value);
  }
  if (!data.length) return;
  let parsed;
  try { parsed = JSON.parse(data.join("\n")); } catch (e) { return; }
  onEvent(name, parsed);
}

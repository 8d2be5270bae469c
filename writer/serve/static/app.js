// ghplan's local page, part 2: the three tabs (起草, 审校, 更新去年计划) over lib.js.
"use strict";

// ------------------------------------------------------------------ types
let TYPES = [];

function typeName(id) {
  const t = TYPES.find((x) => x.id === id);
  return t ? t.zh : (id || "未识别");
}

function fillTypeSelect(select, withAuto) {
  clear(select);
  if (withAuto) select.appendChild(el("option", { value: "" }, "自动识别"));
  for (const t of TYPES) select.appendChild(el("option", { value: t.id }, t.zh));
}

async function loadTypes() {
  try {
    const res = await call("/api/types");
    TYPES = await res.json();
  } catch (err) {
    showError("draft", err);
    TYPES = [];
  }
  fillTypeSelect($("draft-type"), false);
  fillTypeSelect($("review-type"), true);
  fillTypeSelect($("refresh-type"), true);
}

async function loadHealth() {
  try {
    const h = await (await call("/api/health")).json();
    const backend = h.backend === "openai" ? "模型接口（文本会发送到该接口）" : "离线（不联网）";
    const index = h.index && h.index.exists ? "检索库 " + h.index.chunks + " 段" : "未建检索库";
    $("health").textContent = "版本 " + h.version + " · 起草方式：" + backend + " · " + index;
  } catch (err) {
    $("health").textContent = "服务器状态未知";
  }
}

// ------------------------------------------------------------------ tabs
function showTab(name) {
  for (const b of document.querySelectorAll(".tab")) {
    b.classList.toggle("active", b.dataset.tab === name);
    b.setAttribute("aria-selected", String(b.dataset.tab === name));
  }
  for (const p of document.querySelectorAll(".panel")) {
    const on = p.id === "panel-" + name;
    p.hidden = !on;
    p.classList.toggle("active", on);
  }
}

// ------------------------------------------------------------------ 起草
function splitList(value) {
  return value.split(/[\n、，,；;]+/).map((s) => s.trim()).filter(Boolean);
}

// "5月 护士节表彰" or "五月：护士节表彰" → {month: 5, name: "护士节表彰"}; the profile needs a month
// for every event (the plan's schedule is by month), so a line without one is refused here.
const MONTH_ZH = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"];

function parseEvent(line) {
  const m = /^\s*(\d{1,2}|十[一二]?|[一二三四五六七八九])\s*月(?:份)?[\s:：，,、]*(.+)$/.exec(line);
  const month = m ? (/^\d/.test(m[1]) ? +m[1] : MONTH_ZH.indexOf(m[1]) + 1) : 0;
  if (!m || month < 1 || month > 12 || !m[2].trim()) {
    throw new ApiError("重要活动“" + line.trim() + "”请写上月份，例如“5月 护士节表彰”。");
  }
  return { month, name: m[2].trim() };
}

function draftPayload() {
  const profile = {};
  const members = intOrNull($("draft-members").value);
  if (members !== null) profile.member_count = members;
  const deps = splitList($("draft-departments").value);
  if (deps.length) profile.departments = deps;
  const pri = $("draft-priorities").value.split("\n").map((s) => s.trim()).filter(Boolean);
  if (pri.length) profile.priorities = pri;
  const events = $("draft-events").value.split("\n").filter((s) => s.trim()).map(parseEvent);
  if (events.length) profile.events = events;
  const body = { org: $("draft-org").value.trim(), type: $("draft-type").value, profile };
  const year = intOrNull($("draft-year").value);
  if (year !== null) body.year = year;
  return body;
}

const ROLE_ZH = { guiding: "指导思想", goals: "工作目标", tasks: "主要任务", safeguards: "保障措施", schedule: "工作安排" };

// One Chinese line for a stage event's step and detail (details are partly English or ids).
function stageLine(data) {
  const d = String(data.detail || "");
  const n = (re) => { const m = re.exec(d); return m ? m[1] : null; };
  switch (data.step) {
    case "facts": return "查阅" + d + "年的年度事实";
    case "retrieve": return "检索范文" + (d ? "（" + (ROLE_ZH[d] || d) + "）" : "");
    case "outline": return "拟定大纲";
    case "expand": return "撰写：" + d;
    case "review": return "审校全文";
    case "repair": return "修改审校发现的问题" + (n(/round (\d+)/) ? "（第 " + n(/round (\d+)/) + " 轮）" : "");
    case "done": return "完成" + (n(/(\d+) characters/) ? "，共 " + n(/(\d+) characters/) + " 字" : "");
    default: return "";
  }
}

function markStage(stage) {
  const at = STAGE_ORDER.indexOf(stage);
  if (at < 0) return;
  for (const li of $("draft-stages").children) {
    const i = STAGE_ORDER.indexOf(li.dataset.stage);
    li.classList.toggle("done", i < at || stage === "done");
    li.classList.toggle("current", i === at && stage !== "done");
  }
}

function addSection(data) {
  const box = el("div", { class: "section", dataset: { index: String(data.index) } });
  box.appendChild(el("h3", {}, data.heading || ("第" + (data.index + 1) + "节")));
  box.appendChild(el("div", { class: "section-text" }, data.text || ""));
  $("draft-sections").appendChild(box);
}

let lastDraft = null;

function showDraftResult(result) {
  lastDraft = result;
  markStage("done");
  // the finished plan below replaces the sections streamed while writing (kept, folded)
  const written = $("draft-sections").children.length;
  $("draft-progress").open = false;
  $("draft-progress-title").textContent = "逐节写作过程（" + written + " 节，点击展开）";
  const review = result.review || { findings: [], summary: {} };
  $("draft-summary").textContent = summaryLine(Object.assign({ type: result.type, year: result.year }, review)) +
    (result.seconds !== undefined ? "　用时 " + Math.max(Number(result.seconds), 0.01).toFixed(2) + " 秒。" : "");
  const findings = review.findings || [];
  const marks = renderHighlighted($("draft-doc"), $("draft-detail"), result.text, findings);
  renderFindingList($("draft-findings"), findings, marks, $("draft-doc"), $("draft-detail"));
  $("draft-detail").hidden = !findings.length;       // nothing to click on in a clean plan
  showNotes($("draft-notes"), result.notes || []);
  $("draft-result").hidden = false;
}

// What the server says about how the draft was made (no reference plans, a stand-in type, errors
// left after repair), in the language it was asked for: shown as given, one line each.
function showNotes(list, notes) {
  clear(list);
  for (const note of notes) list.appendChild(el("li", {}, "提示：" + note));
  list.hidden = !notes.length;
}

async function runDraft() {
  const payload = draftPayload();
  if (!payload.org) throw new ApiError("请填写单位名称。");
  clear($("draft-sections"));
  $("draft-progress").hidden = false;
  $("draft-progress").open = true;
  $("draft-progress-title").textContent = "逐节写作中…";
  $("draft-result").hidden = true;
  $("draft-stages").hidden = false;
  $("draft-status").textContent = "";
  markStage("outline");
  const res = await call("/api/draft", {
    method: "POST",
    headers: { "Content-Type": "application/json", "Accept": "text/event-stream" },
    body: JSON.stringify(payload),
  });
  if (!(res.headers.get("Content-Type") || "").includes("text/event-stream")) {
    showDraftResult(await res.json());                   // a server that answered without streaming
    return;
  }
  let failure = null, got = false;
  await readEvents(res, (name, data) => {
    if (name === "stage") { markStage(data.stage); $("draft-status").textContent = stageLine(data); }
    else if (name === "section") addSection(data);
    else if (name === "result") { got = true; showDraftResult(data); }
    else if (name === "error") failure = new ApiError(data.error || "起草失败。");
  });
  if (failure) throw failure;
  if (!got) throw new ApiError("起草中断：服务器没有返回完整结果，请重试。");
}

function draftFileStem() {
  const org = (lastDraft && $("draft-org").value.trim()) || "工作计划";
  return org + (lastDraft ? lastDraft.year + "年工作计划" : "");
}

async function downloadDraftDocx() {
  if (!lastDraft) return;
  const res = await call("/api/export", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ text: lastDraft.text, format: "docx", title: draftFileStem() }),
  });
  await downloadResponse(res, draftFileStem() + ".docx");
}

function downloadDraftMd() {
  if (!lastDraft) return;
  saveBlob(new Blob([lastDraft.text], { type: "text/markdown;charset=utf-8" }), draftFileStem() + ".md");
}

// ------------------------------------------------------------------ 审校
let lastReview = null;   // {text, type, year, file (a File when a .docx was uploaded), review}

function reviewOptions() {
  const opts = {};
  const type = $("review-type").value;
  if (type) opts.type = type;
  const year = intOrNull($("review-year").value);
  if (year !== null) opts.year = year;
  return opts;
}

function showReview(review, note) {
  const findings = review.findings || [];
  $("review-summary").textContent = summaryLine(review);
  const marks = renderHighlighted($("review-doc"), $("review-detail"), review.text || "", findings);
  renderFindingList($("review-findings"), findings, marks, $("review-doc"), $("review-detail"));
  renderDetail($("review-detail"), []);
  $("review-detail").appendChild(el("p", { class: "hint" }, "点击标出的文字查看问题和建议。"));
  $("review-detail").hidden = !findings.length;
  const fixedNote = $("review-fixed-note");
  fixedNote.hidden = !note;
  fixedNote.textContent = note || "";
  $("review-result").hidden = false;
}

async function runReview() {
  const file = $("review-file").files[0];
  const opts = reviewOptions();
  let review;
  if (file) {
    const form = new FormData();
    form.append("file", file);
    for (const [k, v] of Object.entries(Object.assign({ lang: "zh" }, opts))) form.append(k, String(v));
    review = await (await callForm("/api/review", form)).json();
  } else {
    const text = $("review-text").value;
    if (!text.trim()) throw new ApiError("请粘贴计划全文，或上传一个文件。");
    review = await callJson("/api/review", Object.assign({ text, lang: "zh" }, opts));
  }
  const isDocx = !!file && /\.docx$/i.test(file.name);
  lastReview = { text: review.text, type: review.type, year: review.year, file: isDocx ? file : null, review };
  $("review-fix-docx").hidden = !isDocx;
  showReview(review, "");
}

async function applyFixes() {
  if (!lastReview) return;
  const fixed = await callJson("/api/fix", { text: lastReview.text, type: lastReview.type, year: lastReview.year });
  const review = Object.assign({}, fixed.review, { text: fixed.text });
  const applied = fixed.applied || [];
  lastReview = Object.assign({}, lastReview, { text: fixed.text, review });
  const what = applied.filter((a) => a && a.text !== undefined)
    .map((a) => "“" + a.text + "”" + (a.suggestion ? "→“" + a.suggestion + "”" : "删去")).slice(0, 8);
  const note = applied.length
    ? "已应用 " + applied.length + " 处确定的修改" + (what.length ? "：" + what.join("，") + (applied.length > what.length ? "等" : "") : "") +
      "。其余问题需要人工处理。"
    : "没有可以自动确定的修改，请按提示人工修改。";
  showReview(review, note);
}

async function downloadFixedDocx() {
  if (!lastReview || !lastReview.file) return;
  const form = new FormData();
  form.append("file", lastReview.file);
  if (lastReview.type) form.append("type", lastReview.type);
  if (lastReview.year) form.append("year", String(lastReview.year));
  const res = await callForm("/api/fix", form);
  await downloadResponse(res, stem(lastReview.file.name) + "（已修改）.docx");
}

// ------------------------------------------------------------------ 更新去年计划
let lastRefresh = null;

function refreshForm(extra) {
  const file = $("refresh-file").files[0];
  if (!file) throw new ApiError("请先选择去年的计划文件。");
  const year = intOrNull($("refresh-year").value);
  if (year === null) throw new ApiError("请填写新计划的年度。");
  const form = new FormData();
  form.append("file", file);
  form.append("year", String(year));
  const org = $("refresh-org").value.trim();
  if (org) form.append("org", org);
  if ($("refresh-type").value) form.append("type", $("refresh-type").value);
  for (const [k, v] of Object.entries(extra || {})) form.append(k, v);
  return { form, file, year };
}

// The old text with each change shown in place: struck-out before, inserted after, reason on hover.
function renderDiff(node, oldText, changes) {
  clear(node);
  const placed = changes.filter((c) => c.start >= 0 && c.end >= c.start).sort((a, b) => a.start - b.start);
  let at = 0;
  for (const c of placed) {
    if (c.start < at) continue;                         // overlapping change: listed in the table only
    node.appendChild(document.createTextNode(oldText.slice(at, c.start)));
    const span = el("span", { class: "change", title: (c.reason_zh || c.reason || "") + "（" + c.rule + "）" });
    if (c.before) span.appendChild(el("del", {}, c.before));
    if (c.after) span.appendChild(el("ins", {}, c.after));
    node.appendChild(span);
    at = c.end;
  }
  node.appendChild(document.createTextNode(oldText.slice(at)));
}

function renderChanges(tbody, changes) {
  clear(tbody);
  if (!changes.length) {
    const tr = el("tr");
    tr.appendChild(el("td", { colspan: "4" }, "没有需要改动的地方。"));
    tbody.appendChild(tr);
  }
  for (const c of changes) {
    const tr = el("tr");
    tr.appendChild(el("td", {}, c.paragraph || ""));
    tr.appendChild(el("td", { class: "before" }, c.before || "（无）"));
    tr.appendChild(el("td", { class: "after" }, c.after || "（删除）"));
    tr.appendChild(el("td", {}, c.reason_zh || c.reason || ""));
    tbody.appendChild(tr);
  }
}

function renderLeft(listNode, left) {
  clear(listNode);
  if (!left.length) { listNode.appendChild(el("li", { class: "clean" }, "没有需要人工确认的地方。")); return; }
  for (const item of left) {
    const li = el("li", { class: "sev-" + (item.severity === "error" ? "error" : "warning") });
    li.appendChild(el("span", { class: "where" }, item.paragraph ? "第" + item.paragraph + "段" : ""));
    li.appendChild(el("q", {}, item.text));
    li.appendChild(el("span", { class: "msg" }, item.reason_zh || item.reason || ""));
    li.appendChild(el("code", {}, item.rule));
    listNode.appendChild(li);
  }
}

async function runRefresh() {
  const { form, year } = refreshForm();
  const data = await (await callForm("/api/refresh", form)).json();
  lastRefresh = data;
  const changes = data.changes || [];
  const left = data.left_for_person || [];
  const survival = data.survival && data.survival.facts ? "；原计划中的本单位事实保留 " + data.survival.kept + "/" + data.survival.facts + " 项" : "";
  $("refresh-summary").textContent = "已更新为 " + (data.year || year) + " 年计划：改动 " + changes.length +
    " 处，留待人工确认 " + left.length + " 处" + survival + "。";
  renderDiff($("refresh-diff"), data.old_text || "", changes);
  renderChanges($("refresh-changes"), changes);
  renderLeft($("refresh-left"), left);
  $("refresh-result").hidden = false;
}

async function downloadRefreshDocx() {
  const { form, file, year } = refreshForm({ format: "docx" });
  const res = await callForm("/api/refresh", form);
  await downloadResponse(res, stem(file.name).replace(/20\d\d/, String(year)) + "（" + year + "年更新）.docx");
}

// The browser's own file button speaks the browser's language; ours says 选择文件 and the file's name.
function showFileName(prefix) {
  const file = $(prefix + "-file").files[0];
  $(prefix + "-file-name").textContent = file ? file.name : "未选择文件";
  if (prefix === "review") {           // a chosen file is what gets reviewed: the paste box steps back
    $("review-text").rows = file ? 2 : 5;
    $("review-text").placeholder = file ? "将审校上传的文件“" + file.name + "”；在这里粘贴文字则改为审校粘贴的文字"
                                        : "把工作计划粘贴到这里，或在下面上传文件";
  }
}

// ------------------------------------------------------------------ wiring
function wire() {
  for (const b of document.querySelectorAll(".tab")) b.addEventListener("click", () => showTab(b.dataset.tab));
  $("draft-year").value = nextYear();
  $("refresh-year").value = nextYear();
  $("draft-form").addEventListener("submit", (e) => { e.preventDefault(); guarded("draft", $("draft-run"), runDraft); });
  $("draft-docx").addEventListener("click", () => guarded("draft", $("draft-docx"), downloadDraftDocx));
  $("draft-md").addEventListener("click", () => guarded("draft", $("draft-md"), async () => downloadDraftMd()));
  $("review-form").addEventListener("submit", (e) => { e.preventDefault(); guarded("review", $("review-run"), runReview); });
  $("review-fix").addEventListener("click", () => guarded("review", $("review-fix"), applyFixes));
  $("review-fix-docx").addEventListener("click", () => guarded("review", $("review-fix-docx"), downloadFixedDocx));
  $("review-text").addEventListener("input", () => {
    if ($("review-text").value && $("review-file").value) { $("review-file").value = ""; showFileName("review"); }
  });
  for (const prefix of ["review", "refresh"]) $(prefix + "-file").addEventListener("change", () => showFileName(prefix));
  $("refresh-form").addEventListener("submit", (e) => { e.preventDefault(); guarded("refresh", $("refresh-run"), runRefresh); });
  $("refresh-docx").addEventListener("click", () => guarded("refresh", $("refresh-docx"), downloadRefreshDocx));
  loadTypes();
  loadHealth();
}

document.addEventListener("DOMContentLoaded", wire);

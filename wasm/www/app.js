// The prescriber form: loads the engine and the shipped rule file, then forbids itself any
// further connection, generates the form from the rule file's description, and evaluates
// the document on every change. Patient data never leaves the page.

import { init, Protocol, CompileError, check } from "./pkg/kap.js";
import { h, toDom } from "./dom.js";
import { layout, emptyState, keepDeclared, setRaw, buildDocument, parseDocument, prettyDocument, stateFromDocument, fieldId, labelOf, humanize, clockFields, NOT_A_NUMBER } from "./model.js";
import { formView, listView, localToUtc, utcToLocal, utcText } from "./form.js";
import { decideEntered } from "./decide.js";
import { resultsView, verdictSummary, announcement, alertsOf, verdictReasons, formatTime, lastDecisions } from "./results.js";

const REFERENCE_URL = "pkg/kap-reference.kap";

const $ = (id) => document.getElementById(id);
const app = {
  protocol: null, // the Protocol in use
  reference: null, // { source, file } of the shipped rule file
  description: null,
  layout: null,
  state: emptyState(),
  marked: new Set(), // field paths marked invalid
  lastGood: null, // { output, document } of the last evaluation without a problem
  announced: null, // what #announce last said, and the timer that will say the next
  announceTimer: 0,
  collapsed: new Set(), // names of the form's sections collapsed, kept across renderings
  barOpen: false, // the verdict bar's reasons and alerts are shown
  bar: null, // what the verdict bar shows: { output, problems, stale }
};

/** The current time, to the minute, as the engine reads times: the page reads the clock, the engine never does. */
function nowUtc() {
  const t = new Date();
  t.setSeconds(0, 0);
  return t.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Sets every top-level time of the form (the rule file's "Now") that is empty to the current time. */
function startClock(state) {
  for (const input of clockFields(app.layout)) {
    if (!state.values[input.path]) state.values[input.path] = nowUtc();
  }
  return state;
}

function replaceChildren(el, views) {
  el.replaceChildren(...[].concat(views).map((v) => toDom(v)));
}

/** Closes the page to the network: from now on no fetch, XHR, WebSocket or beacon can leave. */
function lockNetwork() {
  const meta = document.createElement("meta");
  meta.httpEquiv = "Content-Security-Policy";
  meta.content = "connect-src 'none'";
  document.head.appendChild(meta);
}

// ---------------------------------------------------------------------------------------
// Rule files

function useProtocol(protocol, label) {
  if (app.protocol && app.protocol !== protocol) app.protocol.free();
  app.protocol = protocol;
  app.description = protocol.describe();
  app.layout = layout(app.description);
  app.state = startClock(keepDeclared(app.layout, app.state));
  app.lastGood = null;
  const p = app.description.protocol;
  $("protocol-name").textContent = `${p.name} ${p.version}`;
  $("protocol-status").textContent = p.status;
  $("protocol-status").dataset.status = p.status;
  $("protocol-source").textContent = label;
  $("protocol-description").textContent = p.description || "";
  renderForm();
  evaluate();
}

function showDiagnostics(file, diagnostics, { failed }) {
  const box = $("diagnostics");
  if (diagnostics.length === 0) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const view = h(
    "div",
    { class: failed ? "diag failed" : "diag" },
    h(
      "p",
      null,
      h("strong", null, failed ? `${file} does not compile: ` : `${file} compiled with warnings: `),
      `${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}.`,
      failed ? " The form still uses the previous rule file." : "",
    ),
    h(
      "ul",
      null,
      diagnostics.map((d) =>
        h(
          "li",
          { class: `diag-${d.severity}` },
          h("span", { class: "icon", "aria-hidden": "true" }, d.severity === "error" ? "✕" : "!"),
          " ",
          h("strong", null, `${d.severity} [${d.code}]`),
          ` ${d.file}:${d.line}:${d.column}: ${d.message}`,
          h("pre", null, `${d.line} | ${d.source_line}\n${" ".repeat(String(d.line).length)} | ${" ".repeat(Math.max(0, d.column - 1))}${"^".repeat(Math.max(1, d.marker_width))}`),
          d.hint ? h("p", { class: "hint" }, `hint: ${d.hint}`) : null,
        ),
      ),
    ),
  );
  box.replaceChildren(toDom(view));
  box.hidden = false;
  box.classList.toggle("failed", failed);
}

async function openRuleFile(file) {
  const source = await file.text();
  try {
    const protocol = Protocol.compile(source, file.name);
    showDiagnostics(file.name, protocol.warnings, { failed: false });
    useProtocol(protocol, file.name);
    $("reset-rules").hidden = false;
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    showDiagnostics(file.name, e.diagnostics.length > 0 ? e.diagnostics : check(source, file.name), { failed: true });
    $("diagnostics").focus();
  }
}

// ---------------------------------------------------------------------------------------
// The form

function renderForm() {
  replaceChildren($("form-sections"), formView(app.layout, app.state, { collapsed: app.collapsed }));
  app.marked.clear();
  app.evaluated = null;
}

function renderList(listPath) {
  const section = app.layout.sections.find((s) => s.entries.some((e) => e.kind === "list" && e.input.path === listPath));
  const entry = section && section.entries.find((e) => e.kind === "list" && e.input.path === listPath);
  const old = document.querySelector(`[data-list="${CSS.escape(listPath)}"].list-field`);
  if (!entry || !old) return;
  const items = app.state.lists[listPath] || [];
  for (const item of items) for (const k of Object.keys(item)) if (item[k] === NOT_A_NUMBER) delete item[k];
  old.replaceWith(toDom(listView(entry, items)));
  app.evaluated = null;
}

function setValue(path, raw) {
  setRaw(app.state, path, raw);
}

function onInput(event) {
  const el = event.target;
  const path = el.dataset && el.dataset.path;
  if (!path) return;
  let raw = el.value;
  if (el.type === "radio") {
    if (!el.checked) return;
  } else if (el.dataset.type === "integer" || el.dataset.type === "decimal") {
    // A text field (inputmode decimal): what was typed stays on screen, and the form says
    // when it is not a number (a number input would drop letters silently).
    raw = el.value.trim();
  } else if (el.type === "datetime-local") {
    raw = localToUtc(el.value);
    const out = document.getElementById(`${el.id}-utc`);
    if (out) out.textContent = utcText(raw);
  }
  setValue(path, raw);
  evaluate();
}

function onClick(event) {
  const button = event.target.closest("button");
  const link = event.target.closest("a[data-focus]");
  if (link) {
    event.preventDefault();
    // A link of the verdict bar's panel: the panel closes, so that it does not cover the field.
    if (link.closest("#status-details")) setBarOpen(false);
    focusField(link.dataset.focus);
    return;
  }
  if (!button) return;
  if (button.id === "status-toggle") {
    setBarOpen(!app.barOpen);
  } else if (button.dataset.sectionToggle !== undefined) {
    const name = button.dataset.sectionToggle;
    setSectionOpen(name, app.collapsed.has(name));
  } else if (button.dataset.add) {
    const list = button.dataset.add;
    const items = app.state.lists[list] || (app.state.lists[list] = []);
    items.push({});
    renderList(list);
    evaluate();
    const first = document.querySelector(`[data-list="${CSS.escape(list)}"].list-field .item:last-of-type [data-path]`);
    if (first) first.focus();
  } else if (button.dataset.remove) {
    const list = button.dataset.remove;
    (app.state.lists[list] || []).splice(Number(button.dataset.index), 1);
    renderList(list);
    evaluate();
    const add = document.getElementById(fieldId(list));
    if (add) add.focus();
  } else if (button.dataset.now) {
    const path = button.dataset.now;
    const utc = nowUtc();
    setValue(path, utc);
    const input = document.getElementById(fieldId(path));
    if (input) {
      input.value = utcToLocal(utc);
      const out = document.getElementById(`${input.id}-utc`);
      if (out) out.textContent = utcText(utc);
    }
    evaluate();
  }
}

/** Moves the focus to the control of an input path (a list's add button for a list). */
function focusField(path) {
  const id = fieldId(path);
  let el = document.getElementById(id);
  if (el && el.type === "radio") {
    const checked = document.querySelector(`input[type=radio][name="${CSS.escape(id)}"]:checked`);
    if (checked) el = checked;
  }
  if (!el) {
    // A list item's member whose item is gone, or a group: the closest enclosing control.
    const m = /^(.*)\[\d+\]/.exec(path);
    el = m ? document.getElementById(fieldId(m[1])) : null;
  }
  if (el) {
    // A field of a collapsed section: the section opens first.
    const section = el.closest(".section.collapsed");
    if (section) setSectionOpen(section.dataset.section, true);
    el.scrollIntoView({ block: "center" });
    el.focus({ preventScroll: true });
  }
}

// ---------------------------------------------------------------------------------------
// Evaluation

function mark(problems) {
  for (const path of app.marked) {
    const id = fieldId(path);
    const wrap = document.querySelector(`[data-field="${CSS.escape(path)}"], [data-list="${CSS.escape(path)}"].list-field`);
    if (wrap) wrap.classList.remove("invalid");
    document.querySelectorAll(`[data-path="${CSS.escape(path)}"]`).forEach((c) => c.removeAttribute("aria-invalid"));
    const err = document.getElementById(`${id}-error`);
    if (err) {
      err.hidden = true;
      err.textContent = "";
    }
  }
  app.marked.clear();
  for (const { path, message } of problems) {
    if (app.marked.has(path)) continue;
    app.marked.add(path);
    const id = fieldId(path);
    const wrap = document.querySelector(`[data-field="${CSS.escape(path)}"], [data-list="${CSS.escape(path)}"].list-field`);
    if (wrap) wrap.classList.add("invalid");
    document.querySelectorAll(`[data-path="${CSS.escape(path)}"]`).forEach((c) => c.setAttribute("aria-invalid", "true"));
    const err = document.getElementById(`${id}-error`);
    if (err) {
      err.textContent = message;
      err.hidden = false;
    }
  }
}

function evaluate() {
  const { json, problems } = buildDocument(app.layout, app.state);
  // Nothing changed (a "change" event after the "input" events, when a field loses the
  // focus): the page stays as it is, so that a click on a link of the results or of the
  // verdict bar is not lost under a re-rendering.
  const key = json + "\u0000" + JSON.stringify(problems);
  if (key === app.evaluated) return;
  app.evaluated = key;
  const { output, error, all } = decideEntered(app.protocol, app.layout, json, problems);
  mark(all);
  app.lastDocument = json;
  const document_ = JSON.parse(json);
  if (output && !error) app.lastGood = { output, document: document_ };
  const invalid = all.length > 0 || Boolean(error);
  const ctx = {
    description: app.description,
    layout: app.layout,
    output,
    error,
    problems: all,
    // While a field is wrong, the last decisions stay on screen, marked out of date.
    stale: invalid ? app.lastGood : null,
    document: document_,
    state: app.state,
  };
  replaceChildren($("results"), resultsView(ctx));
  renderStatus(output, invalid ? all : null, invalid ? app.lastGood : null);
}

/** Opens or collapses a section of the form, in place (the focus stays on its button). */
function setSectionOpen(name, open) {
  if (open) app.collapsed.delete(name);
  else app.collapsed.add(name);
  const section = document.querySelector(`.section[data-section="${CSS.escape(name)}"]`);
  if (!section) return;
  section.classList.toggle("collapsed", !open);
  const button = section.querySelector("[data-section-toggle]");
  button.setAttribute("aria-expanded", open ? "true" : "false");
  button.querySelector(".chevron").textContent = open ? "▾" : "▸";
  document.getElementById(button.getAttribute("aria-controls")).hidden = !open;
}

/** Shows or hides the verdict bar's panel of reasons and alerts. */
function setBarOpen(open) {
  app.barOpen = open;
  $("status-toggle").setAttribute("aria-expanded", open ? "true" : "false");
  $("status").classList.toggle("open", open);
  renderBarDetails();
}

/**
 * The verdict bar's panel, drawn only while it is open: each verdict with its reasons and
 * missing inputs, then every alert, most severe first, with its action. All from the engine's
 * output; the words are the rule file's.
 */
function renderBarDetails() {
  const panel = $("status-details");
  if (!app.barOpen || !app.bar) {
    panel.hidden = true;
    panel.replaceChildren();
    return;
  }
  const { output, problems, stale } = app.bar;
  const shown = output || lastDecisions(stale);
  const outOfDate = !output && Boolean(shown);
  const views = [];
  if (problems) {
    const first = problems.find((p) => p.path) || null;
    views.push(
      h(
        "p",
        { class: "bar-problem tone-stop" },
        h("span", { class: "icon", "aria-hidden": "true" }, "✕"),
        outOfDate ? " Out of date, made before the last change: fix " : " Not evaluated: fix ",
        first ? h("a", { href: "#" + fieldId(first.path), "data-focus": first.path }, labelOf(app.layout, first.path)) : "the marked fields",
      ),
    );
  }
  const verdicts = verdictReasons(app.description, shown, app.layout);
  if (verdicts.length === 0 && !problems) views.push(h("p", { class: "none" }, "No decision yet"));
  for (const v of verdicts) {
    views.push(
      h(
        "section",
        { class: `bar-decision tone-${v.tone}`, "data-bar-decision": v.name },
        h("h2", null, h("span", { class: "icon", "aria-hidden": "true" }, v.icon), ` ${v.title}: `, h("strong", null, humanize(v.verdict))),
        v.reasons.length > 0 ? h("ul", { class: "bar-reasons" }, v.reasons.map((r) => h("li", { "data-rule": r.id }, r.text, " ", h("code", { class: "id" }, r.id)))) : null,
        v.missing.length > 0
          ? h("p", { class: "bar-missing" }, "Missing: ", v.missing.map((p, i) => [i > 0 ? ", " : "", h("a", { href: "#" + fieldId(p), "data-focus": p }, labelOf(app.layout, p))]))
          : null,
      ),
    );
  }
  const alerts = alertsOf(shown);
  if (alerts.length > 0) {
    views.push(
      h(
        "section",
        { class: "bar-alerts", "data-list": "alerts" },
        h("h2", null, `Alerts (${alerts.length})`),
        h(
          "ul",
          null,
          alerts.map((a) =>
            h(
              "li",
              { class: `tone-${a.tone}`, "data-alert": a.id },
              h("span", { class: "icon", "aria-hidden": "true" }, a.icon),
              ` ${humanize(a.severity)}: `,
              a.message || "",
              " ",
              h("code", { class: "id" }, a.id),
              a.at ? h("span", { class: "meta" }, ` (${formatTime(a.at)})`) : null,
              a.action ? h("p", { class: "alert-action", "data-field": "action" }, h("strong", null, "Action:"), " ", a.action) : null,
            ),
          ),
        ),
      ),
    );
  }
  views.push(h("p", { class: "bar-more" }, h("a", { href: "#results-heading", "data-close-bar": "" }, "All the decisions, in full")));
  replaceChildren(panel, views);
  panel.hidden = false;
}

/** The most severe alert raised, in the bar: its message (else its id) and its action, as the engine gives them. */
function alertChip(output, outOfDate) {
  const alerts = alertsOf(output);
  if (alerts.length === 0) return null;
  const a = alerts[0];
  return h(
    "span",
    { class: `chip chip-alert tone-${a.tone}${outOfDate ? " stale" : ""}`, "data-alert": a.id, "data-severity": a.severity },
    h("span", { class: "icon", "aria-hidden": "true" }, a.icon),
    h("span", { class: "chip-alert-text" }, ` ${humanize(a.severity)}: `, a.message || a.id, alerts.length > 1 ? ` (+${alerts.length - 1} more)` : ""),
    a.action ? h("span", { class: "chip-action", "data-field": "action" }, h("strong", null, "Action:"), " ", a.action) : null,
    outOfDate ? h("em", null, " (out of date)") : null,
  );
}

/** The verdict bar: the verdicts, or the field to fix first with the last verdicts marked out of date. */
function renderStatus(output, problems, stale) {
  const bar = $("status-chips");
  app.bar = { output, problems, stale };
  const chips = (out, { outOfDate = false } = {}) =>
    verdictSummary(app.description, out).map((s) =>
      h(
        "span",
        // An out-of-date verdict keeps its words but not its colour or mark: a green "eligible"
        // beside a wrong field would read as a current answer.
        { class: `chip tone-${outOfDate ? "neutral" : s.tone}${outOfDate ? " stale" : ""}`, "data-decision": s.name },
        h("span", { class: "icon", "aria-hidden": "true" }, outOfDate ? "!" : s.icon),
        ` ${s.title}: `,
        h("strong", null, s.verdict.replace(/_/g, " ")),
        outOfDate ? h("em", null, " (out of date)") : null,
      ),
    );
  let views;
  if (problems) {
    const first = problems.find((p) => p.path) || null;
    const more = problems.length - 1;
    const last = lastDecisions(stale);
    views = [
      h(
        "span",
        { class: "chip tone-stop", "data-state": "invalid" },
        h("span", { class: "icon", "aria-hidden": "true" }, "✕"),
        last ? " Out of date: fix " : " Not evaluated: fix ",
        first ? h("a", { href: "#" + fieldId(first.path), "data-focus": first.path }, labelOf(app.layout, first.path)) : "the marked fields",
        more > 0 ? ` and ${more} more` : "",
      ),
      ...(last ? chips(last, { outOfDate: true }) : []),
      last ? alertChip(last, true) : null,
    ];
  } else {
    const summary = chips(output);
    views = summary.length === 0 ? [h("span", { class: "chip tone-neutral" }, "No decision yet")] : [...summary, alertChip(output, false)];
  }
  replaceChildren(bar, views.filter(Boolean));
  renderBarDetails();
  scheduleAnnouncement(problems ? { problems } : { output });
}

/**
 * Screen readers hear the verdicts once, when they change, from a polite live region: said a
 * moment after the typing stops, and only when the verdicts (or the field to fix) differ
 * from what was last said.
 */
function scheduleAnnouncement(what) {
  clearTimeout(app.announceTimer);
  app.announceTimer = setTimeout(() => {
    const said = app.announced;
    let next;
    let text = "";
    if (what.problems) {
      const first = what.problems.find((p) => p.path);
      next = { fix: first ? first.path : "", verdicts: said ? said.verdicts : new Map() };
      if (!said || said.fix !== next.fix) text = `Decisions out of date: fix ${first ? labelOf(app.layout, first.path) : "the marked fields"}.`;
    } else {
      const now = announcement(app.description, what.output, app.layout);
      next = { fix: null, verdicts: new Map(now.map((s) => [s.name, s.verdict])) };
      const changed = said ? now.filter((s) => said.verdicts.get(s.name) !== s.verdict) : [];
      text = changed.map((s) => s.text).join(" ");
      if (!text && said && said.fix !== null) text = "Decisions up to date.";
    }
    // The page has just loaded: nothing is said until something changes.
    if (said && text) $("announce").textContent = text;
    app.announced = next;
  }, 900);
}

// ---------------------------------------------------------------------------------------
// Documents: open, save, clear

// A document opened is put in the form only when the form holds it exactly: the document the
// form rebuilds from what it will show must be read by the engine as the file is, to the same
// decisions, or refused for the same input. A value the form can hold but the engine refuses
// (an age of 130) is opened and marked at its field, as if typed; what the form cannot hold (a
// member given twice or not declared, a null, a document that is not an object) is not
// opened, and the engine's message on the file says why.
async function openDocument(file) {
  const text = await file.text();
  const readOf = (json) => {
    try {
      return { key: JSON.stringify(JSON.parse(app.protocol.evaluateJson(json)).decisions) };
    } catch (e) {
      return { key: `${e.kind}\u0000${e.code}\u0000${e.path}\u0000${e.kind === "input" ? "" : e.message}`, error: e };
    }
  };
  const read = readOf(text);
  let state = null;
  try {
    state = stateFromDocument(app.layout, parseDocument(text));
  } catch {
    // Not JSON: the engine's message says where.
  }
  if (!state || readOf(buildDocument(app.layout, state).json).key !== read.key) {
    const why = read.error ? read.error.message : "the form cannot show it exactly as the engine reads it";
    window.alert(`${file.name} was not opened: ${why}`);
    return;
  }
  app.state = startClock(state);
  // Another patient's document: the decisions on screen are not its own, even out of date.
  app.lastGood = null;
  renderForm();
  evaluate();
}

function saveDocument() {
  const blob = new Blob([prettyDocument(app.lastDocument) + "\n"], { type: "application/json" });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = "patient.json";
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

// ---------------------------------------------------------------------------------------
// Start

async function start() {
  const [source] = await Promise.all([fetch(REFERENCE_URL).then((r) => {
    if (!r.ok) throw new Error(`${REFERENCE_URL}: HTTP ${r.status}`);
    return r.text();
  }), init()]);
  lockNetwork();
  app.reference = { source, file: "kap-reference.kap" };
  useProtocol(Protocol.compile(source, app.reference.file), "the shipped reference protocol (kap-reference.kap)");

  const form = $("form");
  form.addEventListener("input", onInput);
  form.addEventListener("change", onInput);
  form.addEventListener("submit", (e) => e.preventDefault());
  document.addEventListener("click", onClick);
  $("rule-file").addEventListener("change", (e) => {
    const file = e.target.files && e.target.files[0];
    if (file) openRuleFile(file);
    e.target.value = "";
  });
  $("reset-rules").addEventListener("click", () => {
    showDiagnostics("", [], { failed: false });
    useProtocol(Protocol.compile(app.reference.source, app.reference.file), "the shipped reference protocol (kap-reference.kap)");
    $("reset-rules").hidden = true;
  });
  $("doc-file").addEventListener("change", (e) => {
    const file = e.target.files && e.target.files[0];
    if (file) openDocument(file);
    e.target.value = "";
  });
  $("save-doc").addEventListener("click", saveDocument);
  $("clear-form").addEventListener("click", () => {
    app.state = startClock(emptyState());
    app.lastGood = null;
    renderForm();
    evaluate();
  });
  $("print").addEventListener("click", () => window.print());
  // The verdict bar's panel: Escape closes it (the focus goes back to its button when it was inside).
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || !app.barOpen) return;
    const inside = $("status").contains(document.activeElement);
    setBarOpen(false);
    if (inside) $("status-toggle").focus();
  });
  $("status-details").addEventListener("click", (e) => {
    if (e.target.closest("[data-close-bar]")) setBarOpen(false);
  });
  // The sticky verdict bar's height, for the scroll padding that keeps the focus out from under it.
  const bar = $("status");
  new ResizeObserver(() => document.documentElement.style.setProperty("--bar-height", `${bar.offsetHeight}px`)).observe(bar);
  document.documentElement.dataset.ready = "true";
}

start().catch((e) => {
  const box = $("load-error");
  box.textContent = `The form could not start: ${e.message}. Build it with scripts/web-build and serve it with scripts/web-serve.`;
  box.hidden = false;
  document.documentElement.dataset.ready = "error";
  console.error(e);
});


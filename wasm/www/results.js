// The result panel, as a view (see dom.js), rendered from the engine's output alone: the
// verdicts, the rules that fired with their messages and sources (from `explanation`), the
// missing inputs as links to their fields, each decision's values (amounts with the dose
// arithmetic, times), alerts with their actions, nested decisions and the dates due. It knows
// the shape of the output contract, never a protocol's names nor a clinical fact: every
// message, action, id and number shown comes from the rule file through the engine, and so
// does how to show them: the display hints of `describe` (a verdict's tone, an output's
// label, a value counted in minutes after a time input).

import { h } from "./dom.js";
import { humanize, labelOf, fieldId, enteredValues, inFormOrder, formExpects } from "./model.js";

/**
 * How a verdict looks: its tone (a colour) and the tone's icon, always beside the verdict's
 * text so that colour is never the only signal. The rule file gives each verdict its tone
 * (`verdict hold if any hold tone hold`), one of these; a verdict without one is neutral.
 */
const ICONS = { ok: "✓", caution: "!", hold: "‖", stop: "✕", unknown: "?", done: "■", neutral: "•" };
/** An alert's severity (info, warning, critical: the indicators of CDS Hooks cards) as a tone. */
const SEVERITY_TONES = { info: "done", warning: "caution", critical: "stop" };

/** The tone of a verdict of a decision (`info`, from `describe`): "neutral" when it has none. */
export function toneOf(info, verdict) {
  return (info && info.tones && info.tones[verdict]) || "neutral";
}

/** Labels of the members every output may have, whatever the rule file (the engine names them). */
const MEMBER_LABELS = { due: "Follow-up due", missing: "Missing inputs" };

/** The label of an output member of a decision: the rule file's, else from its name. */
function fieldLabel(info, key) {
  return (info && info.labels && info.labels[key]) || MEMBER_LABELS[key] || humanize(key);
}

/** The decision named `name` in the description, or undefined. */
function decisionInfo(description, name) {
  return (description.decisions || []).find((d) => d.name === name);
}

/** The value at a dotted input path of the document ("observations.t0"), or undefined. */
function valueAt(document, path) {
  return String(path)
    .split(".")
    .reduce((v, k) => (v && typeof v === "object" ? v[k] : undefined), document);
}

/**
 * The document's time (its top-level timestamp input, which the form fills in with "Now"):
 * what makes a date past.
 */
function documentTime(ctx) {
  const top = (ctx.description.sections || []).find((s) => s.name === "");
  const input = top && top.inputs.find((i) => i.type === "timestamp");
  return input ? valueAt(ctx.document, input.path) : undefined;
}

/** A value the engine writes as an amount with its unit (a dose): `{value, unit, ...}`. */
function isAmount(v) {
  return v !== null && typeof v === "object" && typeof v.value === "number" && typeof v.unit === "string";
}

/** "2026-11-20T10:00:00Z" -> "2026-11-20 10:00 UTC" (seconds kept when not zero). */
export function formatTime(rfc3339) {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?Z$/.exec(rfc3339 || "");
  if (!m) return String(rfc3339);
  const seconds = m[3] && m[3] !== ":00" ? m[3] : "";
  return `${m[1]} ${m[2]}${seconds} UTC`;
}

function addMinutes(rfc3339, minutes) {
  const t = Date.parse(rfc3339);
  if (Number.isNaN(t) || typeof minutes !== "number") return null;
  return new Date(t + minutes * 60000).toISOString().replace(/\.000Z$/, "Z");
}

/** What the rule file says about rule `id` of `decision`: message, sources, values read. */
export function ruleInfo(ctx, decision, id) {
  const entries = ctx.output.explanation.filter((e) => e.decision === decision && e.rule === id);
  const entry = entries.find((e) => e.result === "fired") || entries[0];
  if (entry) return { message: entry.message, sources: entry.sources, read: entry.read, missing: entry.missing, result: entry.result };
  const info = decisionInfo(ctx.description, decision);
  const rule = info && (info.rules || []).find((r) => r.id === id);
  if (!rule) return null;
  const sources = (rule.sources || []).map((key) => ctx.sources.get(key) || { key, title: key });
  return { message: rule.message, sources, read: [], missing: [] };
}

function sourceLinks(sources) {
  if (!sources || sources.length === 0) return null;
  return h(
    "span",
    { class: "sources" },
    "Sources: ",
    sources.map((s, i) => [
      i > 0 ? "; " : "",
      s.url
        ? h("a", { href: s.url, target: "_blank", rel: "noopener noreferrer", title: s.title }, s.key)
        : h("abbr", { title: s.title }, s.key),
      ` (${s.title})`,
    ]),
  );
}

function readValues(read) {
  if (!read || read.length === 0) return null;
  return h(
    "span",
    { class: "read" },
    "Read: ",
    read.map((r, i) => [
      i > 0 ? ", " : "",
      h("code", null, r.path),
      " = ",
      r.value === undefined ? h("em", null, "unknown") : `${r.value}${r.unit ? " " + r.unit : ""}`,
    ]),
  );
}

function fieldLink(ctx, path) {
  return h(
    "a",
    { href: "#" + fieldId(path), "data-focus": path, class: "field-link" },
    labelOf(ctx.layout, path),
    " ",
    h("code", null, path),
  );
}

/** One rule id of a decision, with its message and sources. */
function ruleItem(ctx, decision, id, { showRead = true } = {}) {
  const info = ruleInfo(ctx, decision, id);
  if (!info) return h("li", { "data-rule": id }, h("strong", null, humanize(id)), " ", h("code", { class: "id" }, id));
  return h(
    "li",
    { "data-rule": id },
    h("strong", null, info.message),
    " ",
    h("code", { class: "id" }, id),
    h("div", { class: "meta" }, sourceLinks(info.sources), showRead ? readValues(info.read) : null),
  );
}

function verdictLine(info, verdict, { small = false } = {}) {
  const tone = toneOf(info, verdict);
  return h(
    "p",
    { class: `verdict tone-${tone}${small ? " small" : ""}`, "data-verdict": verdict },
    h("span", { class: "icon", "aria-hidden": "true" }, ICONS[tone]),
    " ",
    h("strong", null, humanize(verdict)),
  );
}

function idList(ctx, decision, key, label, ids) {
  return h(
    "div",
    { class: `list list-${key}`, "data-list": key },
    h("h4", null, `${label} (${ids.length})`),
    h("ul", null, ids.map((id) => ruleItem(ctx, decision, id))),
  );
}

function missingList(ctx, paths) {
  return h(
    "div",
    { class: "missing", "data-list": "missing" },
    h("h4", null, `${fieldLabel(null, "missing")} (${paths.length})`),
    // In the form's order (the engine lists them by path).
    h("ul", null, inFormOrder(ctx.layout, paths).map((p) => h("li", null, fieldLink(ctx, p)))),
  );
}

/** Minutes after the time input at `path`, with the clock time they fall at when it is known. */
function minutesText(ctx, path, minutes) {
  const t0 = valueAt(ctx.document, path);
  const at = typeof t0 === "string" ? addMinutes(t0, minutes) : null;
  return at ? `${minutes} min (${formatTime(at).replace(/^\d{4}-\d{2}-\d{2} /, "")})` : `${minutes} min`;
}

/** A dose, with the arithmetic the engine explains for it (so it can be checked by hand). */
function doseView(key, dose, trace) {
  const extra = Object.entries(dose).filter(([k]) => !["value", "unit", "infusion_minutes"].includes(k));
  return h(
    "div",
    { class: "dose", "data-field": key },
    h("span", { class: "dose-value" }, `${dose.value} ${dose.unit || ""}`.trim()),
    dose.infusion_minutes !== undefined ? h("span", { class: "dose-infusion" }, ` infused over ${dose.infusion_minutes} min`) : null,
    extra.length > 0 ? h("dl", null, extra.map(([k, v]) => [h("dt", null, humanize(k)), h("dd", null, plain(v))])) : null,
    trace ? h("p", { class: "dose-trace", "data-field": "dose-trace" }, trace.text.replace(/^[^:]*: /, "")) : null,
  );
}

function plain(v) {
  if (v === null || v === undefined) return "";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/**
 * A list of items as a table under its heading with their number: `columns` are the header
 * cells, `row` makes each item's row; "None" when the list is empty.
 */
function itemsTable(name, items, columns, row) {
  return h(
    "div",
    { class: `list list-${name}`, "data-list": name },
    h("h4", null, `${fieldLabel(null, name)} (${items.length})`),
    items.length === 0
      ? h("p", { class: "none" }, "None")
      : h(
          "table",
          null,
          h("thead", null, h("tr", null, columns.map((c) => h("th", { scope: "col" }, c)))),
          h("tbody", null, items.map(row)),
        ),
  );
}

/**
 * The alerts, each with what to do about it: the `action` the rule file gives the alert (a
 * member of the alert in the output), in the alert's own cell, under its message, as text
 * ("Action: ..."), so that it is read out with the alert and printed with it.
 */
function alertsTable(ctx, decision, alerts) {
  const columns = ["Severity", alerts.some((a) => a.action) ? "Alert and action" : "Alert", "At"];
  return itemsTable("alerts", alerts, columns, (a) => {
    const tone = SEVERITY_TONES[a.severity] || "neutral";
    const info = ruleInfo(ctx, decision, a.id);
    const action = typeof a.action === "string" && a.action ? a.action : null;
    return h(
      "tr",
      { class: `tone-${tone}`, "data-alert": a.id },
      h("td", null, h("span", { class: "icon", "aria-hidden": "true" }, ICONS[tone]), " ", humanize(a.severity || "")),
      h(
        "td",
        null,
        h("span", { class: "alert-message" }, info ? info.message : humanize(a.id)),
        " ",
        h("code", { class: "id" }, a.id),
        action ? h("p", { class: "alert-action", "data-field": "action" }, h("strong", null, "Action:"), " ", action) : null,
        info ? h("div", { class: "meta" }, sourceLinks(info.sources)) : null,
      ),
      h("td", null, a.at ? formatTime(a.at) : ""),
    );
  });
}

function dueTable(ctx, decision, due) {
  const time = documentTime(ctx);
  const now = typeof time === "string" ? Date.parse(time) : NaN;
  return itemsTable("due", due, ["When", "What", "Checks"], (d) => {
    const past = !Number.isNaN(now) && Date.parse(d.at) < now;
    const info = ruleInfo(ctx, decision, d.id);
    return h(
      "tr",
      { "data-due": d.id, class: past ? "past" : "" },
      h("td", null, formatTime(d.at), past ? h("span", { class: "tag" }, " (past)") : null),
      h("td", null, info ? info.message : humanize(d.id), " ", h("code", { class: "id" }, d.id)),
      h("td", null, (d.checks || []).join(", ")),
    );
  });
}

/** One decision (or a nested outcome such as `discharge`), rendered from its members. */
function decisionView(ctx, name, outcome, { title, ruleDecision = name, level = 3 } = {}) {
  const info = decisionInfo(ctx.description, name);
  const label = (key) => fieldLabel(info, key);
  const minutesAfter = (info && info.minutes_after) || {};
  const heading = title || (info && info.title) || humanize(name);
  const kindLists = new Set(((info && info.kinds) || []).map((k) => k.list));
  const parts = [];
  const shownRules = new Set();
  const facts = [];
  for (const [key, value] of Object.entries(outcome)) {
    if (key === "verdict" || key === "missing") continue;
    if (isAmount(value)) {
      // The engine's explanation of this amount, when it computed it as a dose.
      const trace = (ctx.output.explanation || []).find((e) => e.decision === name && e.dose && String(e.dose.dose_mg) === String(value.value));
      facts.push([key, doseView(key, value, trace)]);
    } else if (typeof value === "string" && /^\w+$/.test(value)) {
      // A choice, such as a level or a change of level: its name in words.
      facts.push([key, h("span", { "data-field": key }, humanize(value))]);
    } else if (minutesAfter[key] && (typeof value === "number" || Array.isArray(value))) {
      const list = Array.isArray(value) ? value : [value];
      facts.push([key, h("span", { "data-field": key }, list.map((m) => minutesText(ctx, minutesAfter[key], m)).join(", "))]);
    } else if (key === "alerts" && Array.isArray(value)) {
      parts.push(alertsTable(ctx, ruleDecision, value));
    } else if (key === "due" && Array.isArray(value)) {
      parts.push(dueTable(ctx, ruleDecision, value));
    } else if (Array.isArray(value) && value.every((v) => typeof v === "string")) {
      value.forEach((id) => shownRules.add(id));
      if (value.length > 0) parts.push(idList(ctx, ruleDecision, key, label(key), value));
      // An empty list is said here, unless the line of empty kinds below says it.
      else if (!kindLists.has(key) || level > 3) parts.push(h("p", { class: "none", "data-list": key }, `${label(key)}: none`));
    } else if (Array.isArray(value)) {
      parts.push(h("div", { class: "list", "data-list": key }, h("h4", null, label(key)), h("ul", null, value.map((v) => h("li", null, plain(v))))));
    } else if (value && typeof value === "object" && typeof value.verdict === "string") {
      parts.push(decisionView(ctx, key, value, { title: label(key), ruleDecision, level: level + 1 }));
    } else if (value && typeof value === "object") {
      facts.push([key, h("span", { "data-field": key }, plain(value))]);
    } else {
      facts.push([key, h("span", { "data-field": key }, plain(value))]);
    }
  }
  // Rules of this decision that fired without being listed above (how a level or a dose
  // was reached), and rules left undetermined: with what they read.
  const others = level === 3 ? ctx.output.explanation.filter((e) => e.decision === name && !shownRules.has(e.rule)) : [];
  const fired = others.filter((e) => e.result === "fired");
  const undetermined = others.filter((e) => e.result === "undetermined");
  // The rule kinds whose lists are empty, said in one line ("No exclusions, no cautions").
  const quiet = new Set(((info && info.kinds) || []).filter((k) => k.quiet).map((k) => k.list));
  const emptyKinds = level === 3 ? [...kindLists].filter((k) => !quiet.has(k) && Array.isArray(outcome[k]) && outcome[k].length === 0) : [];
  if (emptyKinds.length > 0) parts.unshift(h("p", { class: "none", "data-empty": emptyKinds.join(" ") }, `No ${emptyKinds.map((k) => k.replace(/_/g, " ")).join(", no ")}.`));
  const tag = `h${Math.min(level, 6)}`;
  return h(
    level === 3 ? "article" : "section",
    { class: `decision tone-${toneOf(info, outcome.verdict)}`, "data-decision": name },
    h(tag, null, heading),
    typeof outcome.verdict === "string" ? verdictLine(info, outcome.verdict, { small: level > 3 }) : null,
    facts.length > 0 ? h("dl", { class: "facts" }, facts.map(([k, v]) => [h("dt", null, label(k)), h("dd", null, v)])) : null,
    parts,
    fired.length > 0
      ? h("div", { class: "list list-how", "data-list": "how" }, h("h4", null, "How it was reached"), h("ul", null, fired.map((e) => ruleItem(ctx, name, e.rule))))
      : null,
    Array.isArray(outcome.missing) && outcome.missing.length > 0 ? missingList(ctx, outcome.missing) : null,
    undetermined.length > 0
      ? h(
          "details",
          { class: "undetermined" },
          h("summary", null, `Rules that could not be decided (${undetermined.length})`),
          h(
            "ul",
            null,
            undetermined.map((e) =>
              h(
                "li",
                null,
                h("strong", null, e.message),
                " ",
                h("code", { class: "id" }, e.rule),
                h("div", { class: "meta" }, "Needs: ", inFormOrder(ctx.layout, e.missing).map((p, i) => [i > 0 ? ", " : "", fieldLink(ctx, p)])),
              ),
            ),
          ),
        )
      : null,
  );
}

/**
 * The engine's refusal of a document, in the form's words: { path, message }, the message
 * naming what the field expects as the form asks for it (a date and time, Yes or No), and
 * inputs by their labels, never by path.
 */
export function engineProblem(lay, error) {
  const path = error.path || "";
  const generic = path.replace(/\[\d+\]/g, "[]");
  const input = lay.byPath.get(generic);
  const expects = input ? formExpects(input) : null;
  let message;
  if (error.code === "missing_required") {
    message = /item/.test(error.detail || "") ? "required in every item" : "required once the form has data in its sections";
  } else {
    message = String(error.detail || "")
      .replace(/`([^`]+)`/g, (_, p) => labelOf(lay, p))
      .replace(/RFC 3339 timestamp/g, "date and time")
      .replace(/\bdocument\b/g, "form");
  }
  return { path, message: expects ? `${message}; expected ${expects}` : message };
}

/**
 * The last decisions kept while a field is wrong (`stale.output`), when there are any to show:
 * only then do the results panel and the verdict bar say "Out of date" rather than "Not
 * evaluated".
 */
export function lastDecisions(stale) {
  return stale && stale.output && Object.keys(stale.output.decisions || {}).length > 0 ? stale.output : null;
}

function problemsView(ctx, problems, error) {
  const items = problems.map((p) => h("li", null, p.path ? [fieldLink(ctx, p.path), ": "] : null, p.message));
  const engineSaid = error && !problems.some((p) => p.path === error.path);
  const labels = problems.filter((p) => p.path).map((p) => labelOf(ctx.layout, p.path));
  const stale = lastDecisions(ctx.stale);
  const what = labels.length > 0 ? labels.join(", ") : "the marked fields";
  return h(
    "div",
    { class: "problems", "data-state": "invalid" },
    h(
      "p",
      { class: "verdict tone-stop" },
      h("span", { class: "icon", "aria-hidden": "true" }, "✕"),
      " ",
      h("strong", null, stale ? `Out of date: fix ${what}` : `Not evaluated: fix ${what}`),
    ),
    h(
      "ul",
      null,
      items,
      engineSaid ? h("li", null, error.path ? [fieldLink(ctx, error.path), ": "] : null, error.detail || error.message) : null,
    ),
    stale
      ? h(
          "p",
          { class: "stale-note" },
          "The decisions below were made before the last change and may no longer hold. They are brought up to date as soon as the field is fixed.",
        )
      : null,
  );
}

/**
 * The whole result panel. `ctx`: { description, layout, output (the evaluation, or null),
 * error (a DocumentError, or null), problems ([{path, message}] found by the form),
 * document (the input document, parsed), state (the form's values) }.
 */
export function resultsView(ctx) {
  ctx = { ...ctx, sources: new Map((ctx.description.sources || []).map((s) => [s.key, s])) };
  const p = ctx.description.protocol;
  const body = [];
  if ((ctx.problems && ctx.problems.length > 0) || ctx.error) {
    body.push(problemsView(ctx, ctx.problems || [], ctx.error));
    // The last decisions made, kept on screen and marked out of date.
    const stale = lastDecisions(ctx.stale);
    if (stale) {
      const old = { ...ctx, output: stale, document: ctx.stale.document };
      body.push(
        h(
          "div",
          { class: "stale", "data-state": "stale", role: "group", "aria-label": "Decisions out of date" },
          h("p", { class: "stale-label" }, h("span", { class: "icon", "aria-hidden": "true" }, "!"), " Out of date: made before the last change"),
          Object.entries(stale.decisions).map(([name, outcome]) => decisionView(old, name, outcome)),
        ),
      );
    }
  } else if (ctx.output) {
    const decisions = Object.entries(ctx.output.decisions);
    if (decisions.length === 0) {
      body.push(h("p", { class: "empty", "data-state": "empty" }, "No decision yet: enter the patient's data. Each decision appears as soon as the sections of the form it decides on are filled in."));
    }
    for (const [name, outcome] of decisions) body.push(decisionView(ctx, name, outcome));
    if (ctx.output.explanation.length > 0) {
      body.push(
        h(
          "details",
          { class: "explanation" },
          h("summary", null, `Every rule that fired or could not be decided (${ctx.output.explanation.length})`),
          h("ol", null, ctx.output.explanation.map((e) => h("li", { class: `result-${e.result}` }, e.text))),
        ),
      );
    }
  }
  const entered = ctx.state ? enteredValues(ctx.layout, ctx.state) : [];
  return h(
    "div",
    { class: "results-inner" },
    body,
    h(
      "section",
      { class: "print-only entered", "aria-hidden": "true" },
      h("h3", null, "Data entered"),
      entered.length === 0
        ? h("p", null, "None")
        : h("table", null, h("tbody", null, entered.map((e) => h("tr", null, h("th", { scope: "row" }, e.label), h("td", null, `${e.value}${e.unit ? " " + e.unit : ""}`))))),
    ),
    h(
      "p",
      { class: "protocol-line" },
      `${p.name} ${p.version} (${p.status})`,
      p.owner ? ` · owner: ${p.owner}` : "",
      ctx.output ? ` · engine ${ctx.output.engine}` : "",
      h("br"),
      "sha256 ",
      h("code", { class: "sha" }, p.sha256),
    ),
  );
}

/**
 * A one-line summary of each verdict, for the status bar: [{name, title, verdict, tone, icon,
 * outcome}]. A decision made `within` another is a field of that one's output (discharge
 * within monitoring); its verdict is summed up too, after the one that holds it.
 */
export function verdictSummary(description, output) {
  if (!output) return [];
  const summary = [];
  const add = (name, outcome) => {
    const info = decisionInfo(description, name);
    const tone = toneOf(info, outcome.verdict);
    summary.push({ name, title: (info && info.title) || humanize(name), verdict: outcome.verdict, tone, icon: ICONS[tone], outcome });
  };
  const hasVerdict = (o) => o && typeof o === "object" && !Array.isArray(o) && typeof o.verdict === "string";
  for (const [name, outcome] of Object.entries(output.decisions)) {
    if (!outcome || typeof outcome !== "object") continue;
    if (hasVerdict(outcome)) add(name, outcome);
    for (const [field, inner] of Object.entries(outcome)) {
      if (hasVerdict(inner) && decisionInfo(description, field)) add(field, inner);
    }
  }
  return summary;
}

/**
 * What a screen reader hears of the verdicts: [{name, verdict, text}], the text being the
 * decision's title, its verdict and its first reason (the message of the first rule listed
 * in its outcome), or the first input it is missing.
 */
export function announcement(description, output, lay = null) {
  if (!output) return [];
  return verdictSummary(description, output).map((s) => {
    const outcome = s.outcome;
    let reason = "";
    for (const [key, value] of Object.entries(outcome)) {
      if (key === "missing" || !Array.isArray(value) || value.length === 0 || typeof value[0] !== "string") continue;
      const entry = (output.explanation || []).find((e) => e.decision === s.name && e.rule === value[0] && e.message);
      if (entry) {
        reason = entry.message;
        break;
      }
    }
    if (!reason && Array.isArray(outcome.missing) && outcome.missing.length > 0) {
      const first = lay ? inFormOrder(lay, outcome.missing)[0] : outcome.missing[0];
      reason = `Missing: ${lay ? labelOf(lay, first) : first}`;
    }
    const text = `${s.title}: ${humanize(s.verdict)}.${reason ? ` ${reason.replace(/\.?$/, ".")}` : ""}`;
    return { name: s.name, verdict: s.verdict, text };
  });
}

export { ICONS };

/** Severities, most severe first (the indicators of CDS Hooks cards); any other comes last. */
const SEVERITY_ORDER = ["critical", "warning", "info"];
function severityRank(severity) {
  const i = SEVERITY_ORDER.indexOf(severity);
  return i < 0 ? SEVERITY_ORDER.length : i;
}

/**
 * Every alert of the output, wherever a decision (or a nested outcome) lists it, most severe
 * first, then in the engine's order: [{decision, id, severity, tone, icon, message, action, at}].
 * The message and the action come from the engine's output (the rule file's words).
 */
export function alertsOf(output) {
  if (!output) return [];
  const found = [];
  const walk = (decision, outcome) => {
    if (!outcome || typeof outcome !== "object") return;
    for (const [key, value] of Object.entries(outcome)) {
      if (key === "alerts" && Array.isArray(value)) {
        for (const a of value) {
          if (!a || typeof a !== "object") continue;
          const entry = (output.explanation || []).find((e) => e.decision === decision && e.rule === a.id && e.result === "fired") ||
            (output.explanation || []).find((e) => e.rule === a.id && e.message);
          const tone = SEVERITY_TONES[a.severity] || "neutral";
          found.push({
            decision,
            id: a.id,
            severity: a.severity || "",
            tone,
            icon: ICONS[tone],
            message: entry && entry.message ? entry.message : null,
            action: typeof a.action === "string" && a.action ? a.action : null,
            at: a.at || null,
          });
        }
      } else if (value && typeof value === "object" && !Array.isArray(value)) {
        walk(decision, value);
      }
    }
  };
  for (const [name, outcome] of Object.entries(output.decisions || {})) walk(name, outcome);
  return found
    .map((a, i) => [a, i])
    .sort(([a, i], [b, j]) => severityRank(a.severity) - severityRank(b.severity) || i - j)
    .map(([a]) => a);
}

/**
 * What the expandable verdict bar shows: each verdict (nested outcomes such as a discharge
 * included) with its reasons, the messages of the rules its outcome lists, and the inputs it
 * is missing: [{name, title, verdict, tone, icon, reasons: [{id, text}], missing: [path]}].
 */
export function verdictReasons(description, output, lay = null) {
  if (!output) return [];
  const out = [];
  // A nested outcome (a decision's `discharge`) is explained under its own name, else its parent's.
  const walk = (name, outcome, title, info, parent = name) => {
    if (typeof outcome.verdict === "string") {
      const tone = toneOf(info, outcome.verdict);
      const reasons = [];
      for (const [key, value] of Object.entries(outcome)) {
        if (key === "missing" || !Array.isArray(value)) continue;
        for (const id of value) {
          if (typeof id !== "string") continue;
          const entry =
            (output.explanation || []).find((e) => e.decision === name && e.rule === id && e.message) ||
            (output.explanation || []).find((e) => e.decision === parent && e.rule === id && e.message);
          reasons.push({ id, text: entry ? entry.message : humanize(id) });
        }
      }
      const missing = Array.isArray(outcome.missing) ? (lay ? inFormOrder(lay, outcome.missing) : outcome.missing) : [];
      out.push({ name, title, verdict: outcome.verdict, tone, icon: ICONS[tone], reasons, missing });
    }
    for (const [key, value] of Object.entries(outcome)) {
      if (value && typeof value === "object" && !Array.isArray(value) && typeof value.verdict === "string") {
        walk(key, value, `${title}: ${fieldLabel(info, key)}`, decisionInfo(description, key), parent);
      }
    }
  };
  for (const [name, outcome] of Object.entries(output.decisions || {})) {
    if (!outcome || typeof outcome !== "object") continue;
    const info = decisionInfo(description, name);
    walk(name, outcome, (info && info.title) || humanize(name), info);
  }
  return out;
}

// The web form's model and result panel, without a browser: the document built from the
// form (tri-state booleans, digits kept, ranges checked not clamped, list structure), and
// the rendering of every decision of the output contract from a hand-made output, the
// session, monitoring and follow-up decisions included.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { loadPackage, referencePath, wwwDir } from "./helpers.mjs";
import { contractOutput } from "./fixtures.mjs";

const { Protocol } = await loadPackage();
const model = await import(path.join(wwwDir, "model.js"));
const { resultsView, verdictSummary, toneOf, formatTime, engineProblem, announcement } = await import(path.join(wwwDir, "results.js"));
const { formView } = await import(path.join(wwwDir, "form.js"));
const { textOf, findAll } = await import(path.join(wwwDir, "dom.js"));

const protocol = Protocol.compile(fs.readFileSync(referencePath, "utf8"));
const description = protocol.describe();
const lay = model.layout(description);
const squash = (s) => s.replace(/\s+/g, " ");

test("the layout follows describe(): sections in order, lists with their item fields", () => {
  assert.deepEqual(lay.sections.map((s) => s.name), description.sections.map((s) => s.name));
  assert.equal(lay.sections[0].heading, description.sections[0].name === "" ? "Now" : lay.sections[0].heading);
  for (const section of description.sections) {
    for (const input of section.inputs) assert.ok(lay.byPath.get(input.path), input.path);
  }
  const lists = lay.sections.flatMap((s) => s.entries.filter((e) => e.kind === "list"));
  for (const entry of lists) {
    const declared = description.sections.flatMap((s) => s.inputs).filter((i) => i.list === entry.input.path);
    assert.deepEqual(entry.fields.map((f) => f.path), declared.map((i) => i.path));
  }
});

test("every input gets a control, and booleans start at Unknown (never false)", () => {
  const state = model.emptyState();
  const view = { tag: "div", attrs: {}, children: formView(lay, state) };
  const controls = findAll(view, (n) => n.attrs["data-path"] !== undefined);
  const top = description.sections.flatMap((s) => s.inputs).filter((i) => !i.list && i.type !== "list");
  for (const input of top) {
    const mine = controls.filter((c) => c.attrs["data-path"] === input.path);
    assert.ok(mine.length > 0, `no control for ${input.path}`);
    if (input.type === "boolean") {
      assert.deepEqual(mine.map((c) => c.attrs.value), ["", "true", "false"]);
      assert.deepEqual(mine.map((c) => c.attrs.checked), [true, false, false], input.path);
    }
    if (input.type === "integer" || input.type === "decimal") {
      // A text field with a numeric keyboard: what is typed stays visible, the form checks it.
      const [c] = mine;
      assert.equal(c.attrs.type, "text");
      assert.equal(c.attrs.inputmode, input.type === "integer" ? "numeric" : "decimal");
    }
    if (input.type === "choice") {
      const select = mine[0];
      const options = findAll(select, (n) => n.tag === "option").map((o) => o.attrs.value);
      assert.deepEqual(options, ["", ...input.choices]);
    }
  }
  const text = squash(textOf(view));
  for (const input of top) assert.ok(text.includes(input.label), input.label);
});

test("the document: unknown left out, digits kept, ranges checked and not clamped", () => {
  const state = model.emptyState();
  assert.equal(model.buildDocument(lay, state).json, "{}");
  const numberPath = lay.sections.flatMap((s) => s.entries).find((e) => e.kind === "field" && e.input.type === "decimal").input;
  const intInput = lay.sections.flatMap((s) => s.entries).find((e) => e.kind === "field" && e.input.type === "integer" && e.input.max !== undefined).input;
  const boolInput = lay.sections.flatMap((s) => s.entries).find((e) => e.kind === "field" && e.input.type === "boolean").input;
  state.values[numberPath.path] = `${numberPath.min}.50`;
  state.values[boolInput.path] = "false";
  let { json, problems } = model.buildDocument(lay, state);
  assert.deepEqual(problems, []);
  assert.ok(json.includes(`:${numberPath.min}.50`), json);
  assert.ok(json.includes(`"${model.leaf(boolInput.path)}":false`), json);
  assert.ok(JSON.parse(json));
  // Out of range: marked, and written as typed so the engine refuses it too.
  const over = String(intInput.max + 1);
  state.values[intInput.path] = over;
  ({ json, problems } = model.buildDocument(lay, state));
  assert.equal(problems.length, 1);
  assert.equal(problems[0].path, intInput.path);
  assert.match(problems[0].message, /out of range/);
  assert.ok(json.includes(`"${model.leaf(intInput.path)}":${over}`), json);
  assert.throws(() => protocol.evaluateJson(json), (e) => e.path === intInput.path);
  // Not a whole number, not a number at all.
  state.values[intInput.path] = "1.5";
  assert.match(model.buildDocument(lay, state).problems[0].message, /whole/);
  state.values[intInput.path] = model.NOT_A_NUMBER;
  ({ json, problems } = model.buildDocument(lay, state));
  assert.match(problems[0].message, /not a number/);
  assert.ok(!json.includes(`"${model.leaf(intInput.path)}"`));
});

test("a section in the document carries its lists, even empty; list items are numbered", () => {
  const entry = lay.sections.flatMap((s) => s.entries).find((e) => e.kind === "list");
  const section = lay.sections.find((s) => s.entries.includes(entry));
  const state = model.emptyState();
  state.lists[entry.input.path] = [{}];
  let doc = JSON.parse(model.buildDocument(lay, state).json);
  assert.deepEqual(doc[section.name][model.leaf(entry.input.path)], [{}]);
  state.lists[entry.input.path] = [];
  const other = section.entries.find((e) => e.kind === "field");
  if (other) {
    state.values[other.input.path] = other.input.type === "boolean" ? "true" : other.input.choices ? other.input.choices[0] : String(other.input.min ?? 1);
    doc = JSON.parse(model.buildDocument(lay, state).json);
    assert.deepEqual(doc[section.name][model.leaf(entry.input.path)], []);
  }
  const field = entry.fields[0];
  const p = model.itemPath(field.path, 1);
  assert.equal(model.labelOf(lay, p), `${entry.input.label} #2: ${field.label}`);
  assert.equal(model.fieldId(p), "f-" + p.replace("[1]", ".1"));
});

test("a saved document opens into the same state", () => {
  const example = JSON.parse(fs.readFileSync(path.join(wwwDir, "../../tests/corpus/examples/04-session3-im-escalate.json"), "utf8"));
  const state = model.stateFromDocument(lay, example);
  const again = JSON.parse(model.buildDocument(lay, state).json);
  assert.deepEqual(again, example);
  assert.deepEqual(model.keepDeclared(lay, state), state);
});

test("numbers are written as typed", () => {
  assert.equal(model.jsonNumber("68.50"), "68.50");
  assert.equal(model.jsonNumber(".5"), "0.5");
  assert.equal(model.jsonNumber("007"), "7");
  assert.equal(model.jsonNumber("-0.25"), "-0.25");
  assert.equal(model.jsonNumber("1e2"), "1e2");
  assert.equal(model.jsonNumber("1,5"), null);
  assert.equal(model.jsonNumber("abc"), null);
});

const handMade = contractOutput(description.sections);

test("the result panel renders every decision of the contract, generically", () => {
  const ctx = { description: handMade.description, layout: model.layout(handMade.description), output: handMade.output, problems: [], error: null, document: handMade.document, state: model.emptyState() };
  const view = resultsView(ctx);
  const text = squash(textOf(view));
  const decision = (name) => findAll(view, (n) => n.attrs["data-decision"] === name)[0];
  // Eligibility: the verdict in words with an icon, each caution with its message and source.
  const elig = decision("eligibility");
  assert.match(squash(textOf(elig)), /Eligibility \(test\) ! Eligible with cautions/);
  assert.match(squash(textOf(elig)), /Caution message from the rules caution_test Sources: T1 \(Test source one\) ?Read: patient\.age = 70 years/);
  assert.equal(findAll(elig, (n) => n.tag === "a" && n.attrs.href === "https://example.invalid/t1").length, 1);
  // Session: number, level and its change, the dose with its infusion time, how it was reached.
  const session = squash(textOf(decision("session")));
  assert.match(session, /✓ Proceed/);
  assert.match(session, /Session number 3/);
  assert.match(session, /Level L3/);
  assert.match(session, /Level change Escalate/);
  assert.match(session, /Dose 49 mg infused over 40 min/);
  assert.match(session, /Warnings \(1\) Warning message from the rules benzo_recent Sources: T2 \(Test source two\)/);
  assert.match(session, /How it was reached Dose: weight times rate, rounded down dose_im Read: patient\.weight = 70 kg, course\.route = intravenous/);
  assert.match(session, /Reasons: none/);
  assert.match(session, /Missing inputs \(1\) Heart rate today\.heart_rate/);
  assert.match(session, /Rules that could not be decided \(1\) Heart rate out of range heart_rate Needs: Heart rate today\.heart_rate/);
  const link = findAll(decision("session"), (n) => n.attrs["data-focus"] === "today.heart_rate")[0];
  assert.equal(link.attrs.href, "#f-today.heart_rate");
  // Monitoring: times after t0 with their clock time, alerts, discharge, instructions.
  const monitoring = squash(textOf(decision("monitoring")));
  assert.match(monitoring, /Observation times 10 min \(10:10 UTC\), 20 min \(10:20 UTC\), 30 min \(10:30 UTC\)/);
  assert.match(monitoring, /Continuous SpO2 until 120 min \(12:00 UTC\)/);
  assert.match(monitoring, /Minimum observation 120 min \(12:00 UTC\)/);
  assert.match(monitoring, /Alerts \(1\) Severity Alert and action At ✕ Critical Alert message from the rules bp_test Action: Alert action from the rules Sources: T1 \(Test source one\) 2026-11-20 10:20 UTC/);
  // The alert's action is in the alert's own row, as text (read out and printed with it).
  const row = findAll(decision("monitoring"), (n) => n.tag === "tr" && n.attrs["data-alert"] === "bp_test")[0];
  const action = findAll(row, (n) => n.attrs["data-field"] === "action");
  assert.equal(action.length, 1);
  assert.equal(squash(textOf(action[0])).trim(), "Action: Alert action from the rules");
  assert.equal(findAll(row, (n) => n.attrs["aria-hidden"] === "true" && textOf(n).includes("Alert action")).length, 0);
  assert.match(monitoring, /Discharge ‖ Not ready Unmet criteria \(1\) Escort criterion message escort_test/);
  assert.match(monitoring, /Instructions \(1\) Instruction test instruction_test/);
  assert.match(monitoring, /Missing inputs \(1\) Readings #2: SpO2 observations\.readings\[1\]\.spo2/);
  // Follow-up: the dates, past ones marked, with their checks.
  const followUp = squash(textOf(decision("follow_up")));
  assert.match(followUp, /Follow-up due \(2\) When What Checks 2026-11-21 10:00 UTC Phone call message call_test check_a, check_b 2026-11-19 10:00 UTC \(past\) Phone call message call_test check_a/);
  // The protocol and its hash, and the data entered (for print).
  assert.ok(text.includes("Test protocol 1 (draft)"));
  assert.ok(text.includes("ab".repeat(32)));
  // The status bar: each verdict, a decision `within` another (discharge, within monitoring)
  // included, so that "not ready" is seen without opening its card.
  assert.deepEqual(verdictSummary(handMade.description, handMade.output).map((s) => [s.name, s.verdict, s.tone]), [
    ["eligibility", "eligible_with_cautions", "caution"],
    ["session", "proceed", "ok"],
    ["discharge", "not_ready", "hold"],
  ]);
});

test("an alert's action, from the output, under the alert's message; no action line without one", () => {
  const render = (alert) => {
    const output = structuredClone(handMade.output);
    output.decisions = { monitoring: { ...output.decisions.monitoring, alerts: [alert] } };
    const ctx = { description: handMade.description, layout: model.layout(handMade.description), output, problems: [], error: null, document: handMade.document, state: model.emptyState() };
    const row = findAll(resultsView(ctx), (n) => n.tag === "tr" && n.attrs["data-alert"] === alert.id)[0];
    return squash(textOf(row)).trim();
  };
  const at = "2026-11-20T10:20:00Z";
  assert.equal(render({ id: "bp_test", severity: "critical", at, action: "From the output" }), "✕ Critical Alert message from the rules bp_test Action: From the output Sources: T1 (Test source one) 2026-11-20 10:20 UTC");
  assert.equal(render({ id: "bp_test", severity: "critical", at }), "✕ Critical Alert message from the rules bp_test Sources: T1 (Test source one) 2026-11-20 10:20 UTC");
});

test("verdicts have the tone the rule file gives them, others a neutral one; times read as UTC", () => {
  const info = { name: "d", tones: { ineligible: "stop", indeterminate: "unknown", hold: "hold" } };
  assert.equal(toneOf(info, "ineligible"), "stop");
  assert.equal(toneOf(info, "indeterminate"), "unknown");
  assert.equal(toneOf(info, "hold"), "hold");
  assert.equal(toneOf(info, "something_new"), "neutral");
  assert.equal(toneOf({ name: "d" }, "hold"), "neutral");
  assert.equal(toneOf(undefined, "hold"), "neutral");
  assert.equal(formatTime("2026-11-20T10:00:00Z"), "2026-11-20 10:00 UTC");
  assert.equal(formatTime("2026-11-20T10:00:05.5Z"), "2026-11-20 10:00:05.5 UTC");
});

test("the shipped rule file gives its verdicts, values and times the look the form gave them before", () => {
  // The form once kept these itself; now the rule file says them, through describe().
  const formerTones = { eligible: "ok", proceed: "ok", ready: "ok", eligible_with_cautions: "caution", hold: "hold", not_ready: "hold", ineligible: "stop", stop: "stop", indeterminate: "unknown", complete: "done" };
  const decisions = description.decisions.filter((d) => d.verdicts.length > 0);
  assert.deepEqual(decisions.map((d) => d.name), ["eligibility", "session", "discharge"]);
  for (const d of decisions) {
    for (const v of d.verdicts) assert.equal(toneOf(d, v), formerTones[v], `${d.name}: ${v}`);
  }
  const info = (name) => description.decisions.find((d) => d.name === name);
  assert.deepEqual(info("session").labels, { number: "Session number" });
  assert.deepEqual(info("discharge").labels, { unmet: "Unmet criteria" });
  assert.deepEqual(info("monitoring").labels, { schedule: "Observation times", spo2_continuous_until: "Continuous SpO2 until", dissociation_scale_at: "Dissociation scale at", min_observation_minutes: "Minimum observation" });
  const t0 = Object.fromEntries(["schedule", "spo2_continuous_until", "dissociation_scale_at", "min_observation_minutes"].map((k) => [k, "observations.t0"]));
  assert.deepEqual(info("monitoring").minutes_after, t0);
  assert.equal(info("eligibility").labels, undefined);
});

test("an invalid form shows no verdict: it lists the problems as links", () => {
  const ctx = { description, layout: lay, output: null, problems: [{ path: "patient.age", message: "121 is out of range" }], error: null, document: {}, state: model.emptyState() };
  const view = resultsView(ctx);
  const text = squash(textOf(view));
  assert.match(text, /Not evaluated: fix Age/);
  assert.match(text, /Age patient\.age: 121 is out of range/);
  assert.equal(findAll(view, (n) => n.attrs["data-verdict"] !== undefined).length, 0);
});

test("an invalid form keeps the last decisions, marked out of date, and names the field to fix", () => {
  const stale = { output: handMade.output, document: handMade.document };
  const hm = model.layout(handMade.description);
  const ctx = { description: handMade.description, layout: hm, output: null, problems: [{ path: "x", message: "bad" }], error: null, stale, document: {}, state: model.emptyState() };
  const view = resultsView(ctx);
  const text = squash(textOf(view));
  assert.match(text, /Out of date: fix/);
  const old = findAll(view, (n) => n.attrs["data-state"] === "stale");
  assert.equal(old.length, 1);
  assert.ok(findAll(old[0], (n) => n.attrs["data-verdict"] !== undefined).length > 0, "the last verdicts are still shown");
  assert.match(squash(textOf(old[0])), /Out of date/);
});

test("messages speak the form's words: labels, a date and time, Yes or No; never RFC 3339 or paths", () => {
  const at = lay.byPath.get("at");
  assert.match(model.problemOf(at, "yesterday"), /is not a date and time; expected a date and time$/);
  const p = engineProblem(lay, { kind: "input", code: "bad_timestamp", path: "at", detail: '"x" is not an RFC 3339 timestamp', expected: 'an RFC 3339 timestamp such as "2026-11-22T09:00:00Z"' });
  assert.doesNotMatch(p.message, /RFC 3339|`|\bdocument\b/);
  const list = [...lay.byPath.values()].find((i) => i.type === "list");
  const member = [...lay.byPath.values()].find((i) => i.list === list.path);
  const q = engineProblem(lay, { kind: "input", code: "missing_required", path: model.itemPath(member.path, 0), detail: "required in every item", expected: "x" });
  assert.match(q.message, /^required in every item; expected /);
  assert.doesNotMatch(q.message, /RFC 3339/);
  const r = engineProblem(lay, { kind: "input", code: "missing_required", path: "at", detail: "required when the document has course or observations", expected: "x" });
  assert.doesNotMatch(r.message, /\bdocument\b|RFC 3339/);
});

test("missing inputs are listed in the form's order, not by path", () => {
  const order = lay.sections.flatMap((s) => s.entries).filter((e) => e.kind === "field").map((e) => e.input.path);
  const sample = [order[5], order[1], order[3], "at"].filter(Boolean);
  const sorted = model.inFormOrder(lay, [...sample].sort());
  assert.deepEqual(sorted, [...sample].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
  const list = [...lay.byPath.values()].find((i) => i.type === "list");
  const fields = [...lay.byPath.values()].filter((i) => i.list === list.path).map((f) => f.path);
  const items = [model.itemPath(fields[1], 1), model.itemPath(fields[0], 1), model.itemPath(fields[1], 0)];
  assert.deepEqual(model.inFormOrder(lay, items), [items[2], items[1], items[0]]);
});

test("the announcement says each verdict and its first reason", () => {
  const said = announcement(handMade.description, handMade.output);
  assert.ok(said.length > 0);
  for (const s of said) assert.ok(s.text.startsWith(`${s.text.split(":")[0]}: ${model.humanize(s.verdict)}.`), s.text);
});

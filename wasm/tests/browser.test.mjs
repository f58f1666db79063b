// The web form in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core):
// served by `kap serve`, filled in through its controls for an ineligible and an eligible
// patient, and checked against the native engine's output for the same documents: verdicts,
// reasons with their messages and sources, missing inputs as links that focus their field,
// inline validation, another rule file (with diagnostics when it does not compile), the
// printed summary on one page, and no request leaving the page after it loaded.
// Screenshots and the printed PDF go to target/web-test/.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { repo, wwwDir, artefacts, kap, loadPackage, CHROMIUM, BROWSER_ARGS as ARGS, startServe, axeViolations } from "./helpers.mjs";
import { contractOutput } from "./fixtures.mjs";

const model = await import(path.join(wwwDir, "model.js"));
const { formatTime } = await import(path.join(wwwDir, "results.js"));
const { Protocol } = await loadPackage();
// The rule file the page loads (copied there by scripts/web-build).
const servedRules = path.join(wwwDir, "pkg/kap-reference.kap");
const referenceSource = fs.readFileSync(servedRules, "utf8");
const description = Protocol.compile(referenceSource).describe();
const lay = model.layout(description);

let browser;
let server; // { url, stop() }

before(async () => {
  assert.ok(fs.existsSync(path.join(wwwDir, "pkg/kap_wasm_bg.wasm")), "run scripts/web-build first");
  assert.ok(fs.existsSync(CHROMIUM), `no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  fs.mkdirSync(artefacts, { recursive: true });
  server = await startServe();
  console.log(`form served by ${server.by} at ${server.url}`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.stop();
});

/** A page on the form, ready, with every request recorded; `after` holds those made after loading. */
async function openForm(viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, timezoneId: "UTC", locale: "en-GB" });
  const page = await context.newPage();
  const requests = { all: [], after: [], ready: false };
  const errors = [];
  page.on("request", (r) => {
    requests.all.push(r.url());
    if (requests.ready) requests.after.push(r.url());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto(server.url);
  await page.waitForFunction(() => document.documentElement.dataset.ready);
  assert.equal(await page.evaluate(() => document.documentElement.dataset.ready), "true", await page.locator("#load-error").textContent());
  requests.ready = true;
  return { page, context, requests, errors };
}

const byId = (id) => `[id="${id}"]`;

/** Fills one input at `path` (list items: indexed path) with a document value, through its control. */
async function fillField(page, input, path, value) {
  const id = model.fieldId(path);
  switch (input.type) {
    case "boolean":
      await page.check(byId(`${id}-${value ? "true" : "false"}`));
      break;
    case "choice":
      await page.selectOption(byId(id), String(value));
      break;
    case "timestamp":
      // The browser runs in UTC here: the local time is the UTC time (whole minutes as HH:MM,
      // the way the control gives its value back).
      await page.fill(byId(id), String(value).replace(/Z$/, "").replace(/\.\d+$/, "").replace(/(T\d\d:\d\d):00$/, "$1"));
      break;
    default:
      await page.fill(byId(id), String(value));
  }
}

/** Fills the form with a document, member by member, adding list items as needed. */
async function fillDocument(page, doc) {
  for (const section of lay.sections) {
    const group = section.name === "" ? doc : doc[section.name];
    if (!group) continue;
    for (const entry of section.entries) {
      const name = model.leaf(entry.input.path);
      if (!(name in group)) continue;
      if (entry.kind === "field") {
        await fillField(page, entry.input, entry.input.path, group[name]);
      } else {
        for (const [i, item] of group[name].entries()) {
          await page.click(byId(model.fieldId(entry.input.path)));
          for (const f of entry.fields) {
            const leafName = model.leaf(f.path);
            if (leafName in item) await fillField(page, f, model.itemPath(f.path, i), item[leafName]);
          }
        }
      }
    }
  }
}

function nativeEval(file) {
  const r = kap(["eval", servedRules, "--input", file]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/**
 * A worked example of tests/corpus/examples: the decisions its NAME.expected.json gives
 * (checked against the reference protocol, revision 2027.1), which the form must show, with
 * the explanation of the native engine (the messages and sources of the rules, which the
 * expected files do not hold). The engine must agree with the expected decisions: when it
 * does not, the engine or the rule file is wrong, not the form.
 */
function workedExample(file) {
  const expected = JSON.parse(fs.readFileSync(file.replace(/\.json$/, ".expected.json"), "utf8"));
  const native = nativeEval(file);
  assert.deepEqual(native.decisions, expected.decisions, `${path.basename(file)}: the engine's decisions are not the worked example's`);
  return { decisions: expected.decisions, explanation: native.explanation };
}

/** The decisions shown match the native engine's: verdict, each listed rule with its message and sources. */
async function expectDecisions(page, expected) {
  for (const [name, outcome] of Object.entries(expected.decisions)) {
    const card = page.locator(`article[data-decision="${name}"]`);
    await assert.doesNotReject(card.waitFor(), `no ${name} decision on screen`);
    if (outcome.verdict) {
      assert.equal(await card.locator(".verdict").first().getAttribute("data-verdict"), outcome.verdict);
      const shown = await card.locator(".verdict").first().innerText();
      assert.ok(shown.includes(model.humanize(outcome.verdict)), `${name}: verdict text "${shown}"`);
      const chip = await page.locator(`#status [data-decision="${name}"]`).innerText();
      assert.ok(chip.includes(outcome.verdict.replace(/_/g, " ")), `status bar: ${chip}`);
    }
    // Lists of rule ids: a kind's list, and the reasons of the verdict (other lists, such
    // as alerts, the due items or instructions, are values).
    const described = description.decisions.find((d) => d.name === name);
    const ruleLists = new Set([...described.kinds.map((k) => k.list).filter(Boolean), "reasons"]);
    for (const [list, ids] of Object.entries(outcome)) {
      if (!Array.isArray(ids) || !ruleLists.has(list)) continue;
      for (const id of ids) {
        const item = card.locator(`[data-list="${list}"] li[data-rule="${id}"]`);
        const text = await item.innerText();
        const why = expected.explanation.find((e) => e.decision === name && e.rule === id && e.result === "fired");
        assert.ok(why, `no explanation for ${name}.${id}`);
        assert.ok(text.includes(why.message), `${id}: "${text}" lacks "${why.message}"`);
        for (const s of why.sources) assert.ok(text.includes(s.key) && text.includes(s.title), `${id}: source ${s.key}`);
      }
    }
    for (const p of outcome.missing || []) {
      assert.equal(await card.locator(`[data-list="missing"] a[data-focus="${p}"]`).count(), 1, `missing ${p}`);
    }
    await expectValues(card, name, outcome);
  }
}

const MINUTES = new Set(["schedule", "spo2_continuous_until", "dissociation_scale_at", "min_observation_minutes"]);

/** The values of a decision on screen: level, dose, minutes, alerts with their actions, discharge, the follow-up dates. */
async function expectValues(card, name, outcome) {
  for (const [key, value] of Object.entries(outcome)) {
    if (key === "verdict" || key === "missing") continue;
    const where = `${name}.${key}`;
    if (key === "dose") {
      assert.equal((await card.locator(".dose-value").innerText()).trim(), `${value.value} ${value.unit}`, where);
      if (value.infusion_minutes !== undefined) assert.ok((await card.locator(".dose-infusion").innerText()).includes(`${value.infusion_minutes} min`), where);
    } else if (MINUTES.has(key)) {
      const shown = (await card.locator(`[data-field="${key}"]`).innerText()).trim();
      const minutes = [...shown.matchAll(/(\d+) min/g)].map((m) => Number(m[1]));
      assert.deepEqual(minutes, Array.isArray(value) ? value : [value], `${where}: "${shown}"`);
    } else if (typeof value === "string" || typeof value === "number") {
      const shown = (await card.locator(`[data-field="${key}"]`).first().innerText()).trim();
      const words = key === "level_change" ? model.humanize(value) : String(value);
      assert.ok(shown.endsWith(words), `${where}: "${shown}", not ${words}`);
    } else if (key === "alerts") {
      assert.equal(await card.locator("tr[data-alert]").count(), value.length, where);
      for (const alert of value) {
        const row = card.locator(`tr[data-alert="${alert.id}"]`);
        const text = (await row.innerText()).replace(/\s+/g, " ");
        assert.ok(text.includes(model.humanize(alert.severity)), `${alert.id}: severity, in "${text}"`);
        assert.ok(text.includes(formatTime(alert.at)), `${alert.id}: time, in "${text}"`);
        if (alert.action) {
          assert.equal((await row.locator('[data-field="action"]').innerText()).replace(/\s+/g, " ").trim(), `Action: ${alert.action}`, `${alert.id}: action`);
        }
      }
    } else if (key === "due") {
      assert.equal(await card.locator("tr[data-due]").count(), value.length, where);
      const rows = await card.locator("tr[data-due]").evaluateAll((trs) => trs.map((tr) => [tr.dataset.due, tr.innerText.replace(/\s+/g, " ")]));
      value.forEach((d, i) => {
        assert.equal(rows[i][0], d.id, `${where}[${i}]`);
        assert.ok(rows[i][1].includes(formatTime(d.at)) && rows[i][1].includes(d.checks.join(", ")), `${where}[${i}]: "${rows[i][1]}"`);
      });
    } else if (value && typeof value === "object" && typeof value.verdict === "string") {
      const nested = card.locator(`section[data-decision="${key}"]`);
      assert.equal(await nested.locator(".verdict").first().getAttribute("data-verdict"), value.verdict, where);
      for (const [list, ids] of Object.entries(value)) {
        if (list === "missing" || !Array.isArray(ids)) continue;
        for (const id of ids) assert.equal(await nested.locator(`[data-list="${list}"] li[data-rule="${id}"]`).count(), 1, `${where}.${list}: ${id}`);
      }
    }
  }
}

test("an ineligible patient: verdict, exclusions with messages and sources; no request after loading", async () => {
  const file = path.join(repo, "tests/corpus/examples/02-ineligible.json");
  const doc = JSON.parse(fs.readFileSync(file, "utf8"));
  const expected = workedExample(file);
  assert.equal(expected.decisions.eligibility.verdict, "ineligible");
  const { page, context, requests, errors } = await openForm();
  // Loaded from its own origin only.
  for (const u of requests.all) assert.ok(u.startsWith(server.url), `request to ${u}`);
  await fillDocument(page, doc);
  await expectDecisions(page, expected);
  await page.screenshot({ path: path.join(artefacts, "ineligible.png") });
  await page.locator("aside.results").screenshot({ path: path.join(artefacts, "ineligible-decisions.png") });
  assert.deepEqual(requests.after, [], "requests after loading");
  // The page has locked itself: even a script of its own cannot connect any more.
  const attempt = await page.evaluate(() => fetch("index.html").then(() => "sent", () => "blocked"));
  assert.equal(attempt, "blocked");
  assert.deepEqual(errors.filter((e) => !/Content Security Policy|connect-src|Failed to fetch/i.test(e)), []);
  await context.close();
});

test("an eligible patient; a question set back to Unknown makes it indeterminate, its link focuses the field", async () => {
  const file = path.join(repo, "tests/corpus/examples/01-eligible-intake.json");
  const doc = JSON.parse(fs.readFileSync(file, "utf8"));
  const expected = workedExample(file);
  assert.match(expected.decisions.eligibility.verdict, /^eligible/);
  const { page, context, requests, errors } = await openForm();
  await fillDocument(page, doc);
  await expectDecisions(page, expected);
  await page.screenshot({ path: path.join(artefacts, "eligible.png") });

  // A boolean the verdict depends on, found with the engine: back to Unknown (not false).
  const protocol = Protocol.compile(referenceSource);
  const candidate = Object.keys(doc.patient)
    .filter((k) => typeof doc.patient[k] === "boolean")
    .map((k) => `patient.${k}`)
    .find((p) => {
      const copy = structuredClone(doc);
      delete copy.patient[model.leaf(p)];
      return protocol.evaluate(copy).decisions.eligibility.missing.includes(p);
    });
  assert.ok(candidate, "a boolean whose absence leaves eligibility undecided");
  await page.check(byId(model.fieldId(candidate)));
  const card = page.locator('article[data-decision="eligibility"]');
  await page.waitForSelector('article[data-decision="eligibility"] [data-verdict="indeterminate"]');
  assert.ok((await card.locator(".verdict").innerText()).includes("Indeterminate"));
  await card.locator(`[data-list="missing"] a[data-focus="${candidate}"]`).click();
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.dataset.path);
  assert.equal(focused, candidate);
  // The keyboard moves between Unknown, Yes and No.
  await page.keyboard.press("ArrowRight");
  assert.equal(await page.locator(`${byId(model.fieldId(candidate) + "-true")}`).isChecked(), true);
  await page.keyboard.press("ArrowRight");
  assert.equal(await page.locator(`${byId(model.fieldId(candidate) + "-false")}`).isChecked(), true);
  assert.deepEqual(requests.after, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("out-of-range values are marked at the field, never clamped, and nothing is decided", async () => {
  const { page, context, requests } = await openForm();
  const input = [...lay.byPath.values()].find((i) => i.type === "integer" && !i.list && i.max !== undefined && i.path.startsWith("patient."));
  const id = model.fieldId(input.path);
  const over = String(input.max + 1);
  await page.fill(byId(id), over);
  const wrap = page.locator(`[data-field="${input.path}"]`);
  assert.match(await wrap.getAttribute("class"), /invalid/);
  assert.equal(await page.locator(byId(id)).getAttribute("aria-invalid"), "true");
  assert.equal(await page.locator(byId(id)).inputValue(), over);
  assert.ok((await page.locator(byId(`${id}-error`)).innerText()).includes(input.expects));
  // The field to fix is named at the top; no decision is shown as current (the last ones, if
  // any, are marked out of date).
  assert.match((await page.locator("#status").innerText()).replace(/\s+/g, " "), new RegExp(`(Not evaluated|Out of date): fix ${input.label}`));
  const current = await page.evaluate(() => [...document.querySelectorAll("#results [data-verdict]")].filter((v) => !v.closest('[data-state="stale"]')).length);
  assert.equal(current, 0);
  await page.locator("aside.results").screenshot({ path: path.join(artefacts, "invalid.png") });
  // The engine's own input errors mark their field too: a list item without its time.
  const list = [...lay.byPath.values()].find((i) => i.type === "list");
  await page.fill(byId(id), "");
  await fillField(page, lay.byPath.get("at"), "at", "2026-11-20T10:00:00Z");
  await page.click(byId(model.fieldId(list.path)));
  const at = [...lay.byPath.values()].find((i) => i.list === list.path && i.type === "timestamp");
  const itemAt = model.itemPath(at.path, 0);
  await page.waitForSelector(`[data-field="${itemAt}"].invalid`);
  assert.ok((await page.locator(byId(`${model.fieldId(itemAt)}-error`)).innerText()).length > 0);
  // Removing the item removes the error.
  await page.click(`[data-remove="${list.path}"]`);
  assert.equal(await page.locator(".invalid").count(), 0);
  assert.deepEqual(requests.after, []);
  await context.close();
});

test("another rule file: diagnostics when it does not compile, a new form when it does", async () => {
  const { page, context, requests } = await openForm();
  await page.fill(byId(model.fieldId("patient.age")), "40");
  const broken = referenceSource.replace(/patient\.age < 18 years/, "patient.agee < 18 years");
  assert.notEqual(broken, referenceSource);
  await page.setInputFiles("#rule-file", { name: "broken.kap", mimeType: "text/plain", buffer: Buffer.from(broken) });
  await page.waitForSelector("#diagnostics:not([hidden])");
  const diag = await page.locator("#diagnostics").innerText();
  assert.match(diag, /broken\.kap does not compile/);
  assert.match(diag, /broken\.kap:\d+:\d+: /);
  assert.match(diag, /patient\.agee/);
  await page.screenshot({ path: path.join(artefacts, "diagnostics.png") });
  const renamed = referenceSource.replace(/version "([^"]+)"/, 'version "$1-local"');
  await page.setInputFiles("#rule-file", { name: "local.kap", mimeType: "text/plain", buffer: Buffer.from(renamed) });
  await page.waitForSelector("#diagnostics[hidden]", { state: "attached" });
  assert.match(await page.locator("#protocol-name").innerText(), /-local$/);
  assert.equal(await page.locator(byId(model.fieldId("patient.age"))).inputValue(), "40", "values kept across rule files");
  await page.click("#reset-rules");
  assert.doesNotMatch(await page.locator("#protocol-name").innerText(), /-local$/);
  assert.deepEqual(requests.after, []);
  await context.close();
});

test("tablet width, and the printed summary fits on one page", async () => {
  const file = path.join(repo, "tests/corpus/examples/02-ineligible.json");
  const doc = JSON.parse(fs.readFileSync(file, "utf8"));
  const { page, context, requests } = await openForm({ width: 820, height: 1180 });
  await fillDocument(page, doc);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px at tablet width`);
  await page.screenshot({ path: path.join(artefacts, "tablet.png") });
  await page.emulateMedia({ media: "print" });
  await page.screenshot({ path: path.join(artefacts, "print.png"), fullPage: true });
  const pdf = await page.pdf({ format: "A4", printBackground: true });
  fs.writeFileSync(path.join(artefacts, "summary.pdf"), pdf);
  const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) || []).length;
  assert.equal(pages, 1, "the printed summary takes one page");
  assert.deepEqual(requests.after, []);
  await context.close();
});

test("the result panel shows session, monitoring and follow-up decisions (a hand-made output)", async () => {
  const { page, context, errors } = await openForm();
  const fixture = contractOutput(Protocol.compile(referenceSource).describe().sections);
  // The page's own modules, already loaded, render the fixture into the real panel.
  await page.evaluate(async ({ description, output, document: doc }) => {
    const { resultsView } = await import("./results.js");
    const { toDom } = await import("./dom.js");
    const { layout, emptyState } = await import("./model.js");
    const view = resultsView({ description, layout: layout(description), output, problems: [], error: null, document: doc, state: emptyState() });
    document.getElementById("results").replaceChildren(toDom(view));
  }, fixture);
  const panel = page.locator("aside.results");
  const text = (await panel.innerText()).replace(/\s+/g, " ");
  for (const expected of ["Proceed", "49 mg", "infused over 40 min", "Escalate", "Alert message from the rules", "Action: Alert action from the rules", "120 min", "Not ready", "Escort criterion message", "2026-11-21 10:00 UTC", "check_a, check_b"]) {
    assert.ok(text.includes(expected), `"${expected}" not on screen`);
  }
  await page.setViewportSize({ width: 1280, height: 1400 });
  await panel.screenshot({ path: path.join(artefacts, "contract-decisions.png") });
  assert.deepEqual(errors, []);
  await context.close();
});

test("an eligible patient in session 3: level kept, dose and its arithmetic, two phone checks; list items added and removed", async () => {
  const file = path.join(repo, "tests/corpus/examples/04-session3-im-escalate.json");
  const doc = JSON.parse(fs.readFileSync(file, "utf8"));
  const expected = workedExample(file);
  // Revision 2027.1 (the worked example's expected decisions): session 2 was an increase, so
  // session 3 keeps L2 = 40 mg, and that increase earned a phone check of its own.
  const session = expected.decisions.session;
  assert.deepEqual([session.verdict, session.level, session.level_change, session.dose.value, session.dose.unit], ["proceed", "L2", "maintain", 40, "mg"]);
  assert.deepEqual(expected.decisions.follow_up.due.map((d) => d.id), ["phone_check", "phone_check"]);
  const { page, context, requests, errors } = await openForm();
  await fillDocument(page, doc);
  await expectDecisions(page, expected);
  // Today's session on screen: the level, the dose, and how the dose was computed.
  const card = (await page.locator('article[data-decision="session"]').innerText()).replace(/\s+/g, " ");
  for (const t of [session.level, `${session.dose.value} ${session.dose.unit}`, model.humanize(session.level_change)]) {
    assert.ok(card.includes(t), `"${t}" not in the session card: ${card}`);
  }
  const trace = expected.explanation.find((e) => e.decision === "session" && e.dose);
  assert.ok(trace, "the native output explains the dose");
  const panel = (await page.locator("aside.results").innerText()).replace(/\s+/g, " ");
  assert.ok(panel.includes(`${trace.dose.raw_mg} mg`), `the arithmetic (${trace.dose.raw_mg} mg before rounding) is not on screen`);
  // Remove the last session and add it back: the decisions come back the same.
  const list = "course.sessions";
  const n = doc.course.sessions.length;
  assert.equal(await page.locator(`[data-list="${list}"].list-field .item`).count(), n);
  await page.click(`[data-remove="${list}"][data-index="${n - 1}"]`);
  assert.equal(await page.locator(`[data-list="${list}"].list-field .item`).count(), n - 1);
  assert.equal(await page.evaluate(() => document.activeElement.id), model.fieldId(list), "focus goes to the add button");
  await page.click(byId(model.fieldId(list)));
  const entry = lay.sections.flatMap((s) => s.entries).find((e) => e.kind === "list" && e.input.path === list);
  const last = doc.course.sessions[n - 1];
  for (const f of entry.fields) {
    const name = model.leaf(f.path);
    if (name in last) await fillField(page, f, model.itemPath(f.path, n - 1), last[name]);
  }
  await expectDecisions(page, expected);
  await page.locator("aside.results").screenshot({ path: path.join(artefacts, "session3.png") });
  assert.deepEqual(requests.after, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a session being monitored: each alert with its action beside it, read out and printed", async () => {
  const file = path.join(repo, "tests/corpus/examples/06-monitoring.json");
  const doc = JSON.parse(fs.readFileSync(file, "utf8"));
  const expected = workedExample(file);
  const monitoring = expected.decisions.monitoring;
  // Revision 2027.1: pulse oximetry for the whole observation; the alert carries its action.
  assert.equal(monitoring.spo2_continuous_until, monitoring.min_observation_minutes);
  assert.equal(monitoring.alerts.length, 1);
  const [alert] = monitoring.alerts;
  assert.ok(typeof alert.action === "string" && alert.action.length > 0, "the worked example's alert has an action");
  const { page, context, requests, errors } = await openForm();
  await fillDocument(page, doc);
  await expectDecisions(page, expected);
  const card = page.locator('article[data-decision="monitoring"]');
  assert.equal((await card.locator('[data-field="spo2_continuous_until"]').innerText()).split(" ")[0], String(monitoring.spo2_continuous_until));
  // Beside the alert: in its row, in the cell of its message, right after it.
  const row = card.locator(`tr[data-alert="${alert.id}"]`);
  const cell = row.locator("td", { has: page.locator(".alert-message") });
  const message = expected.explanation.find((e) => e.decision === "monitoring" && e.rule === alert.id && e.result === "fired").message;
  assert.equal((await cell.locator(".alert-message").innerText()).trim(), message);
  assert.equal((await cell.locator('[data-field="action"]').innerText()).replace(/\s+/g, " ").trim(), `Action: ${alert.action}`);
  const gap = await cell.evaluate((td) => td.querySelector('[data-field="action"]').getBoundingClientRect().top - td.querySelector(".alert-message").getBoundingClientRect().bottom);
  assert.ok(gap >= -1 && gap < 48, `the action is ${gap}px below the alert's message`);
  // What a screen reader is given: the cell's accessible name holds the message and the action,
  // and the column says it holds both.
  const escape = (t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  assert.equal(await card.getByRole("cell", { name: new RegExp(`${escape(message)}.*Action: ${escape(alert.action)}`) }).count(), 1, "the action is not in the alert's accessible text");
  assert.equal(await card.getByRole("columnheader", { name: "Alert and action" }).count(), 1);
  await card.locator('[data-list="alerts"]').screenshot({ path: path.join(artefacts, "alert-action.png") });
  // Printed: the alert and its action are on the page.
  await page.emulateMedia({ media: "print" });
  assert.ok(await row.isVisible(), "the alert is not printed");
  assert.ok(await cell.locator('[data-field="action"]').isVisible(), "the action is not printed");
  await card.locator('[data-list="alerts"]').screenshot({ path: path.join(artefacts, "alert-action-print.png") });
  fs.writeFileSync(path.join(artefacts, "monitoring.pdf"), await page.pdf({ format: "A4", printBackground: true }));
  assert.deepEqual(requests.after, []);
  assert.deepEqual(errors, []);
  await context.close();
});

/** An input's label and help as the rule file writes them: `input PATH: ... "LABEL"` then `help "HELP"`. */
function declared(inputPath) {
  const escaped = inputPath.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const m = new RegExp(`^input ${escaped}:[^\\n]*"([^"]*)"[ \\t]*\\n[ \\t]+help "([^"]*)"`, "m").exec(referenceSource);
  assert.ok(m, `${inputPath}: no input with help in the rule file`);
  return { label: m[1], help: m[2] };
}

test("inputs new in revision 2027.1 appear in the form with their label and help from the rule file", async () => {
  const { page, context, errors } = await openForm();
  const inputs = [
    ["patient.stroke_or_tia_history", "Ischaemic stroke or TIA, ever"],
    ["today.event_reviewed", "Previous session's event reviewed"],
    ["observations.physician_cleared", "Physician cleared discharge"],
    ["course.sessions[].spo2_min", "Lowest SpO2"],
  ];
  // A list item's fields appear once an item is added.
  await page.click(byId(model.fieldId("course.sessions")));
  for (const [generic, label] of inputs) {
    const rule = declared(generic);
    assert.equal(rule.label, label, `${generic}: the rule file's label`);
    const input = lay.byPath.get(generic);
    assert.ok(input, `${generic} is not in describe()`);
    const at = generic.includes("[]") ? model.itemPath(generic, 0) : generic;
    const id = model.fieldId(at);
    const field = page.locator(`[data-field="${at}"]`);
    assert.equal(await field.count(), 1, `${at}: no field in the form`);
    assert.ok(await field.isVisible(), `${at}: not visible`);
    const title = input.type === "boolean" ? field.locator("legend") : field.locator(`label[for="${id}"]`);
    const shown = (await title.innerText()).trim();
    assert.ok(shown === label || shown.startsWith(`${label} (`), `${at}: label "${shown}", not "${label}"`);
    assert.equal((await page.locator(byId(`${id}-help`)).innerText()).trim(), rule.help, `${at}: help`);
    // The help is the control's description (what a screen reader says after the label).
    assert.ok((await page.locator(byId(id)).getAttribute("aria-describedby")).split(" ").includes(`${id}-help`), `${at}: help not linked to the control`);
    if (input.type === "boolean") assert.equal(await page.getByRole("group", { name: label, exact: true }).count(), 1, `${at}: no group named "${label}"`);
  }
  await page.locator('[data-field="patient.stroke_or_tia_history"]').screenshot({ path: path.join(artefacts, "new-input.png") });
  assert.deepEqual(errors, []);
  await context.close();
});

// ---------------------------------------------------------------------------------------
// Accessibility: the keyboard, axe-core, screen readers; and what a newcomer meets first.

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const EXAMPLES = fs
  .readdirSync(path.join(repo, "tests/corpus/examples"))
  .filter((f) => f.endsWith(".json") && !f.endsWith(".expected.json"))
  .sort()
  .map((f) => path.join(repo, "tests/corpus/examples", f));

/** Opens a saved document through "Open a document…", and waits until the form shows it. */
async function loadDocument(page, file) {
  const doc = JSON.parse(fs.readFileSync(file, "utf8"));
  await page.setInputFiles("#doc-file", file);
  if (doc.at) {
    const local = model.fieldId("at");
    await page.waitForFunction(
      ([id, at]) => {
        const el = document.getElementById(id);
        return el && el.value && new Date(el.value + "Z").getTime() === new Date(at).getTime();
      },
      [local, doc.at],
    );
  }
  await page.waitForSelector("#status [data-decision], #status [data-state], #status .chip");
  return doc;
}

/** Where the focus is, and how it shows: the focused element, or the visible control standing for it. */
async function focusStop(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    let proxy = el;
    // A file input is hidden: its label is the button seen. A tri-state radio is hidden: its text is seen.
    if (el.matches('input[type="file"]')) proxy = el.closest("label") || document.querySelector(`label[for="${el.id}"]`) || el;
    else if (el.matches(".tri-option input")) proxy = el.nextElementSibling;
    const cs = getComputedStyle(proxy);
    let outline = cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) >= 2;
    // A date-time field's calendar button has the focus when the field is :focus-within
    // but not :focus: the button itself must then show it.
    if (el.matches('input[type="datetime-local"]') && !el.matches(":focus")) {
      outline = outline && getComputedStyle(el, "::-webkit-calendar-picker-indicator").outlineStyle !== "none";
    }
    const shadow = cs.boxShadow !== "none";
    const extent = outline ? parseFloat(cs.outlineWidth) + Math.max(0, parseFloat(cs.outlineOffset) || 0) : 0;
    const r = proxy.getBoundingClientRect();
    const barEl = document.getElementById("status");
    const bar = barEl.getBoundingClientRect();
    return {
      name: el.id || el.dataset.path || el.outerHTML.slice(0, 90),
      ring: outline || shadow,
      extent,
      r: { top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height },
      vw: document.documentElement.clientWidth,
      vh: window.innerHeight,
      bar: { top: bar.top, bottom: bar.bottom },
      inBar: barEl.contains(el),
    };
  });
}

function checkStop(stop, where) {
  const at = `${where}: ${stop.name}`;
  assert.ok(stop.ring, `${at}: no visible focus outline`);
  assert.ok(stop.r.width >= 8 && stop.r.height >= 8, `${at}: the focus is on something not seen (${stop.r.width}×${stop.r.height})`);
  assert.ok(stop.r.top >= -0.5 && stop.r.left >= -0.5, `${at}: outside the viewport (${JSON.stringify(stop.r)})`);
  assert.ok(stop.r.bottom <= stop.vh + 0.5 && stop.r.right <= stop.vw + 0.5, `${at}: outside the viewport (${JSON.stringify(stop.r)}, ${stop.vw}×${stop.vh})`);
  // The sticky verdict bar is at the top once the page has scrolled: nothing focused hides under it.
  if (!stop.inBar && stop.bar.top <= 0.5) {
    assert.ok(stop.r.top >= stop.bar.bottom - 0.5, `${at}: under the sticky verdict bar (top ${stop.r.top}, bar bottom ${stop.bar.bottom})`);
  }
}

/** Tabs through every control to the end of the page, then Shift+Tabs back to the start, checking each stop. */
async function keyboardWalk(page, where) {
  await page.evaluate(() => {
    document.activeElement && document.activeElement.blur();
    window.scrollTo(0, 0);
  });
  const forward = [];
  for (let i = 0; i < 2000; i++) {
    await page.keyboard.press("Tab");
    const stop = await focusStop(page);
    if (stop === null) break;
    checkStop(stop, `${where}, Tab #${i + 1}`);
    forward.push(stop.name);
  }
  assert.ok(forward.length > 20, `${where}: only ${forward.length} Tab stops`);
  const backward = [];
  for (let i = 0; i < 2000; i++) {
    await page.keyboard.press("Shift+Tab");
    const stop = await focusStop(page);
    if (stop === null) break;
    checkStop(stop, `${where}, Shift+Tab #${i + 1}`);
    backward.push(stop.name);
  }
  assert.deepEqual([...new Set(backward)].sort(), [...new Set(forward)].sort(), `${where}: Shift+Tab reaches every stop Tab did`);
  return forward;
}

for (const [size, viewport] of [["desktop", DESKTOP], ["phone", PHONE]]) {
  test(`keyboard (${size} ${viewport.width}×${viewport.height}): every stop shows its focus, in view and clear of the verdict bar, Tab and Shift+Tab`, async () => {
    const { page, context, errors } = await openForm(viewport);
    await loadDocument(page, path.join(repo, "tests/corpus/examples/04-session3-im-escalate.json"));
    const stops = await keyboardWalk(page, size);
    for (const id of ["rule-file", "doc-file", "save-doc", "clear-form", "print"]) assert.ok(stops.includes(id), `${id} is not reached by Tab`);
    // Each part of a date-time field (the calendar button included) is a stop of its own.
    const at = model.fieldId("at");
    assert.ok(stops.filter((s) => s === at).length > 1, "the parts of a date-time field");
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test("keyboard: the file buttons and a date-time field's calendar button show their focus", async () => {
  const { page, context } = await openForm(DESKTOP);
  for (const id of ["rule-file", "doc-file"]) {
    await page.focus(`#${id}`);
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Tab");
    const label = page.locator(`label:has(#${id})`);
    const outline = await label.evaluate((l) => getComputedStyle(l).outlineStyle + " " + getComputedStyle(l).outlineWidth);
    assert.match(outline, /^solid 3px$/, `${id}: the button seen has no focus outline`);
    // The next control does not take the outline meant for this one.
    const next = await page.evaluate((i) => {
      const el = document.getElementById(i).closest("label").nextElementSibling;
      return el ? getComputedStyle(el).outlineStyle : "none";
    }, id);
    assert.equal(next, "none", `${id}: the outline is drawn on the next element`);
  }
  // The calendar button: the last stop inside the field, before its "Now" button.
  const at = model.fieldId("at");
  await page.focus(`[data-now="at"]`);
  await page.keyboard.press("Shift+Tab");
  assert.equal(await page.evaluate(() => document.activeElement.id), at);
  const field = page.locator(`[id="${at}"]`);
  const box = await field.boundingBox();
  const clip = { x: box.x + box.width - 34, y: box.y - 4, width: 38, height: box.height + 8 };
  const onButton = await field.evaluate((el) => [el.matches(":focus"), getComputedStyle(el).outlineStyle, getComputedStyle(el, "::-webkit-calendar-picker-indicator").outlineStyle]);
  assert.deepEqual(onButton, [false, "solid", "solid"], "the calendar button (the field :focus-within, not :focus) shows its focus");
  const withFocus = await page.screenshot({ clip });
  await page.screenshot({ path: path.join(artefacts, "calendar-focus.png"), clip: { x: box.x - 6, y: box.y - 6, width: box.width + 12, height: box.height + 12 } });
  // The same field with the focus on its last part (seconds) rather than on the calendar button.
  await page.keyboard.press("Shift+Tab");
  assert.equal(await page.evaluate(() => document.activeElement.id), at);
  const without = await page.screenshot({ clip });
  assert.notDeepEqual(withFocus, without, "the calendar button shows no focus");
  await context.close();
});

for (const [size, viewport] of [["desktop", DESKTOP], ["phone", PHONE]]) {
  test(`axe-core, WCAG 2.2 AA (${size}): the empty form, every worked example, an invalid field: no violation`, async () => {
    // axe is injected as an inline script, which the page's policy forbids: bypassed for this test only.
    const context = await browser.newContext({ viewport, timezoneId: "UTC", locale: "en-GB", bypassCSP: true });
    const page = await context.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => document.documentElement.dataset.ready === "true");
    const found = [];
    found.push(...(await axeViolations(page)).map((v) => `empty form: ${v}`));
    for (const file of EXAMPLES) {
      await loadDocument(page, file);
      // The results' <details> open too, so that what they hold is checked.
      await page.evaluate(() => document.querySelectorAll("details").forEach((d) => (d.open = true)));
      found.push(...(await axeViolations(page)).map((v) => `${path.basename(file)}: ${v}`));
    }
    await page.fill(byId(model.fieldId("patient.age")), "999");
    await page.waitForSelector('[data-field="patient.age"].invalid');
    found.push(...(await axeViolations(page)).map((v) => `invalid field: ${v}`));
    assert.deepEqual(found, []);
    await context.close();
  });
}

test('"Now" starts at the current time, labelled and editable; messages use the form\'s words', async () => {
  const before = Date.now();
  const { page, context, errors } = await openForm(DESKTOP);
  const at = page.locator(byId(model.fieldId("at")));
  const value = await at.inputValue();
  assert.ok(value, '"Now" is empty');
  const shown = new Date(value + "Z").getTime(); // the browser runs in UTC here
  assert.ok(Math.abs(shown - before) < 3 * 60000, `"Now" is ${value}, not the current time`);
  assert.equal(await page.locator(`label[for="${model.fieldId("at")}"]`).innerText(), lay.byPath.get("at").label);
  assert.match(await page.locator(byId(`${model.fieldId("at")}-expects`)).innerText(), /current time/);
  assert.match(await page.locator(byId(`${model.fieldId("at")}-utc`)).innerText(), /UTC$/);
  // Editable: another time is kept and decides.
  await fillField(page, lay.byPath.get("at"), "at", "2026-11-20T10:00:00Z");
  assert.equal(await at.inputValue(), "2026-11-20T10:00");
  // The engine's refusal (a list item without its time) is said in the form's words.
  const list = [...lay.byPath.values()].find((i) => i.type === "list");
  await page.click(byId(model.fieldId(list.path)));
  await page.waitForSelector(".field.invalid");
  // What is said, without the input paths the links show in small print under their labels.
  const said = await page.evaluate(() =>
    [...document.querySelectorAll("#status, .problems, .field-error:not([hidden])")]
      .map((el) => {
        const copy = el.cloneNode(true);
        copy.querySelectorAll("code").forEach((c) => c.remove());
        return copy.textContent;
      })
      .join("\n"),
  );
  assert.doesNotMatch(said, /RFC 3339|`|\bdocument\b|\bat\b/, said);
  assert.match((await page.locator("#status").innerText()).replace(/\s+/g, " "), new RegExp(`fix ${list.label} #1`));
  assert.deepEqual(errors, []);
  await context.close();
});

test("a document refused as it is opened names the field to fix as not evaluated (no decisions to mark out of date), its path beside its label", async () => {
  const doc = JSON.parse(fs.readFileSync(path.join(repo, "tests/corpus/examples/01-eligible-intake.json"), "utf8"));
  doc.patient.age = 130;
  const file = path.join(artefacts, "age-130.json");
  fs.writeFileSync(file, JSON.stringify(doc));
  const { page, context, errors } = await openForm(DESKTOP);
  await loadDocument(page, file);
  const age = lay.byPath.get("patient.age");
  const status = (await page.locator("#status").innerText()).replace(/\s+/g, " ");
  assert.match(status, new RegExp(`Not evaluated: fix ${age.label}`));
  assert.doesNotMatch(status, /out of date/i);
  // On one line: the label, the path, what is wrong (the path is not set under the label).
  const problem = await page.locator(".problems li").first().innerText();
  assert.match(problem, new RegExp(`^${age.label} patient\\.age: 130 is out of range`), problem);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a document is opened as the engine reads it: a member twice or undeclared, a null, a list (with a value out of range or not) are not opened, and a number keeps its digits", async () => {
  const compact = JSON.stringify(JSON.parse(fs.readFileSync(path.join(repo, "tests/corpus/examples/01-eligible-intake.json"), "utf8")));
  assert.ok(compact.includes('"age":34') && compact.includes('"weight":68.5') && compact.includes('"bmi":23.4'));
  // Each refused by the engine (`kap eval`) for the input named; JavaScript's JSON.parse would
  // have read each (the last age, no agee, no weight, nothing) and the form would have shown it.
  const refused = [
    ["twice.json", compact.replace('"age":34', '"age":34,"age":17'), "patient.age"],
    ["undeclared.json", compact.replace('"age":34', '"agee":34'), "patient.agee"],
    ["null.json", compact.replace('"weight":68.5', '"weight":null'), "patient.weight"],
    ["list.json", `[${compact}]`, null],
    // A value the form would open and mark at its field (age 130), and a weight given twice:
    // the engine names the member first, so the form never opens a weight the file does not
    // say unambiguously.
    ["age-and-twice.json", compact.replace('"age":34', '"age":130').replace('"weight":68.5', '"weight":68.5,"weight":150'), "patient.weight"],
  ];
  const { page, context, errors } = await openForm(DESKTOP);
  const age = byId(model.fieldId("patient.age"));
  for (const [name, text, where] of refused) {
    const file = path.join(artefacts, name);
    fs.writeFileSync(file, text);
    const native = kap(["eval", servedRules, "--input", file]);
    assert.equal(native.status, 2, `${name}: kap eval refuses it`);
    const dialog = page.waitForEvent("dialog");
    await page.setInputFiles("#doc-file", file);
    const shown = await dialog;
    const message = shown.message();
    await shown.dismiss();
    assert.match(message, new RegExp(`^${name} was not opened: `), message);
    if (where) assert.ok(message.includes(where), `${name}: ${message}`);
    assert.equal(await page.inputValue(age), "", `${name}: the form was filled`);
  }
  // 35.0000000000000001 is above 35 for the engine (a caution); a JavaScript number is 35.
  const exact = path.join(artefacts, "bmi-digits.json");
  fs.writeFileSync(exact, compact.replace('"bmi":23.4', '"bmi":35.0000000000000001'));
  const native = nativeEval(exact);
  assert.equal(native.decisions.eligibility.verdict, "eligible_with_cautions");
  await loadDocument(page, exact);
  assert.equal(await page.inputValue(byId(model.fieldId("patient.bmi"))), "35.0000000000000001");
  await page.waitForSelector('article[data-decision="eligibility"] [data-verdict="eligible_with_cautions"]');
  // Saved, it keeps them too.
  const download = page.waitForEvent("download");
  await page.click("#save-doc");
  const saved = fs.readFileSync(await (await download).path(), "utf8");
  assert.match(saved, /"bmi": 35\.0000000000000001,/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a document opened with a wrong value never shows the decisions of the document before it", async () => {
  const { page, context, errors } = await openForm(DESKTOP);
  await loadDocument(page, path.join(repo, "tests/corpus/examples/05-session-hold.json"));
  await page.waitForSelector('article[data-decision="session"] [data-verdict]');
  const file = path.join(artefacts, "another-patient-age-150.json");
  fs.writeFileSync(file, JSON.stringify({ at: "2026-11-20T10:00:00Z", patient: { age: 150, weight: 68.5 } }));
  await loadDocument(page, file);
  const status = (await page.locator("#status").innerText()).replace(/\s+/g, " ");
  assert.match(status, /Not evaluated: fix Age/);
  assert.equal(await page.locator('[data-state="stale"]').count(), 0, "no decisions of the former patient, even out of date");
  assert.equal(await page.locator('#status-chips .chip[data-decision="session"]').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a wrong field keeps the last decisions on screen, out of date, names the field at the top; fixed, they are live again", async () => {
  const file = path.join(repo, "tests/corpus/examples/02-ineligible.json");
  const expected = workedExample(file);
  const { page, context, errors } = await openForm(DESKTOP);
  const doc = await loadDocument(page, file);
  await expectDecisions(page, expected);
  const age = lay.byPath.get("patient.age");
  const id = model.fieldId(age.path);
  // Letters in a number field stay visible, and the form says they are not a number.
  await page.locator(byId(id)).fill("");
  await page.locator(byId(id)).pressSequentially("4x");
  assert.equal(await page.locator(byId(id)).inputValue(), "4x");
  assert.match(await page.locator(byId(`${id}-error`)).innerText(), /"4x" is not a number/);
  const status = (await page.locator("#status").innerText()).replace(/\s+/g, " ");
  assert.match(status, new RegExp(`Out of date: fix ${age.label}`));
  assert.match(status, /out of date/);
  // The last verdict in the bar keeps its words, not its colour: never a green verdict beside a wrong field.
  const lastChip = page.locator('#status-chips .chip.stale[data-decision="eligibility"]');
  assert.equal(await lastChip.count(), 1);
  assert.match(await lastChip.getAttribute("class"), /tone-neutral/);
  assert.equal(await lastChip.locator(".icon").innerText(), "!");
  const stale = page.locator('[data-state="stale"]');
  assert.equal(await stale.locator(`[data-verdict="${expected.decisions.eligibility.verdict}"]`).count(), 1, "the last verdict is still shown");
  assert.match(await stale.innerText(), /Out of date/);
  // ...in grey, its verdict's colours too.
  assert.equal(await stale.evaluate((el) => getComputedStyle(el.querySelector(":scope > :not(.stale-label)")).filter), "grayscale(1)");
  assert.match((await page.locator(".problems").innerText()).replace(/\s+/g, " "), new RegExp(`fix ${age.label}`));
  await page.locator("#status a[data-focus]").click();
  assert.equal(await page.evaluate(() => document.activeElement.id), id, "the link at the top focuses the field");
  await page.screenshot({ path: path.join(artefacts, "out-of-date.png") });
  // Fixed: live again.
  await page.fill(byId(id), String(doc.patient.age));
  assert.equal(await page.locator('[data-state="stale"]').count(), 0);
  assert.doesNotMatch(await page.locator("#status").innerText(), /out of date/i);
  await expectDecisions(page, expected);
  assert.deepEqual(errors, []);
  await context.close();
});

test("missing inputs are listed in the form's order", async () => {
  // A patient of whom only the age is known: many inputs missing, over two sections.
  const file = path.join(artefacts, "only-age.json");
  fs.writeFileSync(file, JSON.stringify({ at: "2026-11-20T10:00:00Z", patient: { age: 40 } }));
  const expected = nativeEval(file);
  const { page, context } = await openForm(DESKTOP);
  await loadDocument(page, file);
  let checked = 0;
  for (const [name, outcome] of Object.entries(expected.decisions)) {
    if (!Array.isArray(outcome.missing) || outcome.missing.length < 2) continue;
    const shown = await page.locator(`article[data-decision="${name}"] [data-list="missing"] a[data-focus]`).evaluateAll((as) => as.map((a) => a.dataset.focus));
    assert.deepEqual([...shown].sort(), [...outcome.missing].sort());
    // Where each field is on the page, top to bottom.
    const positions = await page.evaluate((paths) => {
      const all = [...document.querySelectorAll("[data-field], [data-list].list-field")];
      return paths.map((p) => all.findIndex((el) => (el.dataset.field || el.dataset.list) === p));
    }, shown);
    assert.ok(positions.every((i) => i >= 0), `${name}: a missing input without its field`);
    assert.deepEqual(positions, [...positions].sort((a, b) => a - b), `${name}: ${shown.join(", ")}`);
    checked++;
  }
  assert.ok(checked > 0, "an example with two missing inputs or more");
  await context.close();
});

test("screen readers hear a verdict once when it changes, with its first reason, not every keystroke", async () => {
  const { page, context, errors } = await openForm(DESKTOP);
  assert.equal(await page.locator("#status").getAttribute("aria-live"), null, "the verdict bar is not a live region");
  assert.equal(await page.locator("#announce").getAttribute("aria-live"), "polite");
  await page.evaluate(() => {
    window.__said = [];
    new MutationObserver(() => window.__said.push(document.getElementById("announce").textContent)).observe(document.getElementById("announce"), { childList: true, characterData: true, subtree: true });
  });
  const settle = () => page.waitForTimeout(1400);
  const file = path.join(repo, "tests/corpus/examples/01-eligible-intake.json");
  const expected = workedExample(file);
  await settle();
  await loadDocument(page, file);
  await settle();
  let said = await page.evaluate(() => window.__said);
  assert.equal(said.length, 1, JSON.stringify(said));
  const eligibility = description.decisions.find((d) => d.name === "eligibility");
  assert.ok(said[0].includes(`${eligibility.title}: ${model.humanize(expected.decisions.eligibility.verdict)}.`), said[0]);
  // Typing a new age key by key, through values that change the verdict: one announcement, at the end.
  const id = model.fieldId("patient.age");
  await page.locator(byId(id)).fill("");
  await page.locator(byId(id)).pressSequentially("16", { delay: 120 });
  await settle();
  said = await page.evaluate(() => window.__said);
  assert.equal(said.length, 2, JSON.stringify(said));
  const copy = JSON.parse(fs.readFileSync(file, "utf8"));
  copy.patient.age = 16;
  const out = Protocol.compile(referenceSource).evaluate(copy);
  const verdict = out.decisions.eligibility.verdict;
  assert.notEqual(verdict, expected.decisions.eligibility.verdict);
  assert.ok(said[1].includes(`${eligibility.title}: ${model.humanize(verdict)}.`), said[1]);
  const firstList = Object.entries(out.decisions.eligibility).find(([k, v]) => k !== "missing" && Array.isArray(v) && typeof v[0] === "string");
  const reason = out.explanation.find((e) => e.decision === "eligibility" && e.rule === firstList[1][0]);
  assert.ok(said[1].includes(reason.message.replace(/\.$/, "")), `"${said[1]}" lacks the first reason "${reason.message}"`);
  // A change that leaves the verdicts as they are says nothing.
  await page.locator(byId(id)).fill("15");
  await settle();
  assert.equal((await page.evaluate(() => window.__said)).length, 2);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a phone (390×844): a compact header, and Unknown / Yes / No buttons of 44 px", async () => {
  const { page, context } = await openForm(PHONE);
  await loadDocument(page, path.join(repo, "tests/corpus/examples/01-eligible-intake.json"));
  await page.evaluate(() => window.scrollTo(0, 0));
  const header = await page.locator("header.top").evaluate((el) => el.getBoundingClientRect().height);
  assert.ok(header < 0.45 * PHONE.height, `the header takes ${header}px of ${PHONE.height}`);
  const small = await page.evaluate(() =>
    [...document.querySelectorAll(".tri-option")]
      .map((el) => ({ id: el.querySelector("input").id, r: el.getBoundingClientRect() }))
      .filter(({ r }) => r.width < 44 || r.height < 44)
      .map(({ id, r }) => `${id}: ${r.width}×${r.height}`),
  );
  assert.deepEqual(small, [], "touch targets under 44 px");
  await page.screenshot({ path: path.join(artefacts, "phone-top.png") });
  await context.close();
});

// ---------------------------------------------------------------------------------------
// A phone at the bedside: the decisions at any moment, from the verdict bar.

const SEVERITY_ORDER = ["critical", "warning", "info"];

/** Every alert of an output, wherever a decision lists it, most severe first (the engine's order kept). */
function alertsIn(output) {
  const found = [];
  const walk = (decision, o) => {
    for (const [k, v] of Object.entries(o || {})) {
      if (k === "alerts" && Array.isArray(v)) v.forEach((a) => found.push({ ...a, decision }));
      // A nested outcome (a discharge) is explained under its own name.
      else if (v && typeof v === "object" && !Array.isArray(v)) walk(k, v);
    }
  };
  for (const [name, o] of Object.entries(output.decisions)) walk(name, o);
  const rank = (s) => (SEVERITY_ORDER.indexOf(s) < 0 ? 9 : SEVERITY_ORDER.indexOf(s));
  return found.map((a, i) => [a, i]).sort(([a, i], [b, j]) => rank(a.severity) - rank(b.severity) || i - j).map(([a]) => a);
}

/** Rule ids an outcome lists as its reasons (its lists of rule ids, nested outcomes included): [{decision, id}]. */
function reasonsIn(output) {
  const found = [];
  // Only the lists of an outcome with a verdict are its reasons (not, say, a list of instructions).
  const walk = (decision, o) => {
    for (const [k, v] of Object.entries(o || {})) {
      if (k === "missing") continue;
      if (typeof o.verdict === "string" && Array.isArray(v) && v.every((x) => typeof x === "string")) v.forEach((id) => found.push({ decision, id }));
      // A nested outcome (a discharge) is explained under its own name.
      else if (v && typeof v === "object" && !Array.isArray(v)) walk(k, v);
    }
  };
  for (const [name, o] of Object.entries(output.decisions)) walk(name, o);
  return found;
}

const MONITORING = path.join(repo, "tests/corpus/examples/06-monitoring.json");

/** Is the element's box inside the viewport? */
async function inViewport(locator) {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.top >= -0.5 && r.left >= -0.5 && r.bottom <= window.innerHeight + 0.5 && r.right <= document.documentElement.clientWidth + 0.5;
  });
}

test("a phone (390×844), mid-form: the bar shows the most severe alert and its action, opens on the reasons and alerts without scrolling", async () => {
  const expected = workedExample(MONITORING);
  const alerts = alertsIn(expected);
  assert.ok(alerts.length > 0, "the worked example raises an alert");
  const worst = alerts[0];
  assert.ok(worst.action, "its alert has an action");
  const reasons = reasonsIn(expected);
  assert.ok(reasons.length > 0, "the worked example's verdicts have reasons");
  const { page, context, requests, errors } = await openForm(PHONE);
  await loadDocument(page, MONITORING);
  // Filling in, a third of the way down the form: the decisions panel is thousands of pixels below.
  await page.evaluate(() => window.scrollTo(0, Math.round(document.getElementById("form").getBoundingClientRect().height / 3)));
  const y = await page.evaluate(() => window.scrollY);
  assert.ok(y > 1000, `the page scrolled ${y}px`);
  const resultsTop = await page.locator("aside.results").evaluate((el) => el.getBoundingClientRect().top);
  assert.ok(resultsTop > PHONE.height, "the decisions panel is out of view");
  // The bar: the most severe alert, with its action, in view.
  const chip = page.locator("#status .chip-alert");
  assert.equal(await chip.count(), 1);
  assert.equal(await chip.getAttribute("data-alert"), worst.id);
  const chipText = (await chip.innerText()).replace(/\s+/g, " ");
  assert.ok(chipText.includes(`Action: ${worst.action}`), chipText);
  const message = expected.explanation.find((e) => e.rule === worst.id && e.result === "fired").message;
  assert.ok(chipText.includes(message) || chipText.includes(worst.id), chipText);
  assert.ok(await inViewport(chip), "the alert in the bar is out of view");
  await page.screenshot({ path: path.join(artefacts, "phone-after.png") });
  // Expanded: every reason and every alert with its action, on screen, the page where it was.
  const toggle = page.locator("#status-toggle");
  assert.equal(await toggle.getAttribute("aria-expanded"), "false");
  assert.ok(await page.locator("#status-details").isHidden());
  // A tap on the button (a click on its box: Playwright's click would first scroll a sticky element "into view").
  const box = await toggle.boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  assert.equal(await toggle.getAttribute("aria-expanded"), "true");
  const panel = page.locator("#status-details");
  assert.ok(await panel.isVisible());
  assert.equal(await page.evaluate(() => window.scrollY), y, "opening the bar scrolled the page");
  for (const { decision, id } of reasons) {
    const item = panel.locator(`[data-bar-decision="${decision}"] li[data-rule="${id}"]`).first();
    const text = expected.explanation.find((e) => e.decision === decision && e.rule === id && e.message);
    assert.ok(text, `${decision}/${id}: no message in the explanation`);
    assert.ok((await item.innerText()).includes(text.message), `${decision}/${id}: the reason's message`);
    assert.ok(await inViewport(item), `${decision}/${id}: the reason is out of view`);
  }
  for (const a of alerts) {
    const item = panel.locator(`li[data-alert="${a.id}"]`);
    assert.equal((await item.locator('[data-field="action"]').innerText()).replace(/\s+/g, " ").trim(), `Action: ${a.action}`);
  }
  assert.ok(await inViewport(panel.locator(`li[data-alert="${worst.id}"]`)), "the alert is out of view in the open bar");
  assert.equal(await page.evaluate(() => window.scrollY), y);
  await page.screenshot({ path: path.join(artefacts, "phone-after-open.png") });
  // Escape closes it, the focus on its button; the button opens and closes it.
  await toggle.focus();
  await page.keyboard.press("Escape");
  assert.equal(await toggle.getAttribute("aria-expanded"), "false");
  assert.ok(await panel.isHidden());
  assert.equal(await page.evaluate(() => document.activeElement.id), "status-toggle");
  await page.keyboard.press("Enter");
  assert.equal(await toggle.getAttribute("aria-expanded"), "true");
  await page.keyboard.press("Enter");
  assert.equal(await toggle.getAttribute("aria-expanded"), "false");
  assert.deepEqual(requests.after, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("sections collapse and open by keyboard, and stay so when the form is drawn again", async () => {
  const { page, context, errors } = await openForm(PHONE);
  await loadDocument(page, MONITORING);
  const name = lay.sections.find((s) => s.name !== "").name;
  const toggle = page.locator(`[data-section-toggle="${name}"]`);
  const body = page.locator(byId(await toggle.getAttribute("aria-controls")));
  assert.equal(await toggle.getAttribute("aria-expanded"), "true");
  await toggle.focus();
  await page.keyboard.press("Enter");
  assert.equal(await toggle.getAttribute("aria-expanded"), "false");
  assert.ok(await body.isHidden());
  assert.equal(await page.evaluate(() => document.activeElement.dataset.sectionToggle), name, "the focus stays on the section's button");
  await page.keyboard.press("Space");
  assert.equal(await toggle.getAttribute("aria-expanded"), "true");
  assert.ok(await body.isVisible());
  await page.keyboard.press("Space");
  assert.equal(await toggle.getAttribute("aria-expanded"), "false");
  // The form drawn again (a document opened): the section is still collapsed, its values kept.
  await loadDocument(page, MONITORING);
  await page.waitForFunction((n) => document.querySelector(`[data-section-toggle="${n}"]`).getAttribute("aria-expanded") === "false", name);
  assert.ok(await page.locator(byId(await toggle.getAttribute("aria-controls"))).isHidden());
  await page.screenshot({ path: path.join(artefacts, "phone-collapsed.png") });
  // A link to a field of a collapsed section opens it.
  const input = lay.sections.find((s) => s.name === name).entries.find((e) => e.kind === "field").input;
  await page.evaluate((p) => {
    const a = document.createElement("a");
    a.href = "#";
    a.dataset.focus = p;
    a.textContent = "x";
    a.id = "test-link";
    document.getElementById("results").prepend(a);
  }, input.path);
  await page.click("#test-link");
  assert.equal(await toggle.getAttribute("aria-expanded"), "true");
  assert.equal(await page.evaluate((id) => document.getElementById(id).contains(document.activeElement), await toggle.getAttribute("aria-controls")), true, "the link focuses the field in its section");
  assert.deepEqual(errors, []);
  await context.close();
});

test("a phone (390×844): axe-core finds no violation with the bar open and a section collapsed", async () => {
  const context = await browser.newContext({ viewport: PHONE, timezoneId: "UTC", locale: "en-GB", bypassCSP: true });
  const page = await context.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => document.documentElement.dataset.ready === "true");
  await loadDocument(page, MONITORING);
  const name = lay.sections.find((s) => s.name !== "").name;
  await page.click(`[data-section-toggle="${name}"]`);
  await page.click("#status-toggle");
  assert.equal(await page.locator("#status-toggle").getAttribute("aria-expanded"), "true");
  assert.equal(await page.locator(`[data-section-toggle="${name}"]`).getAttribute("aria-expanded"), "false");
  assert.deepEqual(await axeViolations(page), []);
  await context.close();
});

test("a phone (390×844): Shift+Tab from the last control walks back in the reverse order of Tab, every stop in view and clear of the bar", async () => {
  const { page, context, errors } = await openForm(PHONE);
  await loadDocument(page, MONITORING);
  await page.evaluate(() => {
    document.activeElement && document.activeElement.blur();
    window.scrollTo(0, 0);
  });
  const forward = [];
  for (let i = 0; i < 2000; i++) {
    await page.keyboard.press("Tab");
    const stop = await focusStop(page);
    if (stop === null) break;
    checkStop(stop, `phone, Tab #${i + 1}`);
    forward.push(stop.name);
  }
  assert.ok(forward.length > 20, `only ${forward.length} Tab stops`);
  assert.ok(forward.includes("status-toggle"), "the bar's button is reached by Tab");
  assert.ok(forward.some((n) => /^sec-/.test(n)), "the sections' buttons are reached by Tab");
  // From the last control, backwards.
  const backward = [];
  for (let i = 0; i < forward.length; i++) {
    await page.keyboard.press("Shift+Tab");
    const stop = await focusStop(page);
    if (stop === null) break;
    checkStop(stop, `phone, Shift+Tab #${i + 1}`);
    backward.push(stop.name);
  }
  const reverse = [...forward].reverse();
  const at = reverse.findIndex((n, i) => backward[i] !== n);
  assert.ok(at < 0 && backward.length === reverse.length, `Shift+Tab walks back the way Tab came: ${backward.length} stops back, ${forward.length} forward; at back stop #${at + 1}: ${JSON.stringify(backward.slice(Math.max(0, at - 2), at + 3))} where Tab came by ${JSON.stringify(reverse.slice(Math.max(0, at - 2), at + 3))}`);
  assert.deepEqual(errors, []);
  await context.close();
});

// The authoring page (wasm/www/author.html): its model without a browser (where the engine's
// diagnostics fall in the text, which path a word names, what the hover says), then the page in
// headless Chromium, served by `kap serve` as the form is: the shipped protocol loaded and
// highlighted, a misspelt input path marked at its line and listed (then fixed), the preview's
// verdict following a changed threshold, the hover, download and open, the keyboard, axe-core,
// and no request after loading. The time from an edit to its diagnostic on screen is printed,
// never asserted. Screenshots go to target/web-test/.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { wwwDir, artefacts, loadPackage, CHROMIUM, BROWSER_ARGS, startServe, axeViolations } from "./helpers.mjs";

const authoring = await import(path.join(wwwDir, "authoring.js"));
const { textOf } = await import(path.join(wwwDir, "dom.js"));
const { check, Protocol } = await loadPackage();
// The rule file the page loads (copied there by scripts/web-build).
const referenceSource = fs.readFileSync(path.join(wwwDir, "pkg/kap-reference.kap"), "utf8");
const description = Protocol.compile(referenceSource).describe();
const lines = referenceSource.split("\n");
/** The 1-based number of the first line of the reference holding `text`. */
const lineOf = (text) => lines.findIndex((l) => l.includes(text)) + 1;
const AGE_RULE = "when patient.age < 18 years";

// ---------------------------------------------------------------------------------------
// The model (authoring.js)

test("byte offsets of the engine's spans become string indices, past characters of 2, 3 and 4 bytes", () => {
  const text = "a é – 😀 b";
  const bytes = (s) => Buffer.byteLength(s, "utf8");
  const at = (s) => bytes(text.slice(0, text.indexOf(s)));
  const map = authoring.byteOffsetsToIndices(text, [at("é"), at("–"), at("😀"), at("b"), bytes(text), bytes(text) + 5]);
  assert.equal(map.get(at("é")), text.indexOf("é"));
  assert.equal(map.get(at("–")), text.indexOf("–"));
  assert.equal(map.get(at("😀")), text.indexOf("😀"));
  assert.equal(map.get(at("b")), text.indexOf("b"));
  assert.equal(map.get(bytes(text)), text.length);
  assert.equal(map.get(bytes(text) + 5), text.length);
});

test("a diagnostic's range in the editor is where check() says: its line, its column, its width", () => {
  // Characters of 3 and 4 bytes before it, on an earlier line and on its own: bytes and characters differ.
  const text = referenceSource
    .replace("# The KAP reference protocol", "# The KAP – reference protocol 😀")
    .replace(AGE_RULE, "when patient.age ≥ 0 years and patient.agee < 18 years");
  const found = check(text, "x.kap");
  assert.deepEqual(found.map((d) => [d.severity, d.code]), [["warning", "range"], ["error", "unknown-name"]]);
  const shown = authoring.editorDiagnostics(text, found);
  found.forEach((d, i) => {
    const e = shown[i];
    const lineStart = text.split("\n").slice(0, d.line - 1).join("\n").length + 1;
    assert.equal(e.from, lineStart + d.column - 1, d.code);
    assert.equal(e.to - e.from, d.marker_width, d.code);
    assert.equal(e.severity, d.severity);
    assert.equal(e.source, d.code);
    assert.equal(e.hint, d.hint);
    assert.equal(e.kap, d);
  });
  assert.equal(text.slice(shown[0].from, shown[0].to), "patient.age ≥ 0 years");
  assert.equal(text.slice(shown[1].from, shown[1].to), "patient.agee");
});

test("problems counted in words", () => {
  assert.equal(authoring.countText([]), "none");
  assert.equal(authoring.countText([{ severity: "error" }]), "1 error");
  assert.equal(authoring.countText([{ severity: "error" }, { severity: "error" }, { severity: "warning" }]), "2 errors, 1 warning");
  assert.equal(authoring.countText([{ severity: "warning" }]), "1 warning");
});

test("the path under the pointer: list items as describe() writes them; nothing in texts and comments", () => {
  const line = '    when patient.age < 18 years and course.sessions[-1].at > at # patient.weight';
  const hit = authoring.pathAt(line, line.indexOf("age"));
  assert.deepEqual(hit, { from: 9, to: 20, path: "patient.age", key: "patient.age" });
  assert.equal(authoring.pathAt(line, line.indexOf("patient")).key, "patient.age");
  assert.equal(authoring.pathAt(line, line.indexOf("[-1]") + 1).key, "course.sessions[].at");
  assert.equal(authoring.pathAt(line, line.indexOf("<")), null);
  assert.equal(authoring.pathAt(line, line.indexOf("weight")), null);
  assert.equal(authoring.pathAt('  exclude minor "patient.age"', 20), null);
});

test("the hover's declaration: path, type, unit, range, label, help, as describe() gives them", () => {
  const inputs = authoring.inputsByPath(description);
  const age = inputs.get("patient.age");
  const text = textOf(authoring.declarationView(age)).replace(/\s+/g, " ");
  assert.match(text, new RegExp(`patient\\.age: integer in ${age.unit}`));
  assert.ok(text.includes(`“${age.label}”`), text);
  assert.ok(text.includes(`Range: ${age.min}..${age.max} ${age.unit}`), text);
  const helped = [...inputs.values()].find((i) => i.help && i.type === "boolean");
  assert.ok(textOf(authoring.declarationView(helped)).includes(helped.help));
  const choice = [...inputs.values()].find((i) => i.type === "choice");
  assert.ok(textOf(authoring.declarationView(choice)).includes(choice.choices.join(", ")));
  assert.ok(textOf(authoring.declarationView(age, { stale: true })).includes("last version that compiled"));
});

// ---------------------------------------------------------------------------------------
// The page in Chromium

let browser;
let server;

before(async () => {
  assert.ok(fs.existsSync(path.join(wwwDir, "pkg/editor.bundle.js")), "run scripts/web-build first");
  assert.ok(fs.existsSync(CHROMIUM), `no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  fs.mkdirSync(artefacts, { recursive: true });
  server = await startServe();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS });
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.stop();
});

const DESKTOP = { width: 1400, height: 900 };
const PHONE = { width: 390, height: 844 };

/** The authoring page, ready (checked once), with every request and error recorded. */
async function openAuthor({ viewport = DESKTOP, bypassCSP = false } = {}) {
  const context = await browser.newContext({ viewport, timezoneId: "UTC", locale: "en-GB", bypassCSP, acceptDownloads: true });
  const page = await context.newPage();
  const requests = { all: [], after: [], ready: false };
  const errors = [];
  page.on("request", (r) => {
    requests.all.push(r.url());
    if (requests.ready) requests.after.push(r.url());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") errors.push(m.text());
  });
  await page.goto(server.url + "author.html");
  await page.waitForFunction(() => document.documentElement.dataset.ready);
  assert.equal(await page.evaluate(() => document.documentElement.dataset.ready), "true", await page.locator("#load-error").textContent());
  requests.ready = true;
  return { page, context, requests, errors };
}

/** Scrolls the editor until the line holding `text` is drawn, and returns it (CodeMirror draws only what is in view). */
async function revealLine(page, text) {
  const found = await page.locator("#editor .cm-scroller").evaluate(async (scroller, wanted) => {
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    scroller.scrollTop = 0;
    await frame();
    for (let i = 0; i < 500; i++) {
      const line = [...scroller.querySelectorAll(".cm-line")].find((l) => l.textContent.includes(wanted));
      if (line) {
        line.scrollIntoView({ block: "center" });
        await frame();
        return true;
      }
      if (scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight) return false;
      scroller.scrollTop += scroller.clientHeight * 0.8;
      await frame();
    }
    return false;
  }, text);
  assert.ok(found, `no line holds "${text}"`);
  return page.locator("#editor .cm-line", { hasText: text });
}

/** The highlighted tokens of a drawn line, [class, text], once highlighted (the parser catches up with a jump). */
async function tokensOf(page, text) {
  const line = page.locator("#editor .cm-line", { hasText: text });
  await line.locator("span").first().waitFor();
  return line.locator("span").evaluateAll((ss) => ss.map((s) => [s.className, s.textContent]));
}

/** Double-clicks near the end of a token of a line (a word is selected: the part after its last dot). */
async function selectEndOf(token) {
  const box = await token.boundingBox();
  await token.dblclick({ position: { x: box.width - 3, y: box.height / 2 } });
}

/** The line number the editor's gutter shows for the line of the cursor. */
const cursorLine = (page) => page.locator("#editor .cm-activeLineGutter").innerText().then(Number);

test("the page loads the shipped protocol highlighted, checks it, previews its form; nothing after loading", async () => {
  const { page, context, requests, errors } = await openAuthor();
  for (const u of requests.all) assert.ok(u.startsWith(server.url), `request to ${u}`);
  assert.equal(await page.locator("#file-name").innerText(), "kap-reference.kap");
  assert.equal(await page.locator("#problem-count").innerText(), "none");
  assert.equal(await page.locator("#problems li").count(), 0);
  // The first lines, as in the file, and highlighted: items, comments, texts.
  const first = await page.locator("#editor .cm-line").evaluateAll((ls) => ls.slice(0, 12).map((l) => l.textContent));
  assert.deepEqual(first, lines.slice(0, 12));
  assert.equal(await page.locator("#editor .kap-item", { hasText: /^protocol$/ }).count(), 1);
  assert.ok((await page.locator("#editor .kap-comment").count()) > 3);
  assert.ok((await page.locator("#editor .kap-string").count()) > 3);
  // A rule: its kind, its id, the path it reads, a number with its unit, its citation.
  await revealLine(page, AGE_RULE);
  assert.deepEqual(await tokensOf(page, 'exclude minor "Younger than 18"'), [["kap-keyword", "exclude"], ["kap-def", "minor"], ["kap-string", '"Younger than 18"']]);
  assert.deepEqual(await tokensOf(page, AGE_RULE), [["kap-word", "when"], ["kap-path", "patient.age"], ["kap-op", "<"], ["kap-number", "18"], ["kap-unit", "years"], ["kap-cite", "[K2]"]]);
  // The preview: the form of the file, evaluated.
  await page.locator('[id="f-patient.age"]').waitFor();
  assert.equal(await page.locator("#preview-note").getAttribute("data-state"), "current");
  // Nothing entered yet: no decision (each needs its sections filled in).
  assert.equal(await page.locator("#preview-status").innerText(), "No decision yet");
  assert.equal(await page.locator("#preview-results [data-state=empty]").count(), 1);
  // The way back to the form, and from the form to this page.
  assert.equal(await page.locator('a[href="index.html"]').count(), 1);
  await page.screenshot({ path: path.join(artefacts, "author.png") });
  assert.deepEqual(requests.after, [], "requests after loading");
  const attempt = await page.evaluate(() => fetch("author.html").then(() => "sent", () => "blocked"));
  assert.equal(attempt, "blocked");
  assert.deepEqual(errors.filter((e) => !/Content Security Policy|connect-src|Failed to fetch/i.test(e)), []);
  await context.close();

  const form = await browser.newPage();
  await form.goto(server.url);
  await form.click('a[href="author.html"]');
  // Read while the page navigates: the document may have no root element for a moment.
  await form.waitForFunction(() => location.pathname.endsWith("/author.html") && document.documentElement?.dataset.ready === "true");
  await form.close();
});

test("a misspelt input path: listed at its line and marked in the text; the list moves the cursor; fixed, it goes", async () => {
  const { page, context, requests, errors } = await openAuthor();
  const lineNo = lineOf(AGE_RULE);
  const line = await revealLine(page, AGE_RULE);
  await selectEndOf(line.locator(".kap-path", { hasText: /^patient\.age$/ }));
  await page.keyboard.press("ArrowRight");
  // From the keystroke to the diagnostic in the list and in the text, timed in the page.
  await page.evaluate(() => {
    const t = (window.__timing = { key: 0, shown: 0 });
    addEventListener("keydown", () => (t.key = performance.now()), { capture: true, once: true });
    const marks = document.getElementById("editor").shadowRoot;
    const seen = () => document.querySelector('#problems li[data-code="unknown-name"]') && marks.querySelector(".cm-lintRange-error");
    new MutationObserver((_, o) => {
      if (seen()) {
        t.shown = performance.now();
        o.disconnect();
      }
    }).observe(document.getElementById("problems"), { childList: true, subtree: true });
  });
  await page.keyboard.type("e");
  const item = page.locator('#problems li[data-code="unknown-name"]');
  await item.waitFor();
  const { key, shown } = await page.evaluate(() => window.__timing);
  const checkMs = Number(await page.locator("#check-time").getAttribute("data-ms"));
  console.log(`author: diagnostic shown ${Math.round(shown - key)} ms after the edit (the engine's check: ${Math.round(checkMs)} ms, after a pause of 25 ms; reference protocol, ${lines.length} lines)`);

  // The list: one error, at the line and column of the misspelt path, with its hint.
  assert.equal(await page.locator("#problem-count").innerText(), "1 error");
  assert.equal(await page.locator("#problems li").count(), 1);
  assert.equal(await item.getAttribute("data-line"), String(lineNo));
  const said = (await item.innerText()).replace(/\s+/g, " ");
  const column = lines[lineNo - 1].indexOf("patient.age") + 1;
  assert.ok(said.includes(`Line ${lineNo}, column ${column}: error unknown-name`), said);
  assert.ok(said.includes("no input or definition named `patient.agee`"), said);
  assert.ok(said.includes("hint: did you mean `patient.age`?"), said);
  // The mark: under the misspelt path, on that line.
  const mark = page.locator("#editor .cm-lintRange-error");
  assert.equal(await mark.count(), 1);
  assert.equal(await mark.innerText(), "patient.agee");
  assert.equal(await page.locator("#editor .cm-line", { has: page.locator(".cm-lintRange-error") }).innerText(), lines[lineNo - 1].replace("patient.age", "patient.agee"));
  assert.equal(await cursorLine(page), lineNo);
  await page.screenshot({ path: path.join(artefacts, "author-diagnostic.png") });
  // The preview keeps the last version that compiled, and says so.
  assert.equal(await page.locator("#preview-note").getAttribute("data-state"), "stale");

  // The list by keyboard: its button moves the cursor to the diagnostic, from anywhere.
  await page.locator("#editor .cm-content").press("Control+Home");
  assert.equal(await cursorLine(page), 1);
  await item.locator("button").focus();
  await page.keyboard.press("Enter");
  assert.equal(await cursorLine(page), lineNo);
  assert.equal(await page.evaluate(() => document.activeElement.id), "editor");
  const selected = await page.evaluate(() => document.getElementById("editor").shadowRoot.getSelection().toString());
  assert.equal(selected, "patient.agee");

  // The hover on the mark: the engine's message, its hint and its code.
  await mark.hover();
  const tip = page.locator("#editor .cm-tooltip-lint");
  await tip.waitFor();
  const tipText = (await tip.innerText()).replace(/\s+/g, " ");
  assert.ok(tipText.includes("no input or definition named `patient.agee`") && tipText.includes("hint: did you mean `patient.age`?") && tipText.includes("unknown-name"), tipText);

  // Fixed: the list and the mark go, and the preview is current again.
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("Backspace");
  await page.waitForFunction(() => document.getElementById("problem-count").textContent === "none");
  assert.equal(await page.locator("#problems li").count(), 0);
  assert.equal(await page.locator("#editor .cm-lintRange-error").count(), 0);
  await page.waitForFunction(() => document.getElementById("preview-note").dataset.state === "current");
  assert.deepEqual(requests.after, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a threshold changed in the file: the preview's verdict follows for the patient filled in; a label too", async () => {
  const { page, context, requests, errors } = await openAuthor();
  await page.fill('[id="f-patient.age"]', "20");
  const chip = page.locator('#preview-status [data-decision="eligibility"]');
  await page.waitForFunction(() => document.querySelector('#preview-status [data-decision="eligibility"]')?.dataset.verdict === "indeterminate");
  assert.equal(await page.locator('#preview-results article[data-decision="eligibility"] [data-list="exclusions"] li[data-rule="minor"]').count(), 0);

  // The age limit of the exclusion `minor`, 18 -> 21: a patient of 20 is excluded.
  const line = await revealLine(page, AGE_RULE);
  await line.locator(".kap-number", { hasText: /^18$/ }).dblclick();
  // From the last keystroke to the new verdict in the preview (checked, compiled, evaluated), timed in the page.
  await page.evaluate(() => {
    const t = (window.__timing = { key: 0, shown: 0 });
    addEventListener("keydown", () => (t.key = performance.now()), { capture: true });
    new MutationObserver((_, o) => {
      if (document.querySelector('#preview-status [data-decision="eligibility"]')?.dataset.verdict === "ineligible") {
        t.shown = performance.now();
        o.disconnect();
      }
    }).observe(document.getElementById("preview-status"), { childList: true, subtree: true });
  });
  await page.keyboard.type("21");
  await page.waitForFunction(() => document.querySelector('#preview-status [data-decision="eligibility"]')?.dataset.verdict === "ineligible");
  const { key, shown } = await page.evaluate(() => window.__timing);
  console.log(`author: preview's verdict updated ${Math.round(shown - key)} ms after the edit (checked, compiled, form evaluated)`);
  assert.match(await chip.innerText(), /ineligible/);
  const card = page.locator('#preview-results article[data-decision="eligibility"]');
  assert.equal(await card.locator(".verdict").first().getAttribute("data-verdict"), "ineligible");
  assert.equal(await card.locator('[data-list="exclusions"] li[data-rule="minor"]').count(), 1);
  assert.equal(await page.locator('[id="f-patient.age"]').inputValue(), "20", "what was entered is kept");
  await page.screenshot({ path: path.join(artefacts, "author-threshold.png") });

  // The patient changed in the preview: evaluated at once with the edited rules.
  await page.fill('[id="f-patient.age"]', "22");
  await page.waitForFunction(() => document.querySelector('#preview-status [data-decision="eligibility"]')?.dataset.verdict === "indeterminate");

  // A declaration changed: the form is drawn again with the new label, the value kept.
  const decl = await revealLine(page, 'input patient.age: integer years in 0..120 "Age"');
  await decl.locator(".kap-string", { hasText: '"Age"' }).click();
  await page.keyboard.press("End");
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.type(" at intake");
  await page.waitForFunction(() => document.querySelector('label[for="f-patient.age"]')?.textContent.startsWith("Age at intake"));
  assert.equal(await page.locator('[id="f-patient.age"]').inputValue(), "22");
  assert.deepEqual(requests.after, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("hover over an input path: its declaration from describe(), of the last version that compiled", async () => {
  const { page, context, errors } = await openAuthor();
  const age = description.sections.flatMap((s) => s.inputs).find((i) => i.path === "patient.age");
  const line = await revealLine(page, AGE_RULE);
  await line.locator(".kap-path", { hasText: /^patient\.age$/ }).hover();
  const tip = page.locator("#editor .kap-hover");
  await tip.waitFor();
  const text = (await tip.innerText()).replace(/\s+/g, " ");
  assert.ok(text.startsWith(`patient.age: integer in ${age.unit}`), text);
  assert.ok(text.includes(`“${age.label}”`) && text.includes(`Range: ${age.min}..${age.max} ${age.unit}`) && text.includes(`Expects ${age.expects}.`), text);
  assert.ok(!text.includes("last version that compiled"), text);
  await page.screenshot({ path: path.join(artefacts, "author-hover.png") });
  // A word that names no input has no tooltip.
  await page.mouse.move(0, 0);
  await tip.waitFor({ state: "detached" });
  await line.locator(".kap-unit", { hasText: "years" }).hover();
  await page.waitForTimeout(400);
  assert.equal(await page.locator("#editor .kap-hover").count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test("download the edited file as kap-edited.kap; open a local file, checked under its own name", async () => {
  const { page, context, requests, errors } = await openAuthor();
  const line = await revealLine(page, AGE_RULE);
  await line.locator(".kap-number", { hasText: /^18$/ }).dblclick();
  await page.keyboard.type("19");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
  assert.equal(download.suggestedFilename(), "kap-edited.kap");
  const saved = fs.readFileSync(await download.path(), "utf8");
  assert.equal(saved, referenceSource.replace(AGE_RULE, "when patient.age < 19 years"));

  // A file of one's own, with a mistake: its name in the diagnostics, the mark at its line.
  const broken = saved.replace('exclude psychosis "Lifetime primary psychotic disorder"', 'exclude psychosis "Lifetime primary psychotic disorder');
  await page.setInputFiles("#open-file", { name: "clinic.kap", mimeType: "text/plain", buffer: Buffer.from(broken) });
  await page.waitForFunction(() => document.getElementById("file-name").textContent === "clinic.kap");
  const item = page.locator("#problems li").first();
  await item.waitFor();
  assert.equal(await item.getAttribute("data-code"), "syntax");
  assert.equal(await item.getAttribute("data-line"), String(lineOf('exclude psychosis "Lifetime primary psychotic disorder"')));
  // Back to the shipped protocol: no problem; one undo brings the file back.
  await page.click("#reset");
  await page.waitForFunction(() => document.getElementById("problem-count").textContent === "none");
  assert.equal(await page.locator("#file-name").innerText(), "kap-reference.kap");
  await page.locator("#editor .cm-content").press("Control+z");
  await page.waitForFunction(() => document.querySelector('#problems li[data-code="syntax"]'));
  assert.deepEqual(requests.after.filter((u) => !u.startsWith("blob:")), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("keyboard: Tab reaches the editor, Escape then Tab leaves it for the problems, Enter goes back to one", async () => {
  const { page, context, errors } = await openAuthor();
  await page.focus("#reset");
  await page.keyboard.press("Tab"); // the prescriber form's link
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.id), "editor");
  // A mistake on the first line, typed.
  await page.keyboard.press("Control+Home");
  await page.keyboard.type("x");
  await page.locator('#problems li[data-line="1"]').waitFor();
  await page.keyboard.press("Tab"); // indents: the focus stays
  assert.equal(await page.evaluate(() => document.activeElement.id), "editor");
  await page.keyboard.press("Escape");
  await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => [document.activeElement.tagName, document.activeElement.closest("li")?.dataset.line]);
  assert.deepEqual(focused, ["BUTTON", "1"]);
  await page.keyboard.press("End");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement.id), "editor");
  assert.equal(await cursorLine(page), 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test("keyboard: a check that ends while a problem has the focus leaves the focus on that problem", async () => {
  const { page, context, errors } = await openAuthor();
  // The page's timers are held: the check of the last edit runs only when the test says,
  // after the focus has moved to the list, as it does for a fast typist.
  await page.clock.install();
  await page.clock.pauseAt(Date.now() + 60_000);
  await page.locator("#editor .cm-content").focus();
  await page.keyboard.press("Control+Home");
  await page.keyboard.type("x");
  await page.clock.runFor(200);
  await page.locator('#problems li[data-line="1"]').waitFor();
  await page.keyboard.type("y"); // a second edit, whose check is pending
  await page.keyboard.press("Escape");
  await page.keyboard.press("Tab");
  const drawn = await page.evaluate(() => (window.__before = document.querySelector("#problems li")) !== null);
  assert.ok(drawn);
  // The held timers run, in steps, until the list is drawn again (the editor may take the
  // typed key a moment later on a loaded machine).
  for (let step = 0; step < 100 && (await page.evaluate(() => window.__before.isConnected)); step++) {
    await page.clock.runFor(50);
  }
  assert.equal(await page.evaluate(() => window.__before.isConnected), false, "the list is drawn again");
  const focused = await page.evaluate(() => [document.activeElement.tagName, document.activeElement.closest("li")?.dataset.line]);
  assert.deepEqual(focused, ["BUTTON", "1"]);
  assert.deepEqual(errors, []);
  await context.close();
});

for (const [size, viewport] of [["desktop", DESKTOP], ["phone", PHONE]]) {
  test(`axe-core, WCAG 2.2 AA (${size}): the page, with a diagnostic listed and a declaration shown`, async () => {
    const { page, context } = await openAuthor({ viewport, bypassCSP: true });
    const found = (await axeViolations(page)).map((v) => `loaded: ${v}`);
    const line = await revealLine(page, AGE_RULE);
    await selectEndOf(line.locator(".kap-path", { hasText: /^patient\.age$/ }));
    await page.keyboard.press("ArrowRight");
    await page.keyboard.type("e");
    await page.locator("#problems li").first().waitFor();
    await page.locator("#editor .cm-lintRange-error").hover();
    await page.locator("#editor .cm-tooltip-lint").waitFor();
    found.push(...(await axeViolations(page)).map((v) => `diagnostic: ${v}`));
    await page.locator('[id="f-patient.age"]').fill("999");
    await page.waitForSelector('#preview-form [data-field="patient.age"].invalid');
    found.push(...(await axeViolations(page)).map((v) => `invalid field in the preview: ${v}`));
    if (size === "phone") await page.screenshot({ path: path.join(artefacts, "author-phone.png") });
    assert.deepEqual(found, []);
    await context.close();
  });
}

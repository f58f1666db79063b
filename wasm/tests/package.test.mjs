// The npm package's API in Node: compile, diagnostics (the shape of `kap check --format
// json`), evaluate (objects and text), describe and JSON Schema (as `kap describe`), typed
// errors, and the TypeScript declarations (checked with tsc).

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { repo, kap, compact, loadPackage, referencePath, pkgDir, documents } from "./helpers.mjs";

const kapModule = await loadPackage();
const { Protocol, CompileError, DocumentError, check, engineVersion } = kapModule;
const source = fs.readFileSync(referencePath, "utf8");

test("describe() and jsonSchema() are what `kap describe` prints", () => {
  const protocol = Protocol.compile(source);
  const described = kap(["describe", referencePath]);
  assert.equal(described.status, 0, described.stderr);
  assert.deepEqual(protocol.describe(), JSON.parse(described.stdout));
  const schema = kap(["describe", "--json-schema", referencePath]);
  assert.deepEqual(protocol.jsonSchema(), JSON.parse(schema.stdout));
  assert.equal(protocol.sha256, protocol.describe().protocol.sha256);
  assert.match(protocol.sha256, /^[0-9a-f]{64}$/);
  assert.deepEqual(protocol.warnings, []);
  protocol.free();
});

test("a rule file with errors: CompileError with the diagnostics `kap check --format json` gives", () => {
  const broken = source.replace("patient.age < 18 years", "patient.agee < 18 years").replace(/\ninput patient\.weight:[^\n]*/, "\ninput patient.weight: decimal mmHg in 20..300 \"W\"");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kap-wasm-"));
  const file = path.join(dir, "broken.kap");
  fs.writeFileSync(file, broken);
  const native = kap(["check", "--format", "json", file]);
  assert.equal(native.status, 1);
  assert.throws(
    () => Protocol.compile(broken, file),
    (e) => {
      assert.ok(e instanceof CompileError);
      assert.ok(e.diagnostics.length >= 1);
      const d = e.diagnostics.find((x) => x.severity === "error");
      for (const key of ["file", "line", "column", "message", "hint", "code", "severity", "source_line"]) assert.ok(key in d, key);
      assert.match(e.message, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: `));
      // Byte for byte the JSON the CLI prints.
      assert.equal(JSON.stringify(e.diagnostics), compact(native.stdout));
      return true;
    },
  );
  assert.equal(JSON.stringify(check(broken, file)), compact(native.stdout));
  assert.deepEqual(check(source), []);
});

test("evaluate() takes an object or JSON text; evaluateJson() keeps the engine's bytes", () => {
  const protocol = Protocol.compile(source);
  const doc = { at: "2026-11-20T10:00:00Z", patient: { age: 17 } };
  const out = protocol.evaluate(doc);
  assert.equal(out.engine, engineVersion());
  assert.equal(out.protocol.sha256, protocol.sha256);
  assert.ok(out.decisions.eligibility, "an eligibility decision");
  assert.deepEqual(protocol.evaluate(JSON.stringify(doc)), out);
  const text = '{"patient":{"weight":68.50}}';
  const native = kap(["eval", referencePath, "--input", "-"], text);
  assert.equal(protocol.evaluateJson(text), compact(native.stdout));
});

test("a refused document: DocumentError with kind, code, path and what was expected", () => {
  const protocol = Protocol.compile(source);
  for (const [doc, code, p] of [
    [{ patient: { age: 121 } }, "out_of_range", "patient.age"],
    [{ patient: { agee: 40 } }, "unknown_member", "patient.agee"],
    [{ patient: { pregnant: null } }, "null_value", "patient.pregnant"],
    ["{\"patient\": {", "json_syntax", ""],
  ]) {
    assert.throws(
      () => protocol.evaluate(doc),
      (e) => e instanceof DocumentError && e.kind === "input" && e.code === code && e.path === p && typeof e.expected === "string",
      JSON.stringify(doc),
    );
  }
});

test("the engine's limits hold in WebAssembly: refusals, not traps", () => {
  // `choose` nested 2,000 deep (no brackets) overflowed the WebAssembly stack in the parser.
  const deep = `define x = ${"choose when true then ".repeat(2000)}1${" otherwise 2".repeat(2000)}\n`;
  assert.ok(check(deep).some((d) => d.code === "too-deep"));
  const protocol = Protocol.compile(source);
  assert.throws(
    () => protocol.evaluate(`{}${" ".repeat(1024 * 1024)}`),
    (e) => e instanceof DocumentError && e.kind === "input" && e.code === "too_large" && e.path === "",
  );
  assert.throws(
    () => protocol.evaluate(`{"patient": {"age": ${"9".repeat(100000)}}}`),
    (e) => e instanceof DocumentError && e.code === "not_finite" && e.message.length < 300 && e.detail.includes("9…"),
  );
  assert.equal(check(" ".repeat(1024 * 1024 + 1))[0].code, "file-too-large");
});

test("init() twice is harmless; using the engine before init() says so", async () => {
  await kapModule.init();
  const fresh = await import(path.join(pkgDir, "kap.js") + "?fresh");
  assert.throws(() => fresh.Protocol.compile(source), /call init\(\)/);
});

test("the TypeScript declarations type-check against their use", () => {
  const tsc = path.join(repo, "wasm/node_modules/.bin/tsc");
  assert.ok(fs.existsSync(tsc), "typescript is installed by scripts/web-build (npm ci in wasm/)");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kap-types-"));
  fs.copyFileSync(path.join(pkgDir, "kap.d.ts"), path.join(dir, "kap.d.ts"));
  fs.copyFileSync(path.join(pkgDir, "kap_wasm.d.ts"), path.join(dir, "kap_wasm.d.ts"));
  fs.writeFileSync(
    path.join(dir, "use.ts"),
    `import { init, Protocol, CompileError, DocumentError, check, type Evaluation, type Description, type Diagnostic } from "./kap";
export async function run(source: string): Promise<string> {
  await init();
  const diagnostics: Diagnostic[] = check(source, "a.kap");
  const p = Protocol.compile(source, "a.kap");
  const d: Description = p.describe();
  const first: string = d.sections[0].inputs[0].path;
  try {
    const out: Evaluation = p.evaluate({ at: "2026-11-20T10:00:00Z" });
    const v: string | undefined = out.decisions.eligibility?.verdict;
    const dose: number | undefined = out.decisions.session?.dose?.value;
    const alerts = out.decisions.monitoring?.alerts.map((a) => a.severity) ?? [];
    const due = out.decisions.follow_up?.due.map((x) => x.at) ?? [];
    const why = out.explanation.map((e) => e.sources.map((s) => s.url ?? s.key).join());
    return [v, dose, alerts, due, why, first, diagnostics.length, p.sha256].join();
  } catch (e) {
    if (e instanceof DocumentError) return e.path ?? e.detail;
    if (e instanceof CompileError) return e.diagnostics[0].message;
    throw e;
  }
}
`,
  );
  const r = spawnSync(tsc, ["--noEmit", "--strict", "--target", "es2022", "--module", "es2022", "--moduleResolution", "bundler", "--lib", "es2022,dom", path.join(dir, "use.ts")], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test("a rule file that fails the dose proof cannot be compiled: CompileError with dose-limit", () => {
  // L1 can give 90 mg on `vein` under a hard limit of 50 mg; `kap check` refuses it, and so
  // does every other way in.
  const unsafe = fs.readFileSync(path.join(repo, "tests/unsafe-rules/dose-over-limit.kap"), "utf8");
  assert.throws(
    () => Protocol.compile(unsafe),
    (e) => e instanceof CompileError && e.diagnostics.some((d) => d.code === "dose-limit" && d.severity === "error"),
  );
  assert.ok(check(unsafe).some((d) => d.code === "dose-limit"));
});

// WebAssembly keeps up with native code: the time per evaluation in Node, reported (never asserted:
// a time depends on the machine's load). The native figure for the same documents and the
// same work (`evaluate_json` to JSON text) is printed by `cargo bench -p kap-engine --bench
// peers` ("corpus documents, evaluated to JSON text"); compare the two from one machine.
test("reports the time per evaluation in WebAssembly (the corpus documents, explained, to JSON text)", () => {
  const protocol = Protocol.compile(source);
  const texts = [];
  for (const file of documents(path.join(repo, "tests", "corpus"))) {
    const text = fs.readFileSync(file, "utf8");
    try {
      protocol.evaluateJson(text);
      texts.push(text);
    } catch {
      // A refused document is not an evaluation.
    }
  }
  assert.ok(texts.length > 100, `${texts.length} corpus documents evaluated`);
  let best = Infinity;
  const started = performance.now();
  for (let round = 0; round < 20 && (round < 3 || performance.now() - started < 2000); round += 1) {
    const t0 = performance.now();
    let bytes = 0;
    for (const text of texts) bytes += protocol.evaluateJson(text).length;
    const each = ((performance.now() - t0) * 1000) / texts.length;
    assert.ok(bytes > 0);
    best = Math.min(best, each);
  }
  console.log(`wasm: ${best.toFixed(1)} µs per evaluation (best round over ${texts.length} corpus documents, evaluateJson, explained)`);
  protocol.free();
});

// Shared by the tests: paths, the native `kap` binary, the built package, a byte-exact
// compaction of pretty-printed JSON, and for the pages in Chromium: the server, the
// browser's command line and axe-core.

import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const pkgDir = path.join(repo, "wasm/pkg");
export const wwwDir = path.join(repo, "wasm/www");
/**
 * A snapshot of rules/kap-reference.kap taken when the tests start, which both the native
 * engine and the package read: the rule file may be edited while the tests run.
 */
export const referencePath = (() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kap-web-test-"));
  const file = path.join(dir, "kap-reference.kap");
  fs.copyFileSync(path.join(repo, "rules/kap-reference.kap"), file);
  process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  return file;
})();
export const artefacts = process.env.KAP_WEB_ARTEFACTS || path.join(repo, "target/web-test");

/** The native `kap` binary: $KAP_BIN, else target/debug/kap (built when missing). */
export function kapBin() {
  if (process.env.KAP_BIN) return process.env.KAP_BIN;
  const bin = path.join(repo, "target/debug/kap");
  if (!fs.existsSync(bin)) {
    const r = spawnSync("cargo", ["build", "-q", "-p", "kap-cli"], { cwd: repo, stdio: "inherit" });
    if (r.status !== 0) throw new Error("cargo build -p kap-cli failed");
  }
  return bin;
}

/** Runs the native `kap` with `args`: { status, stdout, stderr }. */
export function kap(args, input) {
  const r = spawnSync(kapBin(), args, { cwd: repo, encoding: "utf8", input, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Pretty-printed JSON made compact by dropping the whitespace outside strings, and nothing
 * else: numbers keep their digits, strings their escapes. serde_json's pretty printer only
 * adds such whitespace, so this gives byte for byte what serde_json::to_string writes.
 */
export function compact(text) {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === "\\") {
        out += text[i + 1];
        i++;
      } else if (c === '"') {
        inString = false;
      }
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c !== " " && c !== "\n" && c !== "\r" && c !== "\t") {
      out += c;
    }
  }
  return out;
}

/** Every input document under `dir` (NAME.json, not NAME.expected.json), sorted. */
export function documents(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...documents(p));
    else if (entry.name.endsWith(".json") && !entry.name.endsWith(".expected.json")) out.push(p);
  }
  return out.sort();
}

/** The built package (wasm/pkg), loaded and initialised. */
export async function loadPackage() {
  if (!fs.existsSync(path.join(pkgDir, "kap.js"))) {
    throw new Error("wasm/pkg is not built: run scripts/web-build");
  }
  const kapModule = await import(path.join(pkgDir, "kap.js"));
  await kapModule.init();
  return kapModule;
}

// ---------------------------------------------------------------------------------------
// The pages in headless Chromium (browser.test.mjs, author.test.mjs)

export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
export const BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Starts `kap serve` on a free port, serving wasm/www: the server the README's first command runs. */
export async function startServe() {
  const bin = kapBin();
  const child = spawn(bin, ["serve", "--port", "0", "--dir", wwwDir], { cwd: repo, stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (m) resolve(m[0]);
    });
    child.on("exit", (code) => reject(new Error(`kap serve exited with ${code}: ${out}`)));
  });
  return { url, by: "kap serve", stop: () => child.kill() };
}

const AXE = path.join(repo, "wasm/node_modules/axe-core/axe.min.js");
const WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/**
 * axe-core's violations of WCAG 2.2 AA on the page as it is now. axe is injected as an inline
 * script, which the pages' policy forbids: open the page with `bypassCSP: true` for this.
 */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.addScriptTag({ content: fs.readFileSync(AXE, "utf8") });
  const violations = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 4).map((n) => `${n.target.join(" ")}: ${n.failureSummary.replace(/\s+/g, " ")}`).join(" | ")}`);
  }, WCAG_AA);
  return violations;
}

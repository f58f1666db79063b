// kap: the WebAssembly build of the kap engine, for Node and for web pages.
//
// A thin wrapper over the wasm-bindgen bindings (kap_wasm.js): the engine speaks JSON text,
// this module parses it into objects and turns thrown JSON into typed errors. Types: kap.d.ts.
//
//   import { init, Protocol } from "kap-wasm";
//   await init();                       // Node: reads kap_wasm_bg.wasm next to this file
//   const protocol = Protocol.compile(ruleSource, "kap-reference.kap");
//   const result = protocol.evaluate({ at: "2026-11-20T10:00:00Z", patient: { age: 17 } });
//   result.decisions.eligibility.verdict; // "ineligible"
//
// Exact decimals: `evaluate` parses the output with JSON.parse, so numbers become JS numbers.
// `evaluateJson` returns the engine's compact JSON text untouched (byte-identical to the
// native engine); documents given as text are passed through as written ("68.50" stays so).

import wasmInit, {
  initSync as wasmInitSync,
  check as rawCheck,
  engineVersion as rawEngineVersion,
  CompiledProtocol,
} from "./kap_wasm.js";

let ready = false;

function isNode() {
  return typeof process !== "undefined" && process.versions != null && process.versions.node != null;
}

/**
 * Loads the WebAssembly module. Give it the module's bytes (ArrayBuffer, typed array),
 * a `WebAssembly.Module`, a URL or a `Response`; with no argument, Node reads
 * `kap_wasm_bg.wasm` beside this file and a browser fetches it from there.
 */
export async function init(input) {
  if (ready) return;
  if (input === undefined && isNode()) {
    const { readFile } = await import("node:fs/promises");
    input = await readFile(new URL("./kap_wasm_bg.wasm", import.meta.url));
  }
  if (input === undefined) {
    await wasmInit();
  } else {
    await wasmInit({ module_or_path: input });
  }
  ready = true;
}

/** Loads the WebAssembly module synchronously from its bytes or a compiled module. */
export function initSync(bytesOrModule) {
  if (ready) return;
  wasmInitSync({ module: bytesOrModule });
  ready = true;
}

function ensureReady() {
  if (!ready) throw new Error("kap: call init() (or initSync()) before using the engine");
}

/** A rule source that does not compile. `diagnostics` lists every problem found. */
export class CompileError extends Error {
  constructor(diagnostics) {
    const errors = diagnostics.filter((d) => d.severity === "error");
    const first = errors[0] || diagnostics[0];
    super(
      first
        ? `${first.file}:${first.line}:${first.column}: ${first.message}` +
            (errors.length > 1 ? ` (and ${errors.length - 1} more errors)` : "")
        : "the rule source does not compile",
    );
    this.name = "CompileError";
    this.diagnostics = diagnostics;
  }
}

/**
 * A document the engine refused (`kind: "input"`: it does not fit the declared inputs, and
 * `path` names the offending input) or could not evaluate (`kind: "evaluation"`).
 */
export class DocumentError extends Error {
  constructor(info) {
    super(info.text || info.message);
    this.name = "DocumentError";
    this.kind = info.kind;
    this.code = info.code;
    this.path = info.path;
    this.detail = info.message;
    this.expected = info.expected;
  }
}

function parseThrown(thrown) {
  if (typeof thrown !== "string") throw thrown;
  try {
    return JSON.parse(thrown);
  } catch {
    return null;
  }
}

/** Every diagnostic (errors and warnings) of a rule source, as `kap check --format json` gives them. */
export function check(source, file) {
  ensureReady();
  return JSON.parse(rawCheck(source, file));
}

/** The engine version, as evaluations report it in `engine`. */
export function engineVersion() {
  ensureReady();
  return rawEngineVersion();
}

/** A compiled rule file: compile once, evaluate many documents. */
export class Protocol {
  #inner;
  #description;

  constructor(inner) {
    this.#inner = inner;
  }

  /** Compiles a rule source; throws a `CompileError` with its diagnostics when it has errors. */
  static compile(source, file) {
    ensureReady();
    let inner;
    try {
      inner = new CompiledProtocol(source, file);
    } catch (thrown) {
      const diagnostics = parseThrown(thrown);
      if (Array.isArray(diagnostics)) throw new CompileError(diagnostics);
      throw new Error(String(thrown));
    }
    return new Protocol(inner);
  }

  /** Evaluates a document (an object or JSON text): the decisions and their explanation. */
  evaluate(document) {
    return JSON.parse(this.evaluateJson(document));
  }

  /**
   * Evaluates a document (an object or JSON text) and returns the engine's compact JSON text,
   * exactly as the native engine serialises it. Throws a `DocumentError` for a refused document.
   */
  evaluateJson(document) {
    const text = typeof document === "string" ? document : JSON.stringify(document);
    if (text === undefined) throw new TypeError("kap: the document must be an object or JSON text");
    try {
      return this.#inner.evaluate(text);
    } catch (thrown) {
      const info = parseThrown(thrown);
      if (info && typeof info === "object" && info.kind) throw new DocumentError(info);
      throw new Error(String(thrown));
    }
  }

  /** The inputs by section, the decisions and the sources: what a form is generated from. */
  describe() {
    if (!this.#description) this.#description = JSON.parse(this.#inner.describe());
    return this.#description;
  }

  /** A JSON Schema (draft 2020-12) of the input documents. */
  jsonSchema() {
    return JSON.parse(this.#inner.jsonSchema());
  }

  /** Hex SHA-256 of the rule source. */
  get sha256() {
    return this.#inner.sha256();
  }

  /** The warnings found while compiling (diagnostics with severity "warning"). */
  get warnings() {
    return JSON.parse(this.#inner.warnings());
  }

  /** The file name diagnostics give to the source. */
  get file() {
    return this.#inner.file();
  }

  /** Frees the compiled protocol's WebAssembly memory; the object is unusable afterwards. */
  free() {
    this.#inner.free();
  }
}

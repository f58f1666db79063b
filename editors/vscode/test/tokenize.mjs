// Loads the kap TextMate grammars with VS Code's tokenizer (vscode-textmate on the Oniguruma
// regular expressions of vscode-oniguruma) and tokenizes text line by line, as the editor does.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";
import vsctm from "vscode-textmate";
import oniguruma from "vscode-oniguruma";

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, "../../..");
export const syntaxesDir = path.resolve(here, "../syntaxes");

const grammarFiles = {
  "source.kap": path.join(syntaxesDir, "kap.tmLanguage.json"),
  "source.kaptest": path.join(syntaxesDir, "kaptest.tmLanguage.json"),
};

let onigLib;
function onig() {
  if (!onigLib) {
    const wasm = readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
    onigLib = oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength)).then(() => ({
      createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }));
  }
  return onigLib;
}

/**
 * The grammar of `scopeName`, read from its file or given as a raw grammar object (a test
 * may hand in a mutated copy).
 */
export async function loadGrammar(scopeName, raw) {
  const registry = new vsctm.Registry({
    onigLib: onig(),
    loadGrammar: async (name) => {
      if (name === scopeName && raw) return vsctm.parseRawGrammar(JSON.stringify(raw), "grammar.json");
      const file = grammarFiles[name];
      return file ? vsctm.parseRawGrammar(readFileSync(file, "utf8"), file) : null;
    },
  });
  const grammar = await registry.loadGrammar(scopeName);
  if (!grammar) throw new Error(`no grammar for ${scopeName}`);
  return grammar;
}

export function readGrammarJson(file) {
  return JSON.parse(readFileSync(path.join(syntaxesDir, file), "utf8"));
}

/**
 * Tokenizes `text` line by line, carrying the rule stack from one line to the next.
 * Returns, per line, its text and its tokens ({ start, end, text, scopes }).
 */
export function tokenizeText(grammar, text) {
  let stack = vsctm.INITIAL;
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines.map((line, index) => {
    const result = grammar.tokenizeLine(line, stack);
    stack = result.ruleStack;
    const tokens = result.tokens.map((t, i) => {
      const end = i + 1 < result.tokens.length ? result.tokens[i + 1].startIndex : line.length;
      return { start: t.startIndex, end, text: line.slice(t.startIndex, end), scopes: t.scopes };
    });
    return { number: index + 1, text: line, tokens };
  });
}

/** The scopes of the character at `column` of a tokenized line. */
export function scopesAt(line, column) {
  const token = line.tokens.find((t) => t.start <= column && column < t.end);
  return token ? token.scopes : [];
}

// The authoring page's model, free of the DOM and of the editor: where the engine's
// diagnostics fall in the text, which input path a word names, and what its declaration says.
// Everything shown comes from the engine (check, describe); nothing here knows the rules.

import { h } from "./dom.js";

/** Bytes one UTF-8 character takes, from its code point. */
function utf8Length(cp) {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/**
 * Maps byte offsets of the UTF-8 text (the engine's spans) to indices of the JavaScript
 * string (UTF-16 code units, as the editor counts): a Map from each offset given.
 */
export function byteOffsetsToIndices(text, offsets) {
  const wanted = [...new Set(offsets)].sort((a, b) => a - b);
  const map = new Map();
  let byte = 0;
  let i = 0;
  let k = 0;
  while (k < wanted.length) {
    while (k < wanted.length && wanted[k] <= byte) map.set(wanted[k++], i);
    if (i >= text.length) break;
    const cp = text.codePointAt(i);
    byte += utf8Length(cp);
    i += cp > 0xffff ? 2 : 1;
  }
  for (; k < wanted.length; k++) map.set(wanted[k], text.length);
  return map;
}

/**
 * The engine's diagnostics (`check`) as editor ranges: { from, to, severity, message, source,
 * hint, kap } where `kap` is the engine's diagnostic (line, column, code...). A diagnostic
 * with an empty span covers the character at its place, when there is one on its line.
 */
export function editorDiagnostics(text, diagnostics) {
  const map = byteOffsetsToIndices(text, diagnostics.flatMap((d) => [d.span.start, d.span.end]));
  return diagnostics.map((d) => {
    const from = map.get(d.span.start);
    let to = Math.max(from, map.get(d.span.end));
    if (to === from && from < text.length && text[from] !== "\n") to = from + 1;
    return { from, to, severity: d.severity === "warning" ? "warning" : "error", message: d.message, source: d.code, hint: d.hint || null, kap: d };
  });
}

/** "2 errors, 1 warning", "none". */
export function countText(diagnostics) {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  if (diagnostics.length === 0) return "none";
  const part = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return [errors ? part(errors, "error") : null, warnings ? part(warnings, "warning") : null].filter(Boolean).join(", ");
}

const PATH = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*|\[-?\d*\])*/g;

/**
 * The dotted path under column `column` of a line ("    when patient.age < 18", 12 ->
 * { from: 9, to: 20, path: "patient.age", key: "patient.age" }); `key` writes list items as
 * describe() does (`course.sessions[-1].at` -> `course.sessions[].at`). Null outside a word,
 * and in a comment or a quoted text.
 */
export function pathAt(lineText, column) {
  const code = stripStringsAndComment(lineText);
  PATH.lastIndex = 0;
  for (let m; (m = PATH.exec(code)); ) {
    const from = m.index;
    const to = from + m[0].length;
    if (column < from) break;
    if (column <= to) return { from, to, path: m[0], key: m[0].replace(/\[-?\d*\]/g, "[]") };
  }
  return null;
}

/** The line with its quoted texts and comment blanked out (same length). */
function stripStringsAndComment(line) {
  let out = "";
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inString) {
      if (c === "\\") {
        out += "  ";
        i++;
        continue;
      }
      if (c === '"') inString = false;
      out += " ";
    } else if (c === '"') {
      inString = true;
      out += " ";
    } else if (c === "#") {
      return out + " ".repeat(line.length - i);
    } else {
      out += c;
    }
  }
  return out;
}

/** Every input of a description by path (`list[].field` for list items). */
export function inputsByPath(description) {
  const map = new Map();
  for (const section of description.sections) for (const input of section.inputs) map.set(input.path, input);
  return map;
}

/**
 * What the hover shows for an input (a view, dom.js): its path and type, unit, range or
 * choices, label, help and what it expects, as the last version that compiled declares it.
 */
export function declarationView(input, { stale = false } = {}) {
  const range =
    input.type === "list"
      ? input.min !== undefined || input.max !== undefined
        ? `${input.min ?? 0}..${input.max ?? "∞"} items`
        : null
      : input.min !== undefined || input.max !== undefined
        ? `${input.min ?? ""}..${input.max ?? ""}${input.unit ? ` ${input.unit}` : ""}`
        : null;
  return h(
    "div",
    { class: "kap-hover", "data-hover": input.path },
    h("p", null, h("code", null, h("strong", null, input.path)), ": ", h("strong", null, input.type), input.unit ? ` in ${input.unit}` : ""),
    h("p", null, `“${input.label}”`),
    range ? h("p", null, "Range: ", h("code", null, range)) : null,
    input.choices ? h("p", null, "Choices: ", h("code", null, input.choices.join(", "))) : null,
    input.list ? h("p", null, "An item of the list ", h("code", null, input.list)) : null,
    input.help ? h("p", null, input.help) : null,
    h("p", { class: "kap-muted" }, `Expects ${input.expects}.`, stale ? " (As the last version that compiled declares it.)" : ""),
  );
}

// What the kap grammar must do on a rule file, checked against facts read independently of
// the grammar: the language's own grammar (engine/src/syntax/grammar.pest) for the keywords,
// the engine's unit table (engine/src/units.rs) for units, its built-in functions
// (engine/src/check/expr/builtins.rs), and the file itself (the sources it declares, the rule
// kinds its decisions list). Each check returns a list of problems, empty when the grammar
// does what it should, so that a test can also show that a broken grammar is caught.
import { readFileSync } from "node:fs";
import path from "node:path";
import { repoRoot, scopesAt } from "./tokenize.mjs";

const read = (file) => readFileSync(path.join(repoRoot, file), "utf8");

// ------------------------------------------------------------------ facts about the language

const pest = read("engine/src/syntax/grammar.pest");

/** grammar.pest `keyword`: the words that end an expression. */
export const expressionKeywords = new Set(
  [...pest.match(/^keyword\s*=\s*@\{([\s\S]*?)\}/m)[1].matchAll(/"(\w+)"/g)].map((m) => m[1]),
);
/** grammar.pest `header_key` and `timezone_key`. */
export const headerKeywords = new Set(
  [...pest.matchAll(/^(?:header_key|timezone_key)\s*=\s*@\{([^}]*)\}/gm)].flatMap((m) =>
    [...m[1].matchAll(/"(\w+)"/g)].map((w) => w[1]),
  ),
);
/** The literal first word of each item (`protocol_item = { "protocol" ...`). */
export const itemKeywords = new Set(
  [...pest.matchAll(/^\w+_(?:item|head)\s*=\s*\{\s*"(\w+)"/gm)].map((m) => m[1]),
);
/** The literal first word of each decision and ladder entry (`alert`, `dose`, `cap` ...). */
export const entryKeywords = new Set([...pest.matchAll(/^\w+_entry\s*=\s*\{\s*"(\w+)"/gm)].map((m) => m[1]));

/**
 * The literal words of a schedule's phases (grammar.pest `schedule_phase` and its `phase_*`
 * parts: `weeks 1 to 4: 2 a week`, `weeks 9 on: 1 every 1 to 2 weeks`), and the one that
 * starts a phase.
 */
export const phaseWords = new Set(
  [...pest.matchAll(/^(?:schedule_phase|phase_\w+)\s*=\s*\{([^}]*)\}/gm)].flatMap((m) =>
    [...m[1].matchAll(/"(\w+)"/g)].map((w) => w[1]),
  ),
);
export const phaseStart = pest.match(/^schedule_phase\s*=\s*\{\s*"(\w+)"/m)[1];

/** Unit names of engine/src/units.rs (ASCII: grammar.pest reads a unit atom as ASCII letters). */
export const unitNames = new Set(
  [...read("engine/src/units.rs").matchAll(/names: &\[([^\]]*)\]/g)]
    .flatMap((m) => [...m[1].matchAll(/"([^"]+)"/g)].map((w) => w[1]))
    .filter((u) => /^[\x20-\x7e]+$/.test(u)),
);
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\%]/g, "\\$&");
const unitAtom = `(?:${[...unitNames]
  .sort((a, b) => b.length - a.length)
  .map(escape)
  .join("|")})[0-9]?`;
/** A unit as an oracle: known atoms (with an optional power digit, `kg/m2`) joined by `/`. */
export const unitPattern = `${unitAtom}(?:/${unitAtom})*(?![A-Za-z0-9_])`;

/** Built-in functions of engine/src/check/expr/builtins.rs. */
export const builtins = new Set(
  [...read("engine/src/check/expr/builtins.rs").matchAll(/^\s+[A-Z]\w* = "(\w+)",/gm)].map((m) => m[1]),
);

// ------------------------------------------------------------------ reading a line

/**
 * Cuts a line of a rule file into code, strings and a comment, as grammar.pest reads it: a
 * string runs from `"` to the next unescaped `"` on the line; `#` outside a string starts a
 * comment to the end of the line.
 */
export function segments(text) {
  const out = [];
  let i = 0;
  let codeStart = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      if (i > codeStart) out.push({ kind: "code", start: codeStart, end: i });
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      const end = Math.min(j + 1, text.length);
      out.push({ kind: "string", start: i, end });
      i = codeStart = end;
    } else if (c === "#") {
      if (i > codeStart) out.push({ kind: "code", start: codeStart, end: i });
      out.push({ kind: "comment", start: i, end: text.length });
      return out;
    } else {
      i += 1;
    }
  }
  if (text.length > codeStart) out.push({ kind: "code", start: codeStart, end: text.length });
  return out;
}

/** The code of a line with strings and comments blanked out (same columns). */
export function codeOnly(text) {
  let code = " ".repeat(text.length).split("");
  for (const s of segments(text)) if (s.kind === "code") for (let i = s.start; i < s.end; i++) code[i] = text[i];
  return code.join("");
}

const has = (scopes, prefix) => scopes.some((s) => s === prefix || s.startsWith(prefix + "."));
const where = (file, line, column, text) =>
  `${file}:${line.number}:${column + 1} ${JSON.stringify(text)} in ${JSON.stringify(line.text.trim())}`;

/** Problems unless every character of `text` at `start` has a scope starting with `scope`. */
function expectScope(problems, file, line, start, text, scope) {
  for (let c = start; c < start + text.length; c++) {
    const scopes = scopesAt(line, c);
    if (!has(scopes, scope)) {
      problems.push(`${where(file, line, start, text)}: expected ${scope}, got ${scopes.slice(1).join(" ") || "nothing"}`);
      return;
    }
  }
}

/** The declarations a rule file makes, read with regular expressions (not the grammar). */
export function declarations(text) {
  const lines = text.split("\n");
  const sources = new Set(lines.flatMap((l) => l.match(/^source\s+(\w+)/)?.slice(1) ?? []));
  const kinds = new Set();
  for (const l of lines) {
    const code = codeOnly(l);
    const list = code.match(/^\s+list\s+\w+\s+of\s+(\w+)/);
    if (list) kinds.add(list[1]);
    const k = code.match(/^\s+kinds\s+(.*)$/);
    if (k) for (const w of k[1].split(/[\s,]+/).filter(Boolean)) kinds.add(w);
  }
  kinds.delete("verdict");
  return { sources, kinds };
}

// ------------------------------------------------------------------ the checks

/** Every character that is not white space has a scope of its own (not only `source.kap` or a meta scope). */
export function checkClassified(file, lines) {
  const problems = [];
  for (const line of lines)
    for (const t of line.tokens) {
      const inner = t.scopes[t.scopes.length - 1];
      if (t.text.trim() && (t.scopes.length === 1 || inner.startsWith("meta.")))
        problems.push(`${where(file, line, t.start, t.text)}: only ${t.scopes.join(" ")}`);
    }
  return problems;
}

/** Comments are comments to the end of the line, and nothing else is. */
export function checkComments(file, lines, scope = "comment.line.number-sign") {
  const problems = [];
  for (const line of lines) {
    for (const s of segments(line.text)) {
      for (let c = s.start; c < s.end; c++) {
        if (!line.text[c].trim()) continue;
        const isComment = has(scopesAt(line, c), scope);
        if ((s.kind === "comment") !== isComment) {
          problems.push(`${where(file, line, c, line.text.slice(c, c + 12))}: ${isComment ? "a comment where there is none" : `not ${scope}`}`);
          break;
        }
      }
    }
  }
  return problems;
}

/** Strings are strings from quote to quote, whatever they hold (`#`, `[`), and nothing else is. */
export function checkStrings(file, lines, scope = "string.quoted.double") {
  const problems = [];
  let count = 0;
  for (const line of lines) {
    for (const s of segments(line.text)) {
      if (s.kind === "string") count += 1;
      for (let c = s.start; c < s.end; c++) {
        const isString = has(scopesAt(line, c), scope);
        if ((s.kind === "string") !== isString && (line.text[c].trim() || s.kind === "string")) {
          problems.push(`${where(file, line, c, line.text.slice(c, c + 12))}: ${isString ? "a string where there is none" : `not ${scope}`}`);
          break;
        }
      }
    }
  }
  return { problems, count };
}

/**
 * The first word of every line: an item's keyword at the first column, a header, entry or
 * expression keyword on an indented line, a rule's kind (declared by the decision's `list ...
 * of KIND` or `kinds`) and then its name.
 */
export function checkLineStarts(file, lines, kinds) {
  const problems = [];
  let checked = 0;
  const keywords = new Set([...expressionKeywords, ...headerKeywords, ...entryKeywords]);
  for (const line of lines) {
    const code = codeOnly(line.text);
    const m = code.match(/^(\s*)([A-Za-z_]\w*)/);
    if (!m) continue;
    const [, indent, word] = m;
    const column = indent.length;
    if (column === 0) {
      if (!itemKeywords.has(word)) problems.push(`${where(file, line, 0, word)}: not an item keyword`);
      expectScope(problems, file, line, 0, word, "keyword.control.item");
      checked += 1;
      continue;
    }
    const rule = line.text.match(/^\s+(\w+)\s+(\w+)\s*(?:$|#)|^\s+(\w+)\s+(\w+)\s+"/);
    const kind = rule && (rule[1] ?? rule[3]);
    if (kinds.has(kind) && !keywords.has(kind)) {
      expectScope(problems, file, line, column, word, "keyword.other.rule-kind");
      const name = rule[2] ?? rule[4];
      expectScope(problems, file, line, code.indexOf(name, column + word.length), name, "entity.name.function.rule");
      checked += 1;
    } else if (keywords.has(word)) {
      expectScope(problems, file, line, column, word, "keyword");
      checked += 1;
    }
  }
  return { problems, checked };
}

/**
 * Numbers are numbers, and a unit after a number (or after `integer`/`decimal` in an input's
 * type) is a unit; nothing else is a unit.
 */
export function checkQuantities(file, lines) {
  const problems = [];
  const samples = [];
  const number = /(?<![A-Za-z0-9_])(-?)([0-9]+(?:\.[0-9]+)?)/g;
  const unitAfter = new RegExp(`^(\\s*)(${unitPattern})`);
  const typed = new RegExp(`\\b(?:integer|decimal)(\\s+)(${unitPattern})`, "g");
  for (const line of lines) {
    const code = codeOnly(line.text);
    const units = new Set();
    for (const m of code.matchAll(number)) {
      const start = m.index + m[1].length;
      expectScope(problems, file, line, start, m[2], "constant.numeric");
      const u = code.slice(start + m[2].length).match(unitAfter);
      if (u) {
        const at = start + m[2].length + u[1].length;
        expectScope(problems, file, line, at, u[2], "keyword.other.unit");
        for (let c = at; c < at + u[2].length; c++) units.add(c);
        samples.push(`${m[2]}${u[1]}${u[2]}`);
      }
    }
    for (const m of code.matchAll(typed)) {
      const at = m.index + m[0].length - m[2].length;
      expectScope(problems, file, line, at, m[2], "keyword.other.unit");
      for (let c = at; c < at + m[2].length; c++) units.add(c);
      samples.push(m[0]);
    }
    for (const t of line.tokens)
      if (has(t.scopes, "keyword.other.unit") && ![...Array(t.end - t.start).keys()].every((i) => units.has(t.start + i)))
        problems.push(`${where(file, line, t.start, t.text)}: a unit where there is none`);
  }
  return { problems, samples };
}

/** `[S1 R44 P]`: brackets of declared source keys are citations; nothing else is. */
export function checkCitations(file, lines, sources) {
  const problems = [];
  let count = 0;
  for (const line of lines) {
    const code = codeOnly(line.text);
    const cited = new Set();
    for (const m of code.matchAll(/\[([^\[\]]*)\]/g)) {
      const keys = m[1].split(/[\s,]+/).filter(Boolean);
      if (keys.length === 0 || !keys.every((k) => sources.has(k))) continue;
      count += 1;
      expectScope(problems, file, line, m.index, "[", "punctuation.definition.citation.begin");
      expectScope(problems, file, line, m.index + m[0].length - 1, "]", "punctuation.definition.citation.end");
      for (const k of m[1].matchAll(/[^\s,]+/g)) {
        const at = m.index + 1 + k.index;
        expectScope(problems, file, line, at, k[0], "entity.name.tag.source-citation");
        cited.add(at);
      }
    }
    const declared = line.text.match(/^source\s+(\w+)/);
    for (const t of line.tokens)
      if (has(t.scopes, "entity.name.tag.source-citation") && !cited.has(t.start) && !(declared && t.text === declared[1]))
        problems.push(`${where(file, line, t.start, t.text)}: a citation where there is none`);
  }
  return { problems, count };
}

/** The names an item declares: `decision NAME`, `define NAME(PARAMS)`, `ladder NAME`, `schedule NAME`, `input PATH:`, `source KEY`. */
export function checkDeclarations(file, lines) {
  const problems = [];
  let count = 0;
  const scopes = {
    decision: "entity.name.type.decision",
    define: "entity.name.function",
    ladder: "entity.name.type.ladder",
    schedule: "entity.name.type.schedule",
    source: "entity.name.tag.source-citation",
  };
  for (const line of lines) {
    const m = line.text.match(/^(decision|define|ladder|schedule|source)\s+(\w+)/);
    if (m) {
      expectScope(problems, file, line, m[0].length - m[2].length, m[2], scopes[m[1]]);
      count += 1;
    }
    const params = line.text.match(/^define\s+\w+\s*\(([^)]*)\)/);
    if (params)
      for (const p of params[1].matchAll(/\w+/g))
        expectScope(problems, file, line, line.text.indexOf("(") + 1 + p.index, p[0], "variable.parameter");
    const input = line.text.match(/^input\s+([\w.\[\]]+):/);
    if (input) {
      count += 1;
      const start = line.text.indexOf(input[1]);
      for (const seg of input[1].matchAll(/\w+/g))
        expectScope(problems, file, line, start + seg.index, seg[0], "entity.name.variable.input");
    }
  }
  return { problems, count };
}

/**
 * Input paths in expressions (`patient.age`, `course.sessions[-1].level`): the object, each
 * `.` and member, each index. Choices: `one of D28 < D56 < D84` and `{manic, mixed}`; a choice
 * named by its amount (grammar.pest `level_amount`: `one of 28 mg < 56 mg`, `{56 mg, 84 mg}`) is
 * a number, then a unit.
 */
export function checkPathsAndChoices(file, lines) {
  const problems = [];
  let paths = 0;
  let choices = 0;
  const choice = new RegExp(`([0-9]+(?:\\.[0-9]+)?)(\\s*)(${unitPattern})|\\w+|<`, "g");
  const expectChoice = (line, at, c) => {
    choices += 1;
    if (c[0] === "<") expectScope(problems, file, line, at, c[0], "keyword.operator.order");
    else if (!c[1]) expectScope(problems, file, line, at, c[0], "constant.other.choice");
    else {
      expectScope(problems, file, line, at, c[1], "constant.numeric");
      expectScope(problems, file, line, at + c[1].length + c[2].length, c[3], "keyword.other.unit");
    }
  };
  for (const line of lines) {
    const code = codeOnly(line.text);
    if (/^input\b/.test(code)) {
      const one = code.match(/\bone\s+of\s+(.*?)\s*$/);
      if (one) {
        const start = code.indexOf(one[1], one.index);
        for (const c of one[1].matchAll(choice)) expectChoice(line, start + c.index, c);
      }
    } else {
      for (const m of code.matchAll(/(?<![\w.])([A-Za-z_]\w*)((?:\.[A-Za-z_]\w*|\[-?\d+\])+)/g)) {
        paths += 1;
        expectScope(problems, file, line, m.index, m[1], "variable.other.object");
        for (const part of m[2].matchAll(/(\.)(\w+)|\[(-?\d+)\]/g)) {
          const at = m.index + m[1].length + part.index;
          if (part[1]) {
            expectScope(problems, file, line, at, ".", "punctuation.accessor");
            expectScope(problems, file, line, at + 1, part[2], "variable.other.member");
          } else {
            expectScope(problems, file, line, at + 1, part[3], "constant.numeric.index");
          }
        }
      }
    }
    for (const set of code.matchAll(/\{([^}]*)\}/g))
      for (const c of set[1].matchAll(choice)) expectChoice(line, set.index + 1 + c.index, c);
  }
  return { problems, paths, choices };
}

/** Operators, booleans and calls of the built-in functions. */
export function checkOperators(file, lines) {
  const problems = [];
  let count = 0;
  for (const line of lines) {
    const code = codeOnly(line.text);
    for (const m of code.matchAll(/<=|>=|!=|\.\.|[<>=+*≤≥≠×]/g)) {
      count += 1;
      expectScope(problems, file, line, m.index, m[0], "keyword.operator");
    }
    for (const m of code.matchAll(/(?<![\w.])(true|false)(?!\w)/g))
      expectScope(problems, file, line, m.index, m[0], "constant.language.boolean");
    for (const m of code.matchAll(/(?<![\w.])(\w+)(?=\()/g))
      if (builtins.has(m[1])) expectScope(problems, file, line, m.index, m[1], "support.function");
  }
  return { problems, count };
}

/**
 * Schedules: `schedule NAME "label" of PATH` and its phases. The path is an input path (object,
 * members, `[]`); in a phase, its first word starts an entry, a unit name after a number
 * (`every 1 to 2 weeks`) is a unit, the other words of the phases are the schedule's keywords.
 * Outside a schedule item, nothing is a schedule's keyword or name (`alert a`, `round down to`).
 */
export function checkSchedules(file, lines) {
  const problems = [];
  let schedules = 0;
  let phases = 0;
  let inside = false;
  for (const line of lines) {
    const code = codeOnly(line.text);
    if (/^\S/.test(code)) inside = /^schedule(?!\w)/.test(code);
    if (!inside) {
      for (const t of line.tokens)
        if (has(t.scopes, "keyword.other.schedule") || has(t.scopes, "entity.name.type.schedule"))
          problems.push(`${where(file, line, t.start, t.text)}: a schedule's word outside a schedule`);
      continue;
    }
    // The head: the name is checked with the declarations; here `of` and the path. Phase
    // words are read after the path.
    let from = 0;
    if (/^schedule(?!\w)/.test(code)) {
      schedules += 1;
      from = code.length;
    }
    const of = code.match(/(?<![\w.])of\s+([A-Za-z_][\w.\[\]]*)/);
    if (of) {
      expectScope(problems, file, line, of.index, "of", "keyword.other");
      const at = of.index + of[0].length - of[1].length;
      for (const part of of[1].matchAll(/\[\]|\.|\w+/g)) {
        const scope =
          part[0] === "[]"
            ? "punctuation.definition.list"
            : part[0] === "."
              ? "punctuation.accessor"
              : part.index === 0
                ? "variable.other.object"
                : "variable.other.member";
        expectScope(problems, file, line, at + part.index, part[0], scope);
      }
      from = of.index + of[0].length;
    }
    for (const w of code.slice(from).matchAll(/(?<![\w.])[A-Za-z_]\w*/g)) {
      if (!phaseWords.has(w[0])) continue;
      const at = from + w.index;
      const before = code.slice(0, at);
      if (/[0-9]\s*$/.test(before) && unitNames.has(w[0])) {
        expectScope(problems, file, line, at, w[0], "keyword.other.unit");
      } else if (w[0] === phaseStart) {
        expectScope(problems, file, line, at, w[0], "keyword.control.entry");
        if (!before.trim()) phases += 1;
      } else {
        expectScope(problems, file, line, at, w[0], "keyword.other.schedule");
      }
    }
  }
  return { problems, schedules, phases };
}

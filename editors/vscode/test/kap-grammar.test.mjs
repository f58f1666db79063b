// The kap grammar (editors/vscode/syntaxes/kap.tmLanguage.json) run by VS Code's tokenizer on
// the shipped rule files and on hand-written tricky lines. Run: scripts/grammar-test.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import {
  builtins,
  checkCitations,
  checkClassified,
  checkComments,
  checkDeclarations,
  checkLineStarts,
  checkOperators,
  checkPathsAndChoices,
  checkQuantities,
  checkSchedules,
  checkStrings,
  declarations,
  entryKeywords,
  expressionKeywords,
  headerKeywords,
  itemKeywords,
  phaseStart,
  phaseWords,
  unitNames,
} from "./checks.mjs";
import { loadGrammar, readGrammarJson, repoRoot, scopesAt, tokenizeText } from "./tokenize.mjs";

const shipped = ["rules/kap-reference.kap", "rules/examples/spravato.kap"];
const grammar = await loadGrammar("source.kap");
const texts = Object.fromEntries(shipped.map((f) => [f, readFileSync(path.join(repoRoot, f), "utf8")]));

/** Every check of checks.mjs on one file with one grammar: { name: { problems, ...counts } }. */
function runChecks(g, file, text = texts[file]) {
  const lines = tokenizeText(g, text);
  const { sources, kinds } = declarations(text);
  return {
    classified: { problems: checkClassified(file, lines) },
    comments: { problems: checkComments(file, lines) },
    strings: checkStrings(file, lines),
    lineStarts: checkLineStarts(file, lines, kinds),
    quantities: checkQuantities(file, lines),
    citations: checkCitations(file, lines, sources),
    declarations: checkDeclarations(file, lines),
    pathsAndChoices: checkPathsAndChoices(file, lines),
    operators: checkOperators(file, lines),
    schedules: checkSchedules(file, lines),
  };
}

test("the facts the checks rely on are read from the engine's sources", () => {
  for (const w of ["and", "when", "otherwise", "tone", "action"]) assert.ok(expressionKeywords.has(w), w);
  assert.deepEqual([...headerKeywords].sort(), ["description", "owner", "status", "timezone", "version"]);
  assert.deepEqual([...itemKeywords].sort(), ["decision", "define", "input", "ladder", "protocol", "schedule", "source"]);
  assert.ok(expressionKeywords.has("done"), "done");
  assert.deepEqual([...phaseWords].sort(), ["a", "every", "on", "to", "week", "weeks"]);
  assert.equal(phaseStart, "weeks");
  for (const w of ["alert", "due", "kinds", "list", "verdict", "value", "levels", "dose", "cap", "allow"])
    assert.ok(entryKeywords.has(w), w);
  for (const u of ["mg", "kg", "mmHg", "years", "min", "h", "days", "%", "bpm", "breaths"]) assert.ok(unitNames.has(u), u);
  for (const b of ["min", "max", "count", "dose", "highest_allowed", "week", "day_start", "full", "due_by"])
    assert.ok(builtins.has(b), b);
});

test("the grammar lists exactly the built-in functions of builtins.rs", () => {
  const call = readGrammarJson("kap.tmLanguage.json").repository.call.patterns;
  const builtin = call.find((p) => p.name === "support.function.builtin.kap");
  const listed = builtin.match.match(/^\\b\(([\w|]+)\)/)[1].split("|");
  assert.deepEqual([...listed].sort(), [...builtins].sort());
});

for (const file of shipped) {
  describe(file, () => {
    const results = runChecks(grammar, file);
    const { sources, kinds } = declarations(texts[file]);

    test("every character but white space is classified (no bare source.kap or meta scope)", () => {
      assert.deepEqual(results.classified.problems, []);
    });
    test("every comment is a comment to the end of its line, and nothing else is", () => {
      assert.deepEqual(results.comments.problems, []);
    });
    test("every string is a string from quote to quote, and nothing else is", () => {
      assert.deepEqual(results.strings.problems, []);
      assert.ok(results.strings.count > 50, `${results.strings.count} strings`);
    });
    test("every line starts with its keyword: items, headers, entries, rule kinds and their names", () => {
      assert.deepEqual(results.lineStarts.problems, []);
      assert.ok(kinds.size >= 3, `rule kinds ${[...kinds]}`);
      assert.ok(results.lineStarts.checked > 100, `${results.lineStarts.checked} lines checked`);
    });
    test("numbers are numbers; units after a number or a numeric type are units, and nothing else", () => {
      assert.deepEqual(results.quantities.problems, []);
      assert.ok(results.quantities.samples.length > 20, `${results.quantities.samples.length} quantities`);
    });
    test("citations of declared sources are citations, and nothing else is", () => {
      assert.deepEqual(results.citations.problems, []);
      assert.ok(sources.size >= 3 && results.citations.count > 20, `${results.citations.count} citations`);
    });
    test("declared names: decisions, definitions and their parameters, ladders, inputs, sources", () => {
      assert.deepEqual(results.declarations.problems, []);
      assert.ok(results.declarations.count > 30, `${results.declarations.count} declarations`);
    });
    test("input paths in expressions, choices of `one of` and of sets", () => {
      assert.deepEqual(results.pathsAndChoices.problems, []);
      assert.ok(results.pathsAndChoices.paths > 50 && results.pathsAndChoices.choices > 5);
    });
    test("operators, booleans and built-in functions", () => {
      assert.deepEqual(results.operators.problems, []);
      assert.ok(results.operators.count > 50, `${results.operators.count} operators`);
    });
    test("schedules: `of` and its path, the words of phases; none of them outside a schedule", () => {
      assert.deepEqual(results.schedules.problems, []);
    });
  });
}

test("the shipped protocols hold a schedule with phases", () => {
  const all = shipped.map((file) => runChecks(grammar, file).schedules);
  const schedules = all.reduce((n, r) => n + r.schedules, 0);
  const phases = all.reduce((n, r) => n + r.phases, 0);
  assert.ok(schedules >= 1 && phases >= 3, `${schedules} schedules, ${phases} phases`);
});

// ------------------------------------------------------------------ samples and tricky lines

/**
 * Asserts that the `nth` occurrence of `text` on the line starting with `lineStart` (after its
 * indentation) has `scope` on every character.
 */
function expectText(lines, lineStart, text, scope, nth = 0) {
  const line = lines.find((l) => l.text.trimStart().startsWith(lineStart));
  assert.ok(line, `no line starts with ${JSON.stringify(lineStart)}`);
  // A word is found as a whole word (`at`, not the `at` of `observations`).
  const found = /^\w+$/.test(text)
    ? [...line.text.matchAll(new RegExp(`(?<!\\w)${text}(?!\\w)`, "g"))].map((m) => m.index)
    : [...line.text.matchAll(new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "g"))].map((m) => m.index);
  const at = found[nth];
  assert.ok(at !== undefined, `${JSON.stringify(text)} not ${nth + 1} times in ${JSON.stringify(line.text)}`);
  for (let c = at; c < at + text.length; c++) {
    const scopes = scopesAt(line, c);
    assert.ok(
      scopes.some((s) => s === scope || s.startsWith(scope + ".")),
      `${JSON.stringify(text)} in ${JSON.stringify(line.text.trim())}: expected ${scope}, got ${scopes.join(" ")}`,
    );
  }
}
const expectNot = (lines, lineStart, text, scope, nth = 0) =>
  assert.throws(() => expectText(lines, lineStart, text, scope, nth), /expected/, `${text} should not be ${scope}`);

/** Asserts that `quantity` (`0.5 mg/kg`) on the line starting with `lineStart` is a number, then a unit. */
function expectQuantity(lines, lineStart, quantity) {
  const line = lines.find((l) => l.text.trimStart().startsWith(lineStart));
  assert.ok(line, `no line starts with ${JSON.stringify(lineStart)}`);
  const at = line.text.indexOf(quantity);
  assert.ok(at >= 0, `no ${quantity} in ${line.text}`);
  const [number, unit] = quantity.split(" ");
  const check = (start, length, scope) => {
    for (let c = start; c < start + length; c++)
      assert.ok(scopesAt(line, c).includes(scope), `${quantity} in ${line.text.trim()}: ${line.text[c]} is not ${scope}`);
  };
  check(at, number.length, "constant.numeric.kap");
  check(at + number.length + 1, unit.length, "keyword.other.unit.kap");
}

test("quantities of the reference protocol: a number, then a unit", () => {
  const lines = tokenizeText(grammar, texts["rules/kap-reference.kap"]);
  expectQuantity(lines, "when patient.age < 18 years [K2]", "18 years");
  expectQuantity(lines, "dose intramuscular L1 0.5 mg/kg [R11]", "0.5 mg/kg");
  expectQuantity(lines, "or (not extended_observation and at - observations.t0 >= 120 min))", "120 min");
  expectQuantity(lines, "or (observations.readings[-1].systolic < 140 mmHg", "140 mmHg");
  expectQuantity(lines, "due phone_check [cssrs, wellbeing] at s.at + 24 h", "24 h");
  expectQuantity(lines, "when today.spo2 < 94 % [P]", "94 %");
  expectQuantity(lines, "when patient.benzodiazepine_dose > 8 mg/day [R4]", "8 mg/day");
  expectQuantity(lines, "when r.spo2 < 90 % or r.respiratory_rate < 10 breaths/min", "10 breaths/min");
  expectQuantity(lines, "after 3 days, 7 days", "7 days");
  expectText(lines, "input patient.bmi: decimal kg/m2", "kg/m2", "keyword.other.unit.kap");
  expectText(lines, "input patient.bmi: decimal kg/m2", "decimal", "storage.type.kap");
  // Words after a number that are not units: `then`, `at`, `otherwise`.
  expectText(lines, "when count(course.sessions) = 0 then", "then", "keyword.control.kap");
  expectText(lines, "for r in observations.readings when r.moaas <= 2 at r.at", "at", "keyword.control.kap", 0);
  expectText(lines, "define observation_minutes", "otherwise", "keyword.control.kap");
});

const tricky = String.raw`# A file of tricky lines, not a protocol.
protocol "Tricky \"quoted\" # not a comment" version "1.0" status draft
  timezone "UTC"
source S1 "A title with [brackets], # and a hash" url "https://example.org/a#b"
source P "Proposed"
input at: timestamp "Now"
input patient.age: integer years in 0..120 "Age" # a trailing comment
input patient.weight: decimal kg in -5..300 "Weight"
input course.sessions[].level: one of D28 < D56 < D84 "Dose"
input today.requested: one of 28 mg < 56 mg "Dose asked for, 28 mg # or 56 mg"
input patient.per_kg: one of 0.5 mg/kg, 1 mg/kg # levels named by their amount, with commas
input course.sessions[].at: timestamp required ordered not after at "When"
define recent(s) = at - s.at <= 24 h and s.level != D28 # "not a string"
define flagged = any(r in course.sessions where r.level >= D56) or count(course.sessions) ≥ 2
decision d "D" within other
  given patient or course
  list infos "Information [not a source]" of info quiet
  kinds stop, hold
  verdict hold if any hold tone hold
  verdict finished if any stop tone done
  verdict ok otherwise tone ok
  info tricky "Looks like [S1] and 5 mg # not a comment" when patient.age >= 18 years [S1, P]
  info split "The condition on the next line"
    when patient.age in 18..65 and patient.weight > 0.5 kg [P] # trailing
  hold escaped "A \"quote\" and a backslash \\" when not (recent(course.sessions[-1]) is true)
  value doses = [1, 2, 3] for ok
  value names = ["a#b", "[S1]"]
  value chosen = choose when patient.age > 3 then [P] otherwise [S1]
  alert a warning "x" for r in course.sessions when r.at > at at r.at
    or when patient.age is missing at at [S1]
    action "Call"
  due check [S1, cssrs] at course.sessions[0].at after 3 days, 1 weeks unless false
  due booked [session] at due_by(plan) when full(plan, at) done when day_start(day(at) + 1 days) <= at
  due evaluated [benefit] at day_start(day(at) + 28 days)
    done when patient.age > 18 years # done once it is recorded
ladder k "K"
  levels course.sessions[].level
  dose D28 28 mg [S1]
  dose 56 mg [S1]
  dose D56 56 mg [S1, P]
  cap 84 mg
  round down to 1 mg
schedule plan of course.sessions[].at # no label
  # a comment inside
  weeks 1 to 4: 2 a week [S1] # induction
  weeks 5 on: 1 every 2 weeks [S1, P]
schedule every "Weeks 1 to 4: 2 a week, # not a comment [S1]"
  of course.sessions[].at
  weeks 1 on: 3 a week
define on_time = not full(plan, at) and week(at, course.sessions[0].at) <= 4
define high = today.requested in {56 mg, 84 mg} or today.requested = 28 mg or patient.per_kg in {0.5 mg/kg}
`;

test("tricky lines: strings, comments and brackets", () => {
  const lines = tokenizeText(grammar, tricky);
  assert.deepEqual(checkClassified("tricky", lines), []);
  assert.deepEqual(checkComments("tricky", lines), []);
  assert.deepEqual(checkStrings("tricky", lines).problems, []);
  // A string holding `#` and `[`; a string with escaped quotes and a trailing backslash.
  expectText(lines, "protocol", '"Tricky \\"quoted\\" # not a comment"', "string.quoted.double.kap");
  expectText(lines, "protocol", '\\"', "constant.character.escape.kap");
  expectText(lines, "source S1", "# and a hash", "string.quoted.double.kap");
  expectNot(lines, "source S1", "# and a hash", "comment");
  expectNot(lines, "source S1", "brackets", "entity.name.tag.source-citation.kap");
  expectText(lines, "hold escaped", "\\\\", "constant.character.escape.kap");
  expectText(lines, "hold escaped", "when", "keyword.control.kap");
  // Comments after code, and a comment holding quotes.
  expectText(lines, "input patient.age", "# a trailing comment", "comment.line.number-sign.kap");
  expectText(lines, "define recent", '# "not a string"', "comment.line.number-sign.kap");
  expectNot(lines, "define recent", "not a string", "string");
  expectText(lines, "when patient.age in 18..65", "# trailing", "comment.line.number-sign.kap");
  // `[...]`: citations (with commas), list values after `=` and `then`, due checks, indexes.
  expectText(lines, "info tricky", "S1", "entity.name.tag.source-citation.kap", 1);
  expectText(lines, "info tricky", "P", "entity.name.tag.source-citation.kap");
  expectNot(lines, "info tricky", "S1", "entity.name.tag.source-citation.kap", 0);
  expectText(lines, "info tricky", "5 mg # not a comment", "string.quoted.double.kap");
  expectText(lines, "value doses", "1", "constant.numeric.kap");
  expectText(lines, "value doses", "[", "punctuation.section.brackets.begin.kap");
  expectNot(lines, "value names", "S1", "entity.name.tag.source-citation.kap");
  expectText(lines, "value names", '"a#b"', "string.quoted.double.kap");
  expectNot(lines, "value chosen", "P", "entity.name.tag.source-citation.kap");
  expectNot(lines, "value chosen", "S1", "entity.name.tag.source-citation.kap");
  expectText(lines, "due check", "cssrs", "constant.other.check.kap");
  expectNot(lines, "due check", "S1", "entity.name.tag.source-citation.kap");
  expectText(lines, "due check", "0", "constant.numeric.index.kap");
  expectText(lines, "list infos", "not a source", "string.quoted.double.kap");
});

test("tricky lines: keywords, names, units and `at`", () => {
  const lines = tokenizeText(grammar, tricky);
  // Header keywords inline after the protocol's name; a status name.
  expectText(lines, "protocol", "version", "keyword.other.header.kap");
  expectText(lines, "protocol", "status", "keyword.other.header.kap");
  expectText(lines, "timezone", "timezone", "keyword.other.header.kap");
  // Declarations.
  expectText(lines, "input course.sessions[].level", "level", "entity.name.variable.input.kap");
  expectText(lines, "input course.sessions[].level", "[]", "punctuation.definition.list.kap");
  expectText(lines, "input course.sessions[].level", "D56", "constant.other.choice.kap");
  expectText(lines, "input course.sessions[].level", "<", "keyword.operator.order.kap", 1);
  expectText(lines, "input course.sessions[].at", "at", "variable.other.kap", 1);
  expectText(lines, "input course.sessions[].at", "ordered", "keyword.other.kap");
  expectText(lines, "input patient.weight", "-", "keyword.operator.arithmetic.kap");
  expectText(lines, "input patient.weight", "kg", "keyword.other.unit.kap");
  expectText(lines, "define recent", "recent", "entity.name.function.kap");
  expectText(lines, "define recent", "s", "variable.parameter.kap");
  expectText(lines, "define recent", "s", "variable.other.object.kap", 1);
  expectText(lines, "define recent", "24", "constant.numeric.kap");
  expectText(lines, "define recent", "h", "keyword.other.unit.kap", 0);
  expectText(lines, "define recent", "!=", "keyword.operator.comparison.kap");
  expectText(lines, "define flagged", "any", "support.function.quantifier.kap");
  expectText(lines, "define flagged", "r", "variable.parameter.kap");
  expectText(lines, "define flagged", "≥", "keyword.operator.comparison.kap");
  expectText(lines, "decision d", "other", "entity.name.type.decision.kap");
  expectText(lines, "decision d", "within", "keyword.other.kap");
  expectText(lines, "list infos", "info", "keyword.other.rule-kind.kap");
  expectText(lines, "list infos", "quiet", "storage.modifier.kap");
  expectText(lines, "kinds stop", "hold", "keyword.other.rule-kind.kap");
  expectText(lines, "verdict hold", "hold", "keyword.other.rule-kind.kap", 1);
  expectText(lines, "verdict hold", "hold", "support.constant.tone.kap", 2);
  expectText(lines, "info tricky", "info", "keyword.other.rule-kind.kap");
  expectText(lines, "info tricky", "tricky", "entity.name.function.rule.kap");
  expectText(lines, "info split", "split", "entity.name.function.rule.kap");
  expectText(lines, "when patient.age in 18..65", "..", "keyword.operator.range.kap");
  expectText(lines, "when patient.age in 18..65", "0.5", "constant.numeric.kap");
  expectText(lines, "when patient.age in 18..65", "kg", "keyword.other.unit.kap");
  expectText(lines, "hold escaped", "recent", "entity.name.function.call.kap");
  expectText(lines, "hold escaped", "not", "keyword.operator.logical.kap");
  expectText(lines, "hold escaped", "true", "constant.language.boolean.kap");
  expectText(lines, "value doses", "doses", "entity.name.function.value.kap");
  expectText(lines, "value doses", "=", "keyword.operator.assignment.kap");
  // `at` before a time is a keyword; `at` the input is a name.
  expectText(lines, "alert a warning", "a", "entity.name.function.alert.kap");
  expectText(lines, "alert a warning", "warning", "constant.language.severity.kap");
  expectText(lines, "alert a warning", "at", "variable.other.kap", 1);
  expectText(lines, "alert a warning", "at", "keyword.control.kap", 2);
  expectText(lines, "alert a warning", "at", "variable.other.member.kap", 3);
  expectText(lines, "or when patient.age is missing", "at", "keyword.control.kap", 0);
  expectText(lines, "or when patient.age is missing", "at", "variable.other.kap", 1);
  expectText(lines, "or when patient.age is missing", "missing", "keyword.operator.word.kap");
  expectText(lines, "due check", "weeks", "keyword.other.unit.kap");
  expectText(lines, "due check", "unless", "keyword.control.kap");
  expectText(lines, "due check", "false", "constant.language.boolean.kap");
  expectText(lines, "levels course", "levels", "keyword.control.entry.kap");
  expectText(lines, "dose D28", "D28", "constant.other.choice.kap");
  expectText(lines, "cap 84", "84", "constant.numeric.kap");
  expectText(lines, "round down", "down", "keyword.other.kap");
});

test("tricky lines: levels named by their amount (`one of 28 mg < 56 mg`, `dose 56 mg`, `{56 mg, 84 mg}`)", () => {
  const lines = tokenizeText(grammar, tricky);
  // In `one of`, a choice may be a number and its unit, separated by `<` or `,`, up to the label.
  expectText(lines, "input today.requested", "one", "storage.type.kap");
  expectQuantity(lines, "input today.requested", "28 mg");
  expectQuantity(lines, "input today.requested", "56 mg");
  expectText(lines, "input today.requested", "<", "keyword.operator.order.kap");
  expectNot(lines, "input today.requested", "mg", "constant.other.choice.kap");
  expectNot(lines, "input today.requested", "28", "constant.other.choice.kap");
  expectText(lines, "input today.requested", '"Dose asked for, 28 mg # or 56 mg"', "string.quoted.double.kap");
  expectNot(lines, "input today.requested", "mg", "keyword.other.unit.kap", 2);
  expectNot(lines, "input today.requested", "# or 56 mg", "comment");
  expectQuantity(lines, "input patient.per_kg", "0.5 mg/kg");
  expectQuantity(lines, "input patient.per_kg", "1 mg/kg");
  expectText(lines, "input patient.per_kg", ",", "punctuation.separator.comma.kap");
  expectNot(lines, "input patient.per_kg", "kg", "constant.other.choice.kap");
  expectText(lines, "input patient.per_kg", "# levels named by their amount, with commas", "comment.line.number-sign.kap");
  // `dose 56 mg`: the amount is the level; `dose D56 56 mg`: a level named, then its amount.
  expectText(lines, "dose 56 mg", "dose", "keyword.control.entry.kap");
  expectNot(lines, "dose 56 mg", "dose", "variable.other.kap");
  expectQuantity(lines, "dose 56 mg", "56 mg");
  expectText(lines, "dose 56 mg", "S1", "entity.name.tag.source-citation.kap");
  expectText(lines, "dose D56 56 mg", "dose", "keyword.control.entry.kap");
  expectText(lines, "dose D56 56 mg", "D56", "constant.other.choice.kap");
  expectQuantity(lines, "dose D56 56 mg", "56 mg");
  expectText(lines, "dose D56 56 mg", "P", "entity.name.tag.source-citation.kap");
  expectText(lines, "dose D28", "dose", "keyword.control.entry.kap");
  // Sets of amounts, and a comparison with an amount.
  expectText(lines, "define high", "{", "punctuation.section.braces.begin.kap");
  expectQuantity(lines, "define high", "56 mg");
  expectQuantity(lines, "define high", "84 mg");
  expectQuantity(lines, "define high", "0.5 mg/kg");
  expectText(lines, "define high", ",", "punctuation.separator.comma.kap");
  expectNot(lines, "define high", "mg", "constant.other.choice.kap");
  expectText(lines, "define high", "}", "punctuation.section.braces.end.kap");
  expectText(lines, "define high", "=", "keyword.operator.assignment.kap", 0);
  expectText(lines, "define high", "=", "keyword.operator.comparison.kap", 1);
  expectQuantity(lines, "define high", "28 mg");
  expectText(lines, "define high", "in", "keyword.operator.word.kap", 1);
});

test("tricky lines: schedules, `done when` and the built-ins of schedules", () => {
  const lines = tokenizeText(grammar, tricky);
  const results = runChecks(grammar, "tricky", tricky);
  // Every check holds on the tricky lines, but for the lists of values `[P]` and `[S1]` after
  // `then` and `otherwise` (on the line `value chosen`), which the citation check, reading
  // brackets of source keys, takes for citations.
  for (const [check, { problems }] of Object.entries(results))
    assert.deepEqual(
      problems.filter((p) => !(check === "citations" && p.includes('"value chosen = choose'))),
      [],
      check,
    );
  assert.equal(results.schedules.schedules, 2);
  assert.equal(results.schedules.phases, 3);
  // The head: keyword, name, `of` and the path of the list it reads, a label with a phase's
  // words, `#` and `[S1]` in it; a schedule named like a phase word; `of` on the next line.
  expectText(lines, "schedule plan", "schedule", "keyword.control.item.kap");
  expectText(lines, "schedule plan", "plan", "entity.name.type.schedule.kap");
  expectText(lines, "schedule plan", "of", "keyword.other.kap");
  expectText(lines, "schedule plan", "course", "variable.other.object.kap");
  expectText(lines, "schedule plan", "sessions", "variable.other.member.kap");
  expectText(lines, "schedule plan", "[]", "punctuation.definition.list.kap");
  expectText(lines, "schedule plan", "at", "variable.other.member.kap");
  expectText(lines, "schedule plan", "# no label", "comment.line.number-sign.kap");
  expectText(lines, "# a comment inside", "# a comment inside", "comment.line.number-sign.kap");
  expectText(lines, "schedule every", "every", "entity.name.type.schedule.kap");
  expectText(lines, "schedule every", '"Weeks 1 to 4: 2 a week, # not a comment [S1]"', "string.quoted.double.kap");
  expectNot(lines, "schedule every", "week", "keyword.other.schedule.kap");
  expectNot(lines, "schedule every", "# not a comment", "comment");
  expectNot(lines, "schedule every", "S1", "entity.name.tag.source-citation.kap");
  expectText(lines, "of course.sessions[].at", "of", "keyword.other.kap");
  expectText(lines, "of course.sessions[].at", "[]", "punctuation.definition.list.kap");
  // Phases: `weeks N to M:` or `weeks N on:`, then `K a week` or `K every N (to M) weeks`.
  expectText(lines, "weeks 1 to 4", "weeks", "keyword.control.entry.kap");
  expectText(lines, "weeks 1 to 4", "1", "constant.numeric.kap");
  expectText(lines, "weeks 1 to 4", "to", "keyword.other.schedule.kap");
  expectText(lines, "weeks 1 to 4", "4", "constant.numeric.kap");
  expectText(lines, "weeks 1 to 4", ":", "punctuation.separator.phase.kap");
  expectText(lines, "weeks 1 to 4", "2", "constant.numeric.kap");
  expectText(lines, "weeks 1 to 4", "a", "keyword.other.schedule.kap");
  expectText(lines, "weeks 1 to 4", "week", "keyword.other.schedule.kap");
  expectNot(lines, "weeks 1 to 4", "week", "keyword.other.unit.kap");
  expectText(lines, "weeks 1 to 4", "S1", "entity.name.tag.source-citation.kap");
  expectText(lines, "weeks 1 to 4", "# induction", "comment.line.number-sign.kap");
  expectText(lines, "weeks 5 on", "on", "keyword.other.schedule.kap");
  expectNot(lines, "weeks 5 on", "on", "keyword.other.unit.kap");
  expectText(lines, "weeks 5 on", "every", "keyword.other.schedule.kap");
  expectText(lines, "weeks 5 on", "2", "constant.numeric.kap");
  expectText(lines, "weeks 5 on", "weeks", "keyword.control.entry.kap", 0);
  expectText(lines, "weeks 5 on", "weeks", "keyword.other.unit.kap", 1);
  expectText(lines, "weeks 5 on", "P", "entity.name.tag.source-citation.kap");
  expectText(lines, "weeks 1 on", "on", "keyword.other.schedule.kap");
  expectText(lines, "weeks 1 on", "3", "constant.numeric.kap");
  expectText(lines, "weeks 1 on", "week", "keyword.other.schedule.kap");
  // The words of phases are names elsewhere; the item after a schedule is read as itself.
  expectText(lines, "alert a warning", "a", "entity.name.function.alert.kap");
  expectText(lines, "round down", "to", "keyword.other.kap");
  expectNot(lines, "round down", "to", "keyword.other.schedule.kap");
  expectText(lines, "define on_time", "define", "keyword.control.item.kap");
  expectText(lines, "define on_time", "on_time", "entity.name.function.kap");
  expectText(lines, "define on_time", "full", "support.function.builtin.kap");
  expectText(lines, "define on_time", "plan", "variable.other.kap");
  expectText(lines, "define on_time", "week", "support.function.builtin.kap");
  // `done when C` ends a due entry, on its line or the next; `tone done` is a tone.
  expectText(lines, "due booked", "due_by", "support.function.builtin.kap");
  expectText(lines, "due booked", "full", "support.function.builtin.kap");
  expectText(lines, "due booked", "at", "variable.other.kap", 1);
  expectText(lines, "due booked", "done", "keyword.control.kap");
  expectText(lines, "due booked", "when", "keyword.control.kap", 1);
  expectText(lines, "due booked", "day_start", "support.function.builtin.kap");
  expectText(lines, "due booked", "day", "support.function.builtin.kap");
  expectText(lines, "due booked", "days", "keyword.other.unit.kap");
  expectText(lines, "due evaluated", "day_start", "support.function.builtin.kap");
  expectText(lines, "done when patient.age", "done", "keyword.control.kap", 0);
  expectText(lines, "done when patient.age", "when", "keyword.control.kap");
  expectText(lines, "done when patient.age", "years", "keyword.other.unit.kap");
  expectText(lines, "done when patient.age", "# done once it is recorded", "comment.line.number-sign.kap");
  expectText(lines, "verdict finished", "stop", "keyword.other.rule-kind.kap");
  expectText(lines, "verdict finished", "done", "support.constant.tone.kap");
});

test("the esketamine protocol: its schedule, `done when` and the built-ins of schedules", () => {
  const lines = tokenizeText(grammar, texts["rules/examples/spravato.kap"]);
  expectText(lines, "schedule dosing", "dosing", "entity.name.type.schedule.kap");
  expectText(lines, "schedule dosing", '"Dosing sessions"', "string.quoted.double.kap");
  expectText(lines, "schedule dosing", "of", "keyword.other.kap");
  expectText(lines, "weeks 9 on", "on", "keyword.other.schedule.kap");
  expectText(lines, "weeks 9 on", "every", "keyword.other.schedule.kap");
  expectText(lines, "weeks 9 on", "to", "keyword.other.schedule.kap");
  expectText(lines, "weeks 9 on", "weeks", "keyword.other.unit.kap", 1);
  expectText(lines, "weeks 5 to 8", "a", "keyword.other.schedule.kap");
  expectText(lines, "when full(dosing, at)", "full", "support.function.builtin.kap");
  expectText(lines, "due next_session", "due_by", "support.function.builtin.kap");
  expectText(lines, "due benefit_evaluation", "day_start", "support.function.builtin.kap");
  expectText(lines, "done when course.benefit_evaluated_at", "done", "keyword.control.kap");
});

// ------------------------------------------------------------------ the checks catch a broken grammar

/** A copy of the grammar with `edit` applied to its repository. */
function mutated(edit) {
  const raw = readGrammarJson("kap.tmLanguage.json");
  edit(raw.repository);
  return raw;
}

const mutations = [
  ["units left out of quantities", (r) => delete r.number.captures["2"], "quantities"],
  ["no citations", (r) => (r.citation = { match: "(?!)" }), "citations"],
  ["`#` ends a string", (r) => (r.string.end = '(")|(?=#)|$'), "strings"],
  ["a comma ends a string", (r) => (r.string.end = '(")|(?=,)|$'), "strings"],
  ["comments only at the start of a line", (r) => (r.comment.match = "^\\s*(#).*$"), "comments"],
  ["rule kinds read as names", (r) => r["decision-entry"].patterns.pop(), "lineStarts"],
  ["input paths not declared", (r) => (r["declared-path"].patterns[2].name = "variable.other.kap"), "declarations"],
  ["no fallback for names", (r) => delete r.identifier.name, "classified"],
  ["members not read", (r) => (r.path.patterns[1].captures["2"].name = "variable.other.kap"), "pathsAndChoices"],
  ["no comparison", (r) => r.operator.patterns.splice(1, 1), "operators"],
  ["no schedule item", (r) => (r.schedule.begin = "(?!)"), "lineStarts"],
  [
    "the words of phases read as names",
    (r) => (r.schedule.patterns = r.schedule.patterns.filter((p) => p.name !== "keyword.other.schedule.kap")),
    "schedules",
  ],
  [
    "a schedule's path not read",
    (r) => (r.schedule.patterns.find((p) => p.match?.startsWith("\\b(of)")).captures["2"].patterns = [{ include: "#identifier" }]),
    "schedules",
  ],
  [
    "the words of phases keywords everywhere",
    (r) => r.expression.patterns.unshift({ match: "\\b(to|on|a|week|every)(?![A-Za-z0-9_])", name: "keyword.other.schedule.kap" }),
    "schedules",
  ],
  [
    "`done` not a keyword",
    (r) => r.keyword.patterns.forEach((p) => (p.match = p.match.replace("|done)", ")"))),
    "lineStarts",
  ],
  [
    "the built-ins of schedules read as calls",
    (r) => (r.call.patterns[1].match = r.call.patterns[1].match.replace("day_start|", "").replace("|full|due_by", "")),
    "operators",
  ],
  [
    "numbers in `one of` read as choices",
    (r) => (r.choices.patterns = r.choices.patterns.filter((p) => p.include !== "#number")),
    "quantities",
  ],
  [
    "units in `one of` read as choices",
    (r) => (r.choices.patterns = r.choices.patterns.filter((p) => p.include !== "#number")),
    "pathsAndChoices",
  ],
  ["amounts in sets read as choices", (r) => (r.set.patterns = r.set.patterns.filter((p) => p.include !== "#number")), "pathsAndChoices"],
  [
    "`dose 56 mg` without a level name: `dose` read as a name",
    (r) => {
      const dose = r["ladder-entry"].patterns.find((p) => p.match?.includes("(dose)"));
      dose.match = "^\\s+(dose)\\s+([A-Za-z_][A-Za-z0-9_]*)(?:\\s+([A-Za-z_][A-Za-z0-9_]*))?(?=\\s+[0-9])";
    },
    "lineStarts",
  ],
];

describe("the checks fail on a broken grammar", () => {
  for (const [what, edit, check] of mutations) {
    test(what, async () => {
      const broken = await loadGrammar("source.kap", mutated(edit));
      const problems = (g) =>
        [...shipped.map((file) => runChecks(g, file)), runChecks(g, "tricky", tricky)].flatMap((results) => results[check].problems);
      // Only problems the intact grammar does not have count (the citation check finds some
      // on the tricky lines whatever the grammar: lists of values that look like citations).
      const known = new Set(problems(grammar));
      const found = problems(broken).filter((p) => !known.has(p));
      assert.ok(found.length > 0, `${check} finds nothing wrong when ${what}`);
    });
  }
});

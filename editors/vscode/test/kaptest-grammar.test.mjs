// The grammar of protocol tests (editors/vscode/syntaxes/kaptest.tmLanguage.json) run by VS
// Code's tokenizer on every shipped .kaptest file. Run: scripts/grammar-test.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { checkClassified, checkComments, checkStrings, codeOnly, declarations, unitPattern } from "./checks.mjs";
import { loadGrammar, readGrammarJson, repoRoot, scopesAt, tokenizeText } from "./tokenize.mjs";

// Each folder of tests, with the protocol whose sources its cases cite.
const folders = [
  ["rules/tests", "rules/kap-reference.kap"],
  ["rules/examples/spravato-tests", "rules/examples/spravato.kap"],
];
const files = folders.flatMap(([dir, protocol]) =>
  readdirSync(path.join(repoRoot, dir))
    .filter((f) => f.endsWith(".kaptest"))
    .sort()
    .map((f) => ({ file: `${dir}/${f}`, protocol })),
);
const read = (file) => readFileSync(path.join(repoRoot, file), "utf8");

// kaptest.pest: the literal first word of an item (`document`, `case`) and of a step.
const kaptestPest = read("engine/src/testing/kaptest.pest");
const words = (rules) =>
  new Set(
    rules.map((rule) => kaptestPest.match(new RegExp(`^${rule}\\s*=\\s*\\{\\s*"(\\w+)"`, "m"))?.[1]).filter(Boolean),
  );
const itemWords = words(["document", "case"]);
const stepWords = words(["from", "set", "remove", "expect"]);
const expectWords = words(["contains", "lacks", "absent"]);

const has = (scopes, scope) => scopes.some((s) => s === scope || s.startsWith(scope + "."));

/** Problems of one tokenized test file (see each comment). */
function check(file, lines, sources) {
  const problems = [...checkClassified(file, lines)];
  problems.push(...checkComments(file, lines));
  problems.push(...checkStrings(file, lines).problems);
  const expect = (line, start, text, scope) => {
    for (let c = start; c < start + text.length; c++)
      if (!has(scopesAt(line, c), scope)) {
        problems.push(`${file}:${line.number}:${c + 1} ${JSON.stringify(text)}: expected ${scope}, got ${scopesAt(line, c).join(" ")}`);
        return;
      }
  };
  const quantity = new RegExp(`(?<![\\w.:+-])(-?[0-9]+(?:\\.[0-9]+)?) (${unitPattern})`, "g");
  let counts = { items: 0, steps: 0, citations: 0, quantities: 0, paths: 0 };
  for (const line of lines) {
    const code = codeOnly(line.text);
    const first = code.match(/^(\s*)(\w+)/);
    if (first && first[1] === "") {
      // `document NAME ...`, `case "name" [KEYS]`: the keys are sources of the protocol.
      if (!itemWords.has(first[2])) problems.push(`${file}:${line.number}: ${first[2]} starts no item`);
      expect(line, 0, first[2], "keyword.control.item.kaptest");
      counts.items += 1;
      const cites = first[2] === "case" && code.match(/\[([^\]]*)\]\s*$/);
      if (cites)
        for (const key of cites[1].matchAll(/[^\s,]+/g)) {
          if (!sources.has(key[0])) problems.push(`${file}:${line.number}: ${key[0]} is no source of the protocol`);
          expect(line, cites.index + 1 + key.index, key[0], "entity.name.tag.source-citation.kaptest");
          counts.citations += 1;
        }
    } else if (first && stepWords.has(first[2])) {
      // A step, its path and what it expects.
      expect(line, first[1].length, first[2], "keyword.control.step.kaptest");
      counts.steps += 1;
      const step = code.match(/^\s+(?:set|remove|expect)\s+([\w.]+(?:\[-?\d+\][\w.]*)*)(?:\s+(contains|lacks|absent)\b)?/);
      if (step) {
        counts.paths += 1;
        const at = code.indexOf(step[1], first[0].length);
        for (const part of step[1].matchAll(/\w+|\.|-?\d+/g)) {
          const scope = /^\.$/.test(part[0])
            ? "punctuation.accessor.kaptest"
            : /^-?\d+$/.test(part[0])
              ? "constant.numeric.index.kaptest"
              : "variable.other";
          expect(line, at + part.index, part[0], scope);
        }
        if (step[2]) {
          if (!expectWords.has(step[2])) problems.push(`${file}:${line.number}: ${step[2]}`);
          expect(line, code.indexOf(step[2], at + step[1].length), step[2], "keyword.operator.word.kaptest");
        }
      }
      // `= 100 mg`: a number, then a unit.
      for (const q of code.matchAll(quantity)) {
        expect(line, q.index, q[1], "constant.numeric.kaptest");
        expect(line, q.index + q[1].length + 1, q[2], "keyword.other.unit.kaptest");
        counts.quantities += 1;
      }
    }
  }
  return { problems, counts };
}

const grammar = await loadGrammar("source.kaptest");

describe("shipped protocol tests", () => {
  const totals = { items: 0, steps: 0, citations: 0, quantities: 0, paths: 0 };
  for (const { file, protocol } of files) {
    test(file, () => {
      const { sources } = declarations(read(protocol));
      const { problems, counts } = check(file, tokenizeText(grammar, read(file)), sources);
      assert.deepEqual(problems, []);
      for (const k of Object.keys(totals)) totals[k] += counts[k];
    });
  }
  test("the files hold what the checks look at", (t) => {
    t.diagnostic(JSON.stringify(totals));
    assert.ok(files.length >= 5, `${files.length} files`);
    assert.ok(totals.items > 100 && totals.steps > 500 && totals.paths > 500, JSON.stringify(totals));
    assert.ok(totals.citations > 100 && totals.quantities > 10, JSON.stringify(totals));
  });
});

const tricky = String.raw`# Tricky lines
document inline {"patient": {"age": 40, "note": "a # b [c]"},
  "course": {"sessions": [], "route": "sublingual"}}
case "a \"case\" # with [brackets]" [K2, R1.2 S-3]
  from inline
  set course.sessions[-1].level = L1   # a comment
  set patient.weight = 70.5
  remove patient.age
  expect session.dose = 42 mg
  expect session.dose = {"value": 42, "unit": "mg"}
  expect monitoring.alerts contains bp_urgent at 10:20
  expect eligibility.missing = [patient.age, observations.readings[0].at]
  expect session.level absent
  expect eligibility.cautions lacks minor
  set at = "2026-11-26T11:40:00Z"
  set patient.bipolar = true
  expect follow_up.due contains next_session at 2026-11-30T05:00:00Z
  expect follow_up.due contains {"id": "benefit_evaluation", "done": true}
`;

test("tricky lines of a test file", () => {
  const lines = tokenizeText(grammar, tricky);
  assert.deepEqual(checkClassified("tricky", lines), []);
  assert.deepEqual(checkComments("tricky", lines), []);
  assert.deepEqual(checkStrings("tricky", lines).problems, []);
  const at = (n, text, nth = 0) => {
    const line = lines[n - 1];
    let i = -1;
    for (let k = 0; k <= nth; k++) i = line.text.indexOf(text, i + 1);
    assert.ok(i >= 0, `${text} on line ${n}`);
    return scopesAt(line, i);
  };
  assert.ok(at(2, "document").includes("keyword.control.item.kaptest"));
  assert.ok(at(2, "inline").includes("entity.name.type.document.kaptest"));
  assert.ok(at(2, '"age"').includes("support.type.property-name.json.kaptest"));
  assert.ok(at(2, "40").includes("constant.numeric.kaptest"));
  assert.ok(at(2, "# b").includes("string.quoted.double.kaptest"));
  assert.ok(at(3, "sublingual").includes("meta.object.json.kaptest"), "an object over two lines");
  assert.ok(at(4, "# with").includes("string.quoted.double.kaptest"));
  assert.ok(at(4, "R1.2").includes("entity.name.tag.source-citation.kaptest"));
  assert.ok(at(4, "S-3").includes("entity.name.tag.source-citation.kaptest"));
  assert.ok(at(5, "inline").includes("entity.name.type.document.kaptest"));
  assert.ok(at(6, "-1").includes("constant.numeric.index.kaptest"));
  assert.ok(at(6, "L1").includes("constant.other.value.kaptest"));
  assert.ok(at(6, "# a comment").includes("comment.line.number-sign.kaptest"));
  assert.ok(at(7, "70.5").includes("constant.numeric.kaptest"));
  assert.ok(at(8, "remove").includes("keyword.control.step.kaptest"));
  assert.ok(at(9, "42").includes("constant.numeric.kaptest"));
  assert.ok(at(9, "mg").includes("keyword.other.unit.kaptest"));
  assert.ok(at(10, '"mg"').includes("string.quoted.double.kaptest"));
  assert.ok(at(11, "contains").includes("keyword.operator.word.kaptest"));
  assert.ok(at(11, "at").includes("keyword.operator.word.kaptest"));
  assert.ok(at(11, "10:20").includes("constant.other.value.kaptest"));
  assert.ok(at(12, "[", 0).includes("punctuation.section.brackets.begin.kaptest"));
  assert.ok(!at(12, "patient").some((s) => s.includes("citation")));
  assert.ok(at(13, "absent").includes("keyword.operator.word.kaptest"));
  assert.ok(at(14, "lacks").includes("keyword.operator.word.kaptest"));
  assert.ok(at(15, "at").includes("variable.other.kaptest"), "`set at`: the input at");
  assert.ok(at(16, "true").includes("constant.language.boolean.kaptest"));
  // A due item by its id and time; a due item recorded as done, by its fields.
  assert.ok(at(17, "next_session").includes("constant.other.value.kaptest"));
  assert.ok(at(17, "at").includes("keyword.operator.word.kaptest"));
  assert.ok(at(17, "2026-11-30T05:00:00Z").includes("constant.other.value.kaptest"));
  assert.ok(at(18, '"done"').includes("support.type.property-name.json.kaptest"));
  assert.ok(at(18, "true").includes("constant.language.json.kaptest"));
});

test("the checks fail on a broken grammar", async () => {
  const broken = readGrammarJson("kaptest.tmLanguage.json");
  broken.repository.case.patterns.pop(); // no citations
  const g = await loadGrammar("source.kaptest", broken);
  const { file, protocol } = files[0];
  const { problems } = check(file, tokenizeText(g, read(file)), declarations(read(protocol)).sources);
  assert.ok(problems.some((p) => p.includes("source-citation")), problems.slice(0, 3).join("\n"));
});

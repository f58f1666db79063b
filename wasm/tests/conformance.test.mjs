// The conformance corpus through the npm package, in Node, gives byte for byte the JSON of
// the native engine (`kap eval`), document by document; refused documents are refused by
// both, for the same input path.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { repo, kap, compact, documents, loadPackage, referencePath } from "./helpers.mjs";

const { Protocol, DocumentError } = await loadPackage();
const source = fs.readFileSync(referencePath, "utf8");
const protocol = Protocol.compile(source, referencePath);

test("compact() keeps strings and numbers byte for byte", () => {
  assert.equal(compact('{\n  "a": "x  \\" y",\n  "b": [\n    1.50,\n    2e3\n  ]\n}'), '{"a":"x  \\" y","b":[1.50,2e3]}');
});

const corpus = documents(path.join(repo, "tests/corpus"));

test("the corpus is there", () => {
  assert.ok(corpus.length > 100, `only ${corpus.length} documents under tests/corpus`);
});

for (const file of corpus) {
  const name = path.relative(path.join(repo, "tests/corpus"), file);
  test(`corpus ${name}: wasm and native give the same bytes`, () => {
    const text = fs.readFileSync(file, "utf8");
    const native = kap(["eval", referencePath, "--input", file]);
    let wasm;
    try {
      wasm = protocol.evaluateJson(text);
    } catch (e) {
      assert.ok(e instanceof DocumentError, String(e));
      assert.equal(native.status, 2, `native accepted what wasm refused: ${e.message}`);
      assert.ok(native.stderr.includes(e.message), `native: ${native.stderr}\nwasm: ${e.message}`);
      return;
    }
    assert.equal(native.status, 0, native.stderr);
    assert.equal(wasm, compact(native.stdout));
  });
}

const badDir = path.join(repo, "tests/bad-input");
for (const file of fs.existsSync(badDir) ? documents(badDir) : []) {
  const name = path.basename(file);
  test(`bad input ${name}: refused with the expected code and path`, () => {
    const expected = JSON.parse(fs.readFileSync(file.replace(/\.json$/, ".expected.json"), "utf8")).error;
    const text = fs.readFileSync(file, "utf8");
    assert.throws(
      () => protocol.evaluateJson(text),
      (e) => {
        assert.ok(e instanceof DocumentError);
        assert.equal(e.kind, "input");
        assert.equal(e.code, expected.code);
        assert.equal(e.path, expected.path);
        const native = kap(["eval", referencePath, "--input", file]);
        assert.equal(native.status, 2);
        assert.ok(native.stderr.includes(e.message), `native: ${native.stderr}\nwasm: ${e.message}`);
        return true;
      },
    );
  });
}

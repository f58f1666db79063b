// What the engine decides for what is entered in a form: the prescriber form (app.js) and the
// authoring page's preview (preview.js) read a document the same way.

import { DocumentError } from "./pkg/kap.js";
import { engineProblem } from "./results.js";

/**
 * Evaluates `json` with `protocol`. Gives the decisions (none while a field is wrong), the
 * engine's error (a refused document names its input; anything else is shown, never
 * swallowed), and every problem: the form's own, then the engine's refusal said in the form's
 * words when no field already says it.
 */
export function decideEntered(protocol, lay, json, problems) {
  let output = null;
  let error = null;
  try {
    output = JSON.parse(protocol.evaluateJson(json));
  } catch (e) {
    error = e instanceof DocumentError ? e : { kind: "evaluation", detail: `the engine failed: ${e.message}` };
  }
  const engineSaid = error && error.kind === "input" ? engineProblem(lay, error) : null;
  const all = [...problems];
  if (engineSaid && !problems.some((p) => p.path === engineSaid.path)) all.push(engineSaid);
  if (problems.length > 0) output = null;
  return { output, error, all };
}

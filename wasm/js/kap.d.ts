// Types of kap.js, the WebAssembly build of the kap engine. The JSON shapes are the public
// contract of the reference protocol (section 6 for evaluations); decisions other than
// those declared by a rule file are absent from an evaluation.

/** Bytes, a compiled module, a URL or a response holding `kap_wasm_bg.wasm`. */
export type WasmSource = BufferSource | WebAssembly.Module | URL | string | Response | Promise<Response>;

/** Loads the WebAssembly module (Node: from beside kap.js when no argument is given). */
export function init(input?: WasmSource): Promise<void>;
/** Loads the WebAssembly module synchronously. */
export function initSync(bytesOrModule: BufferSource | WebAssembly.Module): void;

/** Every diagnostic of a rule source, errors and warnings, in source order. */
export function check(source: string, file?: string): Diagnostic[];
/** The engine version, as evaluations report it. */
export function engineVersion(): string;

/** A diagnostic, as `kap check --format json` prints it. */
export interface Diagnostic {
  /** The file it is in (the name given to `check` or `compile`, default `rules.kap`). */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column, in characters. */
  column: number;
  /** 1-based line where the span ends. */
  end_line: number;
  /** The text of the line. */
  source_line: string;
  /** How many characters the marker covers on that line. */
  marker_width: number;
  /** Stable class such as `unknown-name` or `unit-mismatch`. */
  code: string;
  severity: "error" | "warning";
  message: string;
  /** Byte range in the source. */
  span: { start: number; end: number };
  /** How to fix it. */
  hint: string | null;
}

/** A rule source with errors. */
export class CompileError extends Error {
  name: "CompileError";
  diagnostics: Diagnostic[];
}

/** A document the engine refused or could not evaluate. */
export class DocumentError extends Error {
  name: "DocumentError";
  /** `input`: it does not fit the declared inputs; `evaluation`: the evaluation failed. */
  kind: "input" | "evaluation";
  /** For input errors: `too_large`, `json_syntax`, `not_an_object`, `unknown_member`,
   * `wrong_type`, `null_value`, `not_finite`, `too_precise`, `out_of_range`, `not_whole`,
   * `duplicate_member`, `bad_timestamp`, `unknown_choice`, ... */
  code?: string;
  /** For input errors: the dotted input path, list items with a 0-based index; `""` for the document. */
  path?: string;
  /** What is wrong, without the path. */
  detail: string;
  /** For input errors: what was expected there. */
  expected?: string;
}

// ---------------------------------------------------------------------------------------
// describe()

export type InputType = "boolean" | "integer" | "decimal" | "choice" | "timestamp" | "list";

/** One declared input. */
export interface InputInfo {
  /** Dotted path; list item fields are written `list[].field`. */
  path: string;
  type: InputType;
  unit?: string;
  /** Smallest admissible value (for a list, number of items). */
  min?: number;
  /** Largest admissible value (for a list, number of items). */
  max?: number;
  choices?: string[];
  label: string;
  help?: string;
  /** The list whose items hold this input. */
  list?: string;
  /** What the input admits, in words. */
  expects: string;
}

/** Inputs sharing a first path segment (`""` for top-level inputs such as `at`). */
export interface Section {
  name: string;
  inputs: InputInfo[];
}

export interface RuleKindInfo {
  kind: string;
  /** The output list holding the ids of the true rules of this kind. */
  list: string;
  /** A quiet kind never adds to `missing` and never changes a verdict. */
  quiet: boolean;
}

export interface RuleInfo {
  id: string;
  kind: string;
  message: string;
  /** Source keys. */
  sources: string[];
}

export interface DecisionInfo {
  name: string;
  title?: string;
  /** The possible verdicts, in order. */
  verdicts: string[];
  kinds: RuleKindInfo[];
  rules: RuleInfo[];
  /** Display hints from the rule file (each absent when it gives none): the tone of each verdict that has one. */
  tones?: Record<string, Tone>;
  /** Display hints: the label of each output member that has one (`{unmet: "Unmet criteria"}`). */
  labels?: Record<string, string>;
  /** Display hints: the values counted in minutes after a timestamp input, with its path (`{schedule: "observations.t0"}`). */
  minutes_after?: Record<string, string>;
}

/** How good or bad a verdict is, for display: a closed set (`verdict hold if any hold tone hold`). */
export type Tone = "ok" | "caution" | "hold" | "stop" | "unknown" | "done";

export interface SourceInfo {
  key: string;
  title: string;
  url?: string;
}

export interface ProtocolInfo {
  name: string;
  version: string;
  /** draft, testing, production or retired. */
  status: string;
  owner?: string;
  description?: string;
  sha256: string;
}

export interface Description {
  protocol: ProtocolInfo;
  sections: Section[];
  decisions: DecisionInfo[];
  sources: SourceInfo[];
}

// ---------------------------------------------------------------------------------------
// evaluate()

export type EligibilityVerdict = "eligible" | "eligible_with_cautions" | "ineligible" | "indeterminate";
export type SessionVerdict = "proceed" | "hold" | "stop" | "complete" | "indeterminate";
export type DischargeVerdict = "ready" | "not_ready" | "indeterminate";

/** Any decision: a verdict, lists of rule ids, and the missing inputs. */
export interface DecisionOutcome {
  verdict: string;
  /** Sorted paths of the absent inputs that left a rule of this decision unknown. */
  missing: string[];
  [list: string]: unknown;
}

export interface EligibilityOutcome extends DecisionOutcome {
  verdict: EligibilityVerdict;
  exclusions: string[];
  cautions: string[];
  info: string[];
}

export interface Dose {
  value: number;
  unit: string;
  /** Intravenous infusions only. */
  infusion_minutes?: number;
}

export interface SessionOutcome extends DecisionOutcome {
  verdict: SessionVerdict;
  /** The number of the session to give (sessions given + 1). */
  number: number;
  reasons: string[];
  warnings: string[];
  /** `proceed` only. */
  level?: string;
  level_change?: "start" | "escalate" | "maintain" | "decrease";
  dose?: Dose;
}

export interface Alert {
  id: string;
  severity: "warning" | "critical" | string;
  /** RFC 3339, UTC. */
  at: string;
}

export interface Discharge {
  verdict: DischargeVerdict;
  unmet: string[];
  missing: string[];
}

export interface MonitoringOutcome {
  /** Minutes after t0 for blood pressure, heart rate and MOAA/S. */
  schedule: number[];
  spo2_continuous_until: number;
  dissociation_scale_at: number;
  /** Absent when it depends on an unknown input. */
  min_observation_minutes?: number;
  alerts: Alert[];
  missing: string[];
  discharge: Discharge;
  instructions: string[];
}

export interface FollowUpItem {
  id: string;
  /** RFC 3339, UTC. */
  at: string;
  checks: string[];
}

export interface FollowUpOutcome {
  due: FollowUpItem[];
}

export interface Decisions {
  eligibility?: EligibilityOutcome;
  session?: SessionOutcome;
  monitoring?: MonitoringOutcome;
  follow_up?: FollowUpOutcome;
  [decision: string]: DecisionOutcome | MonitoringOutcome | FollowUpOutcome | undefined;
}

export interface Citation {
  key: string;
  title: string;
  url?: string;
}

/** An input a rule read. */
export interface Reading {
  path: string;
  /** As written (`"155"`, `"true"`, `"manic"`); absent when the input is. */
  value?: string;
  unit?: string;
}

/** Why a rule fired or stayed undetermined. */
export interface Explanation {
  decision: string;
  kind: string;
  rule: string;
  result: "fired" | "undetermined";
  message: string;
  sources: Citation[];
  read: Reading[];
  missing: string[];
  /** All of the above in one sentence. */
  text: string;
}

export interface Evaluation {
  protocol: { name: string; version: string; sha256: string };
  engine: string;
  decisions: Decisions;
  explanation: Explanation[];
}

/** An input document: members absent are unknown. */
export type InputDocument = { [member: string]: unknown };

/** A compiled rule file. */
export class Protocol {
  private constructor();
  /** Compiles a rule source; throws a `CompileError` when it has errors. */
  static compile(source: string, file?: string): Protocol;
  /** Evaluates a document; throws a `DocumentError` when it is refused. */
  evaluate(document: InputDocument | string): Evaluation;
  /** The engine's compact JSON text, byte-identical to the native engine's. */
  evaluateJson(document: InputDocument | string): string;
  describe(): Description;
  /** A JSON Schema (draft 2020-12) of the input documents. */
  jsonSchema(): Record<string, unknown>;
  readonly sha256: string;
  readonly warnings: Diagnostic[];
  readonly file: string;
  free(): void;
}

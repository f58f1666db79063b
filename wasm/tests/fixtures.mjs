// Test fixtures shared by the Node and browser tests.

// A hand-made output with every decision of the contract (section 6), and the rules the
// panel looks its ids up in, with the display hints a rule file gives (tones, labels, values
// in minutes after a time). These are test fixtures: the panel itself knows none of them.
export function contractOutput(sections) {
  return {
    description: {
      protocol: { name: "Test protocol", version: "1", status: "draft", sha256: "ab".repeat(32) },
      sections,
      sources: [{ key: "T1", title: "Test source one", url: "https://example.invalid/t1" }, { key: "T2", title: "Test source two" }],
      decisions: [
        { name: "eligibility", title: "Eligibility (test)", verdicts: [], tones: { eligible_with_cautions: "caution" }, kinds: [{ kind: "exclude", list: "exclusions", quiet: false }, { kind: "caution", list: "cautions", quiet: false }], rules: [] },
        { name: "session", title: "Next session (test)", verdicts: [], tones: { proceed: "ok" }, labels: { number: "Session number" }, kinds: [{ kind: "warn", list: "warnings", quiet: false }], rules: [{ id: "benzo_recent", kind: "warn", message: "Warning message from the rules", sources: ["T2"] }] },
        {
          name: "monitoring",
          title: "Monitoring (test)",
          verdicts: [],
          kinds: [],
          rules: [{ id: "bp_test", kind: "alert", message: "Alert message from the rules", sources: ["T1"] }, { id: "escort_test", kind: "criterion", message: "Escort criterion message", sources: [] }],
          labels: { schedule: "Observation times", spo2_continuous_until: "Continuous SpO2 until", min_observation_minutes: "Minimum observation" },
          minutes_after: { schedule: "observations.t0", spo2_continuous_until: "observations.t0", dissociation_scale_at: "observations.t0", min_observation_minutes: "observations.t0" },
        },
        { name: "discharge", title: "Discharge (test)", verdicts: ["not_ready", "ready"], tones: { not_ready: "hold", ready: "ok" }, labels: { unmet: "Unmet criteria" }, kinds: [{ kind: "unmet", list: "unmet", quiet: false }], rules: [] },
        { name: "follow_up", title: "Follow-up (test)", verdicts: [], kinds: [], rules: [{ id: "call_test", kind: "due", message: "Phone call message", sources: [] }] },
      ],
    },
    output: {
      protocol: { name: "Test protocol", version: "1", sha256: "ab".repeat(32) },
      engine: "0.0.0",
      decisions: {
        eligibility: { verdict: "eligible_with_cautions", exclusions: [], cautions: ["caution_test"], missing: [] },
        session: { verdict: "proceed", number: 3, reasons: [], level: "L3", level_change: "escalate", dose: { value: 49, unit: "mg", infusion_minutes: 40 }, warnings: ["benzo_recent"], missing: ["today.heart_rate"] },
        monitoring: {
          schedule: [10, 20, 30],
          spo2_continuous_until: 120,
          dissociation_scale_at: 40,
          min_observation_minutes: 120,
          alerts: [{ id: "bp_test", severity: "critical", at: "2026-11-20T10:20:00Z", action: "Alert action from the rules" }],
          missing: ["observations.readings[1].spo2"],
          discharge: { verdict: "not_ready", unmet: ["escort_test"], missing: [] },
          instructions: ["instruction_test"],
        },
        follow_up: { due: [{ id: "call_test", at: "2026-11-21T10:00:00Z", checks: ["check_a", "check_b"] }, { id: "call_test", at: "2026-11-19T10:00:00Z", checks: ["check_a"] }] },
      },
      explanation: [
        { decision: "eligibility", kind: "caution", rule: "caution_test", result: "fired", message: "Caution message from the rules", sources: [{ key: "T1", title: "Test source one", url: "https://example.invalid/t1" }], read: [{ path: "patient.age", value: "70", unit: "years" }], missing: [], text: "..." },
        { decision: "session", kind: "dose", rule: "dose_im", result: "fired", message: "Dose: weight times rate, rounded down", sources: [], read: [{ path: "patient.weight", value: "70", unit: "kg" }, { path: "course.route", value: "intravenous" }], missing: [], text: "..." },
        { decision: "session", kind: "hold", rule: "heart_rate", result: "undetermined", message: "Heart rate out of range", sources: [], read: [{ path: "today.heart_rate" }], missing: ["today.heart_rate"], text: "..." },
      ],
    },
    document: { at: "2026-11-20T11:00:00Z", observations: { t0: "2026-11-20T10:00:00Z", readings: [] } },
  };
}

//! `kap check` compares a protocol's time zone rule with this machine's tzdata, when it has
//! one: the engine reads only the rule the file gives (no time-zone database ships with it,
//! nor in the browser), so a rule that has gone out of date is worth a warning where the
//! author checks the file.

use kap_engine::syntax::{self, ast::Item};
use kap_engine::{Code, Diagnostic};
use std::path::Path;

/// Where tzdata keeps its zone files.
const ZONEINFO: &str = "/usr/share/zoneinfo";

/// A warning for each `timezone` whose rule differs from the footer of the zone's tzdata file
/// under `zoneinfo` (the zone's current rule, RFC 8536 section 3.3). Nothing when the
/// machine has no such file.
pub fn warnings(source: &str) -> Vec<Diagnostic> {
    warnings_in(source, Path::new(ZONEINFO))
}

fn warnings_in(source: &str, zoneinfo: &Path) -> Vec<Diagnostic> {
    let (file, _) = syntax::parse(source);
    let mut out = Vec::new();
    for item in &file.items {
        let Item::Protocol(header) = item else { continue };
        for zone in &header.timezones {
            let (name, Some(rule)) = (&zone.name.node, &zone.rule) else { continue };
            let Some(current) = footer(zoneinfo, name) else { continue };
            if current != rule.node {
                out.push(
                    Diagnostic::warning(
                        Code::Header,
                        rule.span,
                        format!("this machine's tzdata gives `{name}` the rule `{current}`, not `{}`", rule.node),
                    )
                    .with_hint("check which is current, and give the protocol a new version if the rule changes"),
                );
            }
        }
    }
    out
}

/// The footer of a TZif file: its last line, the zone's rule as a POSIX TZ string. `None`
/// for a name that is not a plain zone path or a file that cannot be read.
fn footer(zoneinfo: &Path, name: &str) -> Option<String> {
    let plain = |part: &str| {
        !part.is_empty() && part != ".." && part.chars().all(|c| c.is_ascii_alphanumeric() || "_+-".contains(c))
    };
    if !name.split('/').all(plain) {
        return None;
    }
    let bytes = std::fs::read(zoneinfo.join(name)).ok()?;
    let text = bytes.strip_suffix(b"\n")?;
    let start = text.iter().rposition(|b| *b == b'\n')? + 1;
    String::from_utf8(text.get(start..)?.to_vec()).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_rule_that_differs_from_tzdata_is_a_warning() {
        let dir = std::env::temp_dir().join(format!("kap-tzdata-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("America")).unwrap();
        std::fs::write(dir.join("America/New_York"), b"TZif2...binary...\nEST5EDT,M3.2.0,M11.1.0\n").unwrap();
        let source = |rule: &str| {
            format!("protocol \"P\" version \"1\" status draft\n  timezone \"America/New_York\" \"{rule}\"\n")
        };
        assert!(warnings_in(&source("EST5EDT,M3.2.0,M11.1.0"), &dir).is_empty());
        let w = warnings_in(&source("EST5EDT,M4.1.0,M10.5.0"), &dir);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].message, "this machine's tzdata gives `America/New_York` the rule `EST5EDT,M3.2.0,M11.1.0`, not `EST5EDT,M4.1.0,M10.5.0`");
        // No file, or a name that is not a plain path: nothing said.
        assert!(warnings_in(&source("X"), &dir.join("absent")).is_empty());
        let traversal = "protocol \"P\" version \"1\" status draft\n  timezone \"../../etc/passwd\" \"UTC0\"\n";
        assert!(warnings_in(traversal, &dir).is_empty());
        std::fs::remove_dir_all(&dir).ok();
    }
}

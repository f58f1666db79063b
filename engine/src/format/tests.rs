use super::*;

fn fmt(source: &str) -> String {
    format(source).unwrap_or_else(|e| panic!("{e:?}\n{source}"))
}

#[test]
fn spacing_is_canonical() {
    let source = "input patient.age :integer years in 0 .. 120 \"Age\"\ninput s: one of a ,b,c \"S\"\n\
                  define f( x,y ) = min( x,y*2 )-abs(-x)+ - 1\ndefine g = x in {a,b} and  y not in -5..5 and (z)\n";
    let want = "input patient.age: integer years in 0..120 \"Age\"\ninput s: one of a, b, c \"S\"\n\
                define f(x, y) = min(x, y * 2) - abs(-x) + -1\ndefine g = x in {a, b} and y not in -5..5 and (z)\n";
    assert_eq!(fmt(source), want);
}

#[test]
fn entries_and_continuations_are_indented_as_the_shipped_file() {
    let source = "decision d\n      list l of k\n      k a \"A\"\n          when x\n              and y\n             or (p\n                    and q)\n          help \"H\"\n";
    let want = "decision d\n  list l of k\n  k a \"A\"\n    when x\n     and y\n      or (p\n          and q)\n    help \"H\"\n";
    assert_eq!(fmt(source), want);
}

#[test]
fn choose_arms_are_four_deeper_than_their_line() {
    let source =
        "define v = choose\n when a then\n choose when b then 1 otherwise 2\n when c\n or d then 3\n otherwise 4\n";
    let want = "define v = choose\n    when a then\n      choose when b then 1 otherwise 2\n    when c\n      or d then 3\n    otherwise 4\n";
    assert_eq!(fmt(source), want);
}

#[test]
fn comments_and_blank_lines_stay_where_they_were() {
    let source = "\n\n# head\n\n\n\ninput x: boolean \"X\"# why\n    # about y\n\n  help \"Y\"\n\ndecision d\n# the list\n  list l of k\n\n\n\n  k a \"A\" when x\n  # trailing\n\n\n";
    let want = "# head\n\ninput x: boolean \"X\"  # why\n  # about y\n  help \"Y\"\n\ndecision d\n  # the list\n  list l of k\n\n  k a \"A\" when x\n# trailing\n";
    assert_eq!(fmt(source), want);
}

#[test]
fn formatting_is_idempotent_and_keeps_unit_glue() {
    let source = "define r = 5 mg/kg*w/2 + 1e5 - 3%\n";
    let once = fmt(source);
    assert_eq!(once, "define r = 5 mg/kg * w / 2 + 1 e5 - 3 %\n");
    assert_eq!(fmt(&once), once);
}

#[test]
fn a_file_that_does_not_parse_is_refused() {
    match format("input x: boolen \"X\"\n") {
        Err(FormatError::Syntax(d)) => assert!(!d.is_empty()),
        other => panic!("{other:?}"),
    }
    assert!(matches!(format("decision d\n\tk a \"A\" when x\n"), Err(FormatError::Syntax(_))));
}

#[test]
fn crlf_and_a_byte_order_mark_are_dropped() {
    assert_eq!(fmt("\u{feff}input x: boolean \"X\"\r\n  help \"H\"\r\n"), "input x: boolean \"X\"\n  help \"H\"\n");
}

#[test]
fn end_of_line_comments_keep_their_column_when_there_is_room() {
    let source = "decision d\n    list l of k            # aligned\n    k a \"A\" when x       # here\n    k b \"B\" when x+y>1 # too far\n";
    let want = "decision d\n  list l of k              # aligned\n  k a \"A\" when x         # here\n  k b \"B\" when x + y > 1  # too far\n";
    assert_eq!(fmt(source), want);
    assert_eq!(fmt(want), want);
}

#[test]
fn ordered_choices_and_route_less_ladder_entries_round_trip() {
    let source = "input x: one of D28<D56 <  D84 \"X\"\n\nladder esk\n  levels x\n  dose   D28 28 mg\n  cap 84 mg\n  round down to 28 mg\n";
    let want = "input x: one of D28 < D56 < D84 \"X\"\n\nladder esk\n  levels x\n  dose D28 28 mg\n  cap 84 mg\n  round down to 28 mg\n";
    assert_eq!(fmt(source), want);
    assert_eq!(fmt(want), want);
}

//! What the server says it can do, and the answers that read the syntax tree as a whole: go
//! to definition, find references, document symbols and formatting.

use super::text::Lines;
use kap_engine::navigate::{Index, Occurrence};
use kap_engine::syntax::{
    self,
    ast::{DecisionDecl, Entry, Item, LadderDecl},
};
use kap_engine::Span;
use lsp_types::{
    CompletionOptions, DocumentSymbol, GotoDefinitionResponse, HoverProviderCapability, InitializeResult, Location,
    OneOf, Position, PositionEncodingKind, ReferenceParams, ServerCapabilities, ServerInfo, SymbolKind,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit, Uri,
};

/// The answer to `initialize`: incremental sync, UTF-16 positions, and each feature.
pub fn initialize_result() -> InitializeResult {
    InitializeResult {
        capabilities: ServerCapabilities {
            position_encoding: Some(PositionEncodingKind::UTF16),
            text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::INCREMENTAL)),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            definition_provider: Some(OneOf::Left(true)),
            references_provider: Some(OneOf::Left(true)),
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some([".", "{", "[", ",", " "].map(String::from).to_vec()),
                ..CompletionOptions::default()
            }),
            document_symbol_provider: Some(OneOf::Left(true)),
            document_formatting_provider: Some(OneOf::Left(true)),
            ..ServerCapabilities::default()
        },
        server_info: Some(ServerInfo { name: "kap".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
    }
}

/// The occurrence under `position`, with the index it is in.
fn under(text: &str, position: Position) -> Option<(Index, Occurrence)> {
    let (file, _) = syntax::parse(text);
    let index = Index::new(&file);
    let offset = Lines::new(text).offset(position);
    let found = index.at(offset)?.clone();
    Some((index, found))
}

/// Where the name under `position` is declared.
pub fn definition(uri: &Uri, text: &str, position: Position) -> Option<GotoDefinitionResponse> {
    let (index, found) = under(text, position)?;
    let declaration = index.declaration(&found.symbol)?;
    let lines = Lines::new(text);
    Some(GotoDefinitionResponse::Scalar(Location::new(uri.clone(), lines.range(declaration.span))))
}

/// Every use of the name under the cursor, its declaration too when the editor asks.
pub fn references(uri: &Uri, text: &str, params: &ReferenceParams) -> Option<Vec<Location>> {
    let (index, found) = under(text, params.text_document_position.position)?;
    let lines = Lines::new(text);
    let with_declaration = params.context.include_declaration;
    Some(
        index
            .references(&found.symbol)
            .filter(|o| with_declaration || !o.declaration)
            .map(|o| Location::new(uri.clone(), lines.range(o.span)))
            .collect(),
    )
}

/// One TextEdit replacing the document with `kap fmt`'s layout; none when it is already in
/// that layout, and no answer when it does not parse.
pub fn format(text: &str) -> Option<Vec<TextEdit>> {
    let formatted = kap_engine::format::format(text).ok()?;
    if formatted == text {
        return Some(Vec::new());
    }
    Some(vec![TextEdit::new(Lines::new(text).whole(), formatted)])
}

/// The outline of the document: the sources, inputs, definitions, decisions with their
/// rules, verdicts and outputs, and ladders.
pub fn symbols(text: &str) -> Vec<DocumentSymbol> {
    let (file, _) = syntax::parse(text);
    let lines = Lines::new(text);
    let symbol = |name: &str, detail: Option<&str>, kind, whole: Span, name_span: Span, children| {
        #[allow(deprecated)] // `deprecated` is a required field of the type.
        DocumentSymbol {
            name: name.to_string(),
            detail: detail.map(str::to_string),
            kind,
            tags: None,
            deprecated: None,
            range: lines.range(whole.to(name_span)),
            selection_range: lines.range(name_span),
            children,
        }
    };
    let mut out = Vec::new();
    for item in &file.items {
        match item {
            Item::Protocol(h) => {
                out.push(symbol(&h.name.node, Some("protocol"), SymbolKind::FILE, h.span, h.name.span, None))
            }
            Item::Source(s) => {
                let whole = s.key.span.to(s.title.span);
                out.push(symbol(&s.key.node, Some(&s.title.node), SymbolKind::CONSTANT, whole, s.key.span, None));
            }
            Item::Input(i) => {
                out.push(symbol(&i.path.node, Some(&i.label.node), SymbolKind::FIELD, i.span, i.path.span, None));
            }
            Item::Define(d) => {
                let whole = d.name.span.to(d.body.span);
                out.push(symbol(&d.name.node, Some("define"), SymbolKind::FUNCTION, whole, d.name.span, None));
            }
            Item::Decision(d) => {
                let (children, whole) = decision_entries(d, &symbol);
                let title = d.title.as_ref().map(|t| t.node.as_str());
                out.push(symbol(&d.name.node, title, SymbolKind::CLASS, whole, d.name.span, Some(children)));
            }
            Item::Ladder(l) => out.push(ladder(l, &symbol)),
            Item::Schedule(s) => {
                let title = s.title.as_ref().map(|t| t.node.as_str());
                out.push(symbol(&s.name.node, title, SymbolKind::EVENT, s.span, s.name.span, None));
            }
        }
    }
    out
}

type MakeSymbol<'a> =
    dyn Fn(&str, Option<&str>, SymbolKind, Span, Span, Option<Vec<DocumentSymbol>>) -> DocumentSymbol + 'a;

/// A decision's rules, verdicts, values, alerts and due items, and the span of the decision
/// with them.
fn decision_entries(d: &DecisionDecl, symbol: &MakeSymbol<'_>) -> (Vec<DocumentSymbol>, Span) {
    let mut out = Vec::new();
    let mut whole = d.span;
    for entry in &d.entries {
        let span = match entry {
            Entry::Rule(r) => Some(r.span),
            Entry::Verdict { span, .. } => Some(*span),
            Entry::Value { name, value, .. } => Some(name.span.to(value.span)),
            Entry::Alert(a) => Some(a.span),
            Entry::Due(due) => Some(due.span),
            _ => None,
        };
        whole = span.map_or(whole, |s| whole.to(s));
        match entry {
            Entry::Rule(r) => {
                let detail = format!("{} {}", r.kind.node, r.message.node);
                out.push(symbol(&r.id.node, Some(&detail), SymbolKind::METHOD, r.span, r.id.span, None));
            }
            Entry::Verdict { name, span, .. } => {
                out.push(symbol(&name.node, Some("verdict"), SymbolKind::ENUM_MEMBER, *span, name.span, None));
            }
            Entry::Value { name, value, .. } => {
                let whole = name.span.to(value.span);
                out.push(symbol(&name.node, Some("value"), SymbolKind::PROPERTY, whole, name.span, None));
            }
            Entry::Alert(a) => {
                out.push(symbol(&a.id.node, Some(&a.message.node), SymbolKind::EVENT, a.span, a.id.span, None));
            }
            Entry::Due(due) => {
                out.push(symbol(&due.id.node, Some("due"), SymbolKind::EVENT, due.span, due.id.span, None))
            }
            Entry::Given(_) | Entry::List { .. } | Entry::Kinds(_) | Entry::MissingOf { .. } => {}
        }
    }
    (out, whole)
}

/// A ladder, with no children: its entries are doses by route and level.
fn ladder(l: &LadderDecl, symbol: &MakeSymbol<'_>) -> DocumentSymbol {
    let title = l.title.as_ref().map(|t| t.node.as_str());
    symbol(&l.name.node, title, SymbolKind::STRUCT, l.span, l.name.span, None)
}

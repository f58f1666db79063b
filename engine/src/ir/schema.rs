//! The declared inputs: fields with their types, units and ranges, lists of records, the
//! groups that hold them, and the shape a document must have.

use super::{FieldId, FieldSlot, GroupId, ListId, ListSlot};
use crate::diagnostic::Span;
use crate::units::Unit;
use indexmap::IndexMap;
use rust_decimal::Decimal;

/// The type of a field's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    /// `boolean`.
    Boolean,
    /// `integer` or `decimal`, with its unit.
    Number {
        /// Whether only whole numbers are admissible.
        integer: bool,
        /// Its unit ([`Unit::none`] for scores and counts).
        unit: Unit,
    },
    /// `one of ...`, in declared order.
    Choice(Vec<String>),
    /// `timestamp`.
    Timestamp,
}

/// A declared input value.
#[derive(Debug, Clone)]
pub struct Field {
    /// Full dotted path; list elements are written `[]` (`course.sessions[].at`).
    pub path: String,
    /// Its type.
    pub ty: FieldType,
    /// Admissible range, both ends included, in its unit.
    pub range: Option<(Decimal, Decimal)>,
    /// Label for people.
    pub label: String,
    /// Help text for people.
    pub help: Option<String>,
    /// The list whose items hold it, if any.
    pub list: Option<ListId>,
    /// Its slot within its record (the document root or a list item).
    pub slot: FieldSlot,
    /// When it must be present.
    pub required: Required,
    /// In a list: no item has a smaller value than the item before it.
    pub ordered: bool,
    /// A choice declared in order (`one of a < b < c`): `<`, `>`, `next` and `previous`
    /// apply to it.
    pub choices_ordered: bool,
    /// Never later than (above) this field of the document root.
    pub not_after: Option<FieldId>,
    /// Where it was declared.
    pub span: Span,
}

/// When an input must be present in a document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Required {
    /// It may always be absent.
    #[default]
    No,
    /// Whenever the object holding it is present (every item, for a list item's field).
    WithParent,
    /// Whenever one of these groups is present.
    WithGroups(Vec<GroupId>),
}

/// A declared list of records.
#[derive(Debug, Clone)]
pub struct ListDecl {
    /// Full dotted path.
    pub path: String,
    /// Admissible number of items.
    pub range: Option<(Decimal, Decimal)>,
    /// Label for people.
    pub label: String,
    /// Help text for people.
    pub help: Option<String>,
    /// The list whose items hold it, if any.
    pub list: Option<ListId>,
    /// Its slot among its record's lists.
    pub slot: ListSlot,
    /// The shape of one item.
    pub item: Shape,
    /// How many field slots an item has.
    pub item_fields: usize,
    /// How many list slots an item has.
    pub item_lists: usize,
    /// When it must be present.
    pub required: Required,
    /// Where it was declared.
    pub span: Span,
}

/// The expected structure of a JSON object in an input document.
#[derive(Debug, Clone, Default)]
pub struct Shape {
    /// Members by name, in declaration order.
    pub members: IndexMap<String, Member>,
    /// For a group outside lists, the group.
    pub group: Option<GroupId>,
}

impl Shape {
    /// The position and declaration of member `name`, searched from position `from` on
    /// (then from the start): a document that writes its members in declared order, as forms
    /// do, finds each at the first comparison. A shape of many members is searched through
    /// its index instead.
    pub(crate) fn find(&self, name: &str, from: usize) -> Option<(usize, &Member)> {
        if self.members.len() > 64 {
            return self.members.get_full(name).map(|(i, _, m)| (i, m));
        }
        let bytes = name.as_bytes();
        let is = |i: usize| {
            self.members
                .get_index(i)
                .filter(|(k, _)| k.len() == bytes.len() && k.as_bytes() == bytes)
                .map(|(_, m)| (i, m))
        };
        (from..self.members.len()).chain(0..from.min(self.members.len())).find_map(is)
    }
}

/// What a member of an object holds.
#[derive(Debug, Clone)]
pub enum Member {
    /// A field.
    Field(FieldId),
    /// A nested object.
    Group(Shape),
    /// A list.
    List(ListId),
}

/// Every declared input of a protocol.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    /// All fields, in declaration order.
    pub fields: Vec<Field>,
    /// All lists, in declaration order.
    pub lists: Vec<ListDecl>,
    /// Paths of the groups outside lists (`patient`, `screening`), in declaration order.
    pub groups: Vec<String>,
    /// The document's shape.
    pub root: Shape,
    /// Field slots of the document root.
    pub root_fields: usize,
    /// List slots of the document root.
    pub root_lists: usize,
}

impl Schema {
    /// A field.
    pub fn field(&self, id: FieldId) -> Option<&Field> {
        self.fields.get(id.index())
    }

    /// A list.
    pub fn list(&self, id: ListId) -> Option<&ListDecl> {
        self.lists.get(id.index())
    }

    /// The path of a group.
    pub fn group(&self, id: GroupId) -> Option<&str> {
        self.groups.get(id.index()).map(String::as_str)
    }
}

/// A document path as the protocol declares it: every list index written `[]`
/// (`course.sessions[-1].level` is `course.sessions[].level`).
pub fn declared_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push('[');
            }
            ']' => {
                in_index = false;
                out.push(']');
            }
            _ if in_index => {}
            _ => out.push(c),
        }
    }
    out
}

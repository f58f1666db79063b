//! Typed ids: each kind of thing the program numbers (fields, lists, groups, slots,
//! decisions, ladders, sources) has an id of its own, so that one can never be read as
//! another. Each is its index in the list that holds it, at most `u32::MAX`.

/// Defines an id: a `u32` index with its meaning.
macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(u32);

        impl $name {
            /// The id of the item at `index`; `None` past `u32::MAX`.
            pub(crate) fn new(index: usize) -> Option<Self> {
                u32::try_from(index).ok().map(Self)
            }

            /// Its index in the list that holds it.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl Id for $name {
            fn new(index: usize) -> Option<Self> {
                $name::new(index)
            }
        }
    };
}

/// What every id can do: be made from an index.
pub(crate) trait Id: Sized {
    /// The id of the item at `index`; `None` past `u32::MAX`.
    fn new(index: usize) -> Option<Self>;
}

/// Each item of `items` with its id, in order.
pub(crate) fn with_ids<I: Id, T>(items: &[T]) -> impl Iterator<Item = (I, &T)> {
    items.iter().enumerate().filter_map(|(i, item)| Some((I::new(i)?, item)))
}

/// The id of the first item of `items` that satisfies `p`.
pub(crate) fn position<I: Id, T>(items: &[T], p: impl Fn(&T) -> bool) -> Option<I> {
    I::new(items.iter().position(p)?)
}

id! {
    /// A declared field, by its index in [`Schema::fields`](super::schema::Schema::fields).
    FieldId
}

id! {
    /// A declared list, by its index in [`Schema::lists`](super::schema::Schema::lists).
    ListId
}

id! {
    /// A group of inputs outside lists (`patient`), by its index in
    /// [`Schema::groups`](super::schema::Schema::groups).
    GroupId
}

id! {
    /// Where a field's value is held in its record (the document root or a list item): its
    /// index among the record's field values.
    FieldSlot
}

id! {
    /// Where a list's items are held in its record (the document root or a list item): its
    /// index among the record's lists.
    ListSlot
}

id! {
    /// A decision, by its index in [`Program::decisions`](super::Program::decisions).
    DecisionId
}

id! {
    /// A dose ladder of the protocol, by its index in declaration order.
    LadderId
}

id! {
    /// A citable source, by its index in [`Program::sources`](super::Program::sources).
    SourceId
}

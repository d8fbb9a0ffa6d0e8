//! The cells of a row by column name (or key), as `Row::extra` holds them.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde_json::{Map, Value};

use crate::data::extra_fields::{Extra, ExtraFields, Key};

/// The cells of a row: one JSON value per column, under the column's name (or its key
/// when the rows were read with `convert_keys(false)`), in the order the server sent them.
///
/// It reads like a map: `row.extra["Name"]`, [`get`](Self::get),
/// [`contains_key`](Self::contains_key), [`iter`](Self::iter) by name, [`insert`](Self::insert)
/// and [`remove`](Self::remove); it serializes as a JSON object and compares as one (the
/// order of the cells does not matter to `==`). A missing cell indexes as `null`, as an
/// empty one does.
///
/// The rows of a page carry the same columns, so the column names are shared between them
/// instead of copied into each row: decoding a page allocates each name once, not once per
/// row. Finding a cell by name looks through the row's cells in turn; for many reads by
/// column of many rows, [`RowView`](crate::cells::RowView) or the typed row structs of
/// `seatable-codegen rows` read them typed.
///
/// ```
/// use seatable_api::types::Row;
/// use serde_json::json;
///
/// let row: Row = serde_json::from_str(
///     r#"{"_id": "Qtf7xPmoRaiFyQPO1aENTj", "_locked": null, "_locked_by": null,
///         "Name": "Ada", "Age": 36, "City": null}"#,
/// )
/// .unwrap();
/// assert_eq!(row.extra["Name"], "Ada");
/// assert_eq!(row.extra.get("Age"), Some(&json!(36)));
/// assert!(row.extra["Missing"].is_null());
/// let names: Vec<&str> = row.extra.keys().collect();
/// assert_eq!(names, ["Name", "Age", "City"]);
///
/// let mut cells = row.extra.clone();
/// cells.insert("Age".into(), json!(37));
/// assert_eq!(cells.remove("City"), Some(json!(null)));
/// assert_eq!(serde_json::to_value(&cells).unwrap(), json!({"Name": "Ada", "Age": 37}));
/// ```
#[derive(Clone, Default)]
pub struct RowCells {
    cells: Vec<(Arc<str>, Value)>,
}

impl RowCells {
    /// No cells.
    ///
    /// ```
    /// assert!(seatable_api::cells::RowCells::new().is_empty());
    /// ```
    pub fn new() -> Self {
        RowCells::default()
    }

    /// How many cells there are.
    ///
    /// ```
    /// let cells: seatable_api::cells::RowCells = serde_json::from_str(r#"{"a": 1}"#).unwrap();
    /// assert_eq!(cells.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether there are no cells.
    ///
    /// ```
    /// let cells: seatable_api::cells::RowCells = serde_json::from_str("{}").unwrap();
    /// assert!(cells.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.cells.iter().position(|(key, _)| **key == *name)
    }

    /// The cell under `name`.
    ///
    /// ```
    /// let cells: seatable_api::cells::RowCells = serde_json::from_str(r#"{"a": 1}"#).unwrap();
    /// assert_eq!(cells.get("a"), Some(&serde_json::json!(1)));
    /// assert_eq!(cells.get("b"), None);
    /// ```
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.position(name).map(|i| &self.cells[i].1)
    }

    /// The cell under `name`, to change in place.
    ///
    /// ```
    /// let mut cells: seatable_api::cells::RowCells = serde_json::from_str(r#"{"a": 1}"#).unwrap();
    /// *cells.get_mut("a").unwrap() = serde_json::json!(2);
    /// assert_eq!(cells["a"], 2);
    /// ```
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        self.position(name).map(|i| &mut self.cells[i].1)
    }

    /// Whether there is a cell under `name` (`null` counts).
    ///
    /// ```
    /// let cells: seatable_api::cells::RowCells = serde_json::from_str(r#"{"a": null}"#).unwrap();
    /// assert!(cells.contains_key("a") && !cells.contains_key("b"));
    /// ```
    pub fn contains_key(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// Puts `value` under `name`, returning the value it replaces; a new name goes last.
    ///
    /// ```
    /// let mut cells = seatable_api::cells::RowCells::new();
    /// assert_eq!(cells.insert("a".into(), serde_json::json!(1)), None);
    /// assert_eq!(cells.insert("a".into(), serde_json::json!(2)), Some(serde_json::json!(1)));
    /// ```
    pub fn insert(&mut self, name: String, value: Value) -> Option<Value> {
        match self.get_mut(&name) {
            Some(old) => Some(std::mem::replace(old, value)),
            None => {
                self.cells.push((name.into(), value));
                None
            }
        }
    }

    /// Takes the cell under `name` out; the others keep their order.
    ///
    /// ```
    /// let mut cells: seatable_api::cells::RowCells = serde_json::from_str(r#"{"a": 1, "b": 2}"#).unwrap();
    /// assert_eq!(cells.remove("a"), Some(serde_json::json!(1)));
    /// assert_eq!(cells.keys().collect::<Vec<_>>(), ["b"]);
    /// ```
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        self.position(name).map(|i| self.cells.remove(i).1)
    }

    /// The cells as (column, value), in order.
    ///
    /// ```
    /// let cells: seatable_api::cells::RowCells = serde_json::from_str(r#"{"b": 1, "a": 2}"#).unwrap();
    /// for (column, value) in cells.iter() {
    ///     println!("{column}: {value}");
    /// }
    /// ```
    pub fn iter(&self) -> Iter<'_> {
        Iter(self.cells.iter())
    }

    /// The cells as (column, value to change), in order.
    ///
    /// ```
    /// let mut cells: seatable_api::cells::RowCells = serde_json::from_str(r#"{"a": 1}"#).unwrap();
    /// for (_, value) in cells.iter_mut() {
    ///     *value = serde_json::Value::Null;
    /// }
    /// assert!(cells["a"].is_null());
    /// ```
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut Value)> {
        self.cells.iter_mut().map(|(key, value)| (&**key, value))
    }

    /// The column names (or keys), in order.
    ///
    /// ```
    /// let cells: seatable_api::cells::RowCells = serde_json::from_str(r#"{"b": 1, "a": 2}"#).unwrap();
    /// assert_eq!(cells.keys().collect::<Vec<_>>(), ["b", "a"]);
    /// ```
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.cells.iter().map(|(key, _)| &**key)
    }

    /// The values, in order.
    ///
    /// ```
    /// let cells: seatable_api::cells::RowCells = serde_json::from_str(r#"{"b": 1, "a": 2}"#).unwrap();
    /// assert_eq!(cells.values().count(), 2);
    /// ```
    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.cells.iter().map(|(_, value)| value)
    }

    /// The cells as a JSON object map, for example to write them back as a `RowInput`.
    ///
    /// ```
    /// let cells: seatable_api::cells::RowCells = serde_json::from_str(r#"{"a": 1}"#).unwrap();
    /// let input: seatable_api::types::RowInput = cells.into_map();
    /// assert_eq!(input["a"], 1);
    /// ```
    pub fn into_map(self) -> Map<String, Value> {
        self.into_iter().collect()
    }

    /// Pairs in the order received, one per name: a repeated name keeps its first place
    /// and its last value, as inserting them in turn would.
    fn from_pairs_deduplicated(pairs: Vec<(Arc<str>, Value)>) -> RowCells {
        // Hashed rather than compared pairwise, so that a hostile object with many keys
        // stays linear.
        let mut place: HashMap<Arc<str>, usize> = HashMap::with_capacity(pairs.len());
        let mut cells: Vec<(Arc<str>, Value)> = Vec::with_capacity(pairs.len());
        for (key, value) in pairs {
            match place.get(&key) {
                Some(&i) => cells[i].1 = value,
                None => {
                    place.insert(key.clone(), cells.len());
                    cells.push((key, value));
                }
            }
        }
        RowCells { cells }
    }
}

/// Rows wider than this do not leave their names behind for the next row (see
/// [`LAST_NAMES`]), so that one enormous object cannot pin its names in memory.
const MAX_SHARED_NAMES: usize = 4096;

thread_local! {
    /// The names of the last row decoded on this thread whose names had to be checked, in
    /// order and without repeats. The next rows of a page reuse them (`Arc` clones, no
    /// allocation) and, when every name matches by position, need no check for repeats.
    static LAST_NAMES: RefCell<Vec<Arc<str>>> = const { RefCell::new(Vec::new()) };
}

/// The shared copy of `name`, the `position`-th name of a row being decoded.
fn shared_name(name: Key<'_>, position: usize) -> Arc<str> {
    LAST_NAMES.with(|last| match last.borrow().get(position) {
        Some(known) if **known == *name.as_str() => known.clone(),
        _ => Arc::from(name.as_str()),
    })
}

impl Extra for RowCells {
    type Key = Arc<str>;
    type Value = Value;

    fn key(key: Key<'_>, position: usize) -> Arc<str> {
        shared_name(key, position)
    }

    fn put(&mut self, key: Arc<str>, value: Value) {
        // The one undeclared cell of an object (the `null` of a button column in a typed
        // row) is remembered too, so that the next row shares its name.
        LAST_NAMES.with(|last| {
            let mut last = last.borrow_mut();
            if !last.first().is_some_and(|known| Arc::ptr_eq(known, &key)) {
                last.clear();
                last.push(key.clone());
            }
        });
        match self.position(&key) {
            Some(i) => self.cells[i].1 = value,
            None => {
                self.cells.reserve_exact(1);
                self.cells.push((key, value));
            }
        }
    }

    fn from_pairs(pairs: Vec<(Arc<str>, Value)>) -> RowCells {
        let known = LAST_NAMES.with(|last| {
            let last = last.borrow();
            pairs.len() <= last.len()
                && pairs
                    .iter()
                    .zip(last.iter())
                    .all(|((key, _), known)| Arc::ptr_eq(key, known))
        });
        if known {
            // Each name is the same `Arc` as the one in its place in a list without
            // repeats, so this row has none either.
            return RowCells { cells: pairs };
        }
        let cells = RowCells::from_pairs_deduplicated(pairs);
        LAST_NAMES.with(|last| {
            let mut last = last.borrow_mut();
            last.clear();
            if cells.len() <= MAX_SHARED_NAMES {
                last.extend(cells.cells.iter().map(|(key, _)| key.clone()));
            }
        });
        cells
    }
}

/// The cells of a [`RowCells`] by reference, as (column, value).
#[derive(Debug)]
pub struct Iter<'a>(std::slice::Iter<'a, (Arc<str>, Value)>);

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a str, &'a Value);
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(key, value)| (&**key, value))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(key, value)| (&**key, value))
    }
}

impl<'a> IntoIterator for &'a RowCells {
    type Item = (&'a str, &'a Value);
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl IntoIterator for RowCells {
    type Item = (String, Value);
    type IntoIter = std::iter::Map<
        std::vec::IntoIter<(Arc<str>, Value)>,
        fn((Arc<str>, Value)) -> (String, Value),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.cells
            .into_iter()
            .map(|(key, value)| (key.to_string(), value))
    }
}

impl FromIterator<(String, Value)> for RowCells {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(pairs: I) -> Self {
        let pairs = pairs.into_iter().map(|(key, value)| (key.into(), value));
        RowCells::from_pairs_deduplicated(pairs.collect())
    }
}

impl Extend<(String, Value)> for RowCells {
    fn extend<I: IntoIterator<Item = (String, Value)>>(&mut self, pairs: I) {
        for (key, value) in pairs {
            self.insert(key, value);
        }
    }
}

impl From<Map<String, Value>> for RowCells {
    fn from(map: Map<String, Value>) -> Self {
        // A map has no repeats to check.
        RowCells {
            cells: map.into_iter().map(|(k, v)| (k.into(), v)).collect(),
        }
    }
}

impl From<RowCells> for Map<String, Value> {
    fn from(cells: RowCells) -> Self {
        cells.into_map()
    }
}

impl From<RowCells> for Value {
    fn from(cells: RowCells) -> Self {
        Value::Object(cells.into_map())
    }
}

/// A missing cell reads as `null`, as an empty one does.
impl std::ops::Index<&str> for RowCells {
    type Output = Value;
    fn index(&self, name: &str) -> &Value {
        static NULL: Value = Value::Null;
        self.get(name).unwrap_or(&NULL)
    }
}

impl fmt::Debug for RowCells {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Equal when they hold the same cells, in whatever order (as JSON objects compare).
impl PartialEq for RowCells {
    fn eq(&self, other: &RowCells) -> bool {
        // Rows of one table hold their cells in the same order: compare in place first.
        let in_place = || self.iter().zip(other.iter()).all(|(a, b)| a == b);
        let by_name = || {
            self.iter()
                .all(|(key, value)| other.get(key) == Some(value))
        };
        self.len() == other.len() && (in_place() || by_name())
    }
}

impl PartialEq<Map<String, Value>> for RowCells {
    fn eq(&self, other: &Map<String, Value>) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .all(|(key, value)| other.get(key) == Some(value))
    }
}

impl PartialEq<RowCells> for Map<String, Value> {
    fn eq(&self, other: &RowCells) -> bool {
        other == self
    }
}

impl serde::Serialize for RowCells {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (key, value) in self {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<'de> serde::Deserialize<'de> for RowCells {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Cells;
        impl<'de> Visitor<'de> for Cells {
            type Value = RowCells;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of cells")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RowCells, A::Error> {
                let mut cells = ExtraFields::<RowCells>::new();
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    cells.keep(key, map.next_value()?);
                }
                Ok(cells.finish())
            }
        }
        deserializer.deserialize_map(Cells)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn decode(text: &str) -> crate::types::Row {
        serde_json::from_str(text).unwrap()
    }

    /// What the cells must be: the object as a plain map, the system fields left out.
    fn plain(text: &str) -> Map<String, Value> {
        let Value::Object(mut all) = serde_json::from_str::<Value>(text).unwrap() else {
            unreachable!("an object")
        };
        for system in ["_id", "_locked", "_locked_by", "_archived"] {
            all.remove(system);
        }
        all
    }

    #[test]
    fn rows_of_changing_shapes_decode_as_plain_maps_and_share_names_only_when_equal() {
        // Same shape, a reordered one, a shorter one, a repeated name, a longer one, an
        // empty one, a single cell, then the first shape again: the names remembered from
        // the row before must never leak into a row that does not have them.
        let rows = [
            r#"{"_id": "a", "Name": "Ada", "Age": 36, "City": null}"#,
            r#"{"_id": "b", "Name": "Bob", "Age": 41, "City": "Paris"}"#,
            r#"{"_id": "c", "Age": 1, "Name": "Cy", "City": "Rome"}"#,
            r#"{"_id": "d", "Age": 2}"#,
            r#"{"_id": "e", "Age": 3, "Age": 4, "Name": "Eve", "Age": 5}"#,
            r#"{"_id": "f", "Age": 6, "Name": "Fay", "City": "Oslo", "Extra": [1]}"#,
            r#"{"_id": "g"}"#,
            r#"{"_id": "h", "Name": "Hal"}"#,
            r#"{"_id": "i", "Name": "Ida", "Age": 7, "City": null}"#,
        ];
        let decoded: Vec<crate::types::Row> = rows.iter().map(|r| decode(r)).collect();
        for (row, text) in decoded.iter().zip(rows) {
            assert_eq!(row.extra, plain(text), "{text}");
            assert_eq!(
                serde_json::to_value(&row.extra).unwrap(),
                Value::Object(plain(text)),
                "{text}"
            );
        }
        let repeated = &decoded[4].extra;
        assert_eq!(repeated.keys().collect::<Vec<_>>(), ["Age", "Name"]);
        assert_eq!(
            repeated["Age"], 5,
            "the later value of a repeated name wins"
        );
        assert_eq!(
            decoded[2].extra.keys().collect::<Vec<_>>(),
            ["Age", "Name", "City"]
        );
        // The second row reused the first one's names; the last row those of the sixth.
        let name = |row: usize, i: usize| decoded[row].extra.cells[i].0.clone();
        assert!(Arc::ptr_eq(&name(0, 0), &name(1, 0)));
        assert!(Arc::ptr_eq(&name(0, 2), &name(1, 2)));
        assert!(!Arc::ptr_eq(&name(1, 0), &name(2, 1)));
    }

    #[test]
    fn a_single_cell_shares_its_name_with_the_next_row() {
        let first = decode(r#"{"_id": "a", "button": null}"#);
        let second = decode(r#"{"_id": "b", "button": null}"#);
        let third = decode(r#"{"_id": "c", "other": 1}"#);
        assert!(Arc::ptr_eq(
            &first.extra.cells[0].0,
            &second.extra.cells[0].0
        ));
        assert_eq!(third.extra, plain(r#"{"other": 1}"#));
        assert_eq!(second.extra, plain(r#"{"button": null}"#));
    }

    #[test]
    fn many_repeated_names_keep_the_first_place_and_the_last_value() {
        let mut text = String::from("{");
        for i in 0..20_000 {
            text.push_str(&format!("\"k{}\": {i},", i % 100));
        }
        text.push_str("\"end\": true}");
        let cells: RowCells = serde_json::from_str(&text).unwrap();
        assert_eq!(cells.len(), 101);
        assert_eq!(cells.keys().next(), Some("k0"));
        assert_eq!(cells["k0"], 19_900);
        assert_eq!(cells["k99"], 19_999);
    }

    #[test]
    fn reads_and_writes_like_a_map_and_compares_in_any_order() {
        let mut cells: RowCells = serde_json::from_str(r#"{"b": 1, "a": 2}"#).unwrap();
        let same: RowCells = serde_json::from_str(r#"{"a": 2, "b": 1}"#).unwrap();
        assert_eq!(cells, same);
        assert_eq!(cells, same.clone().into_map());
        assert_ne!(cells, RowCells::new());
        assert!(cells["missing"].is_null());
        assert_eq!(cells.insert("c".into(), json!(3)), None);
        assert_eq!(cells.insert("b".into(), json!(4)), Some(json!(1)));
        assert_eq!(cells.keys().collect::<Vec<_>>(), ["b", "a", "c"]);
        assert_eq!(cells.remove("a"), Some(json!(2)));
        assert_eq!(cells.remove("a"), None);
        assert_eq!(format!("{cells:?}"), r#"{"b": Number(4), "c": Number(3)}"#);
        let collected: RowCells = cells.clone().into_iter().collect();
        assert_eq!(collected, cells);
        assert_eq!(Value::from(cells), json!({"b": 4, "c": 3}));
    }
}

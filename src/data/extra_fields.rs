//! What the generated `Deserialize` impls of structs with an `extra` map call.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::BTreeMap;

/// An object key, borrowed from the input when it has no escapes, so that matching it
/// against the known field names allocates nothing.
#[derive(Debug)]
pub struct Key<'de>(Cow<'de, str>);

impl Key<'_> {
    /// The key.
    ///
    /// ```no_run
    /// let key: seatable_api::__private::Key = serde_json::from_str("\"name\"").unwrap();
    /// assert_eq!(key.as_str(), "name");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> serde::de::Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// A map that keeps the fields a struct does not declare.
pub trait Extra: Default {
    /// The type of the kept keys.
    type Key;
    /// The type of the kept values.
    type Value;
    /// The key to keep for `key`, the `position`-th undeclared field of its object.
    fn key(key: Key<'_>, position: usize) -> Self::Key;
    /// Keeps `value` under `key`.
    fn put(&mut self, key: Self::Key, value: Self::Value);
    /// The map of `pairs`, in the order received: on a repeated key the later value wins.
    fn from_pairs(pairs: Vec<(Self::Key, Self::Value)>) -> Self;
}

impl Extra for serde_json::Map<String, serde_json::Value> {
    type Key = String;
    type Value = serde_json::Value;
    fn key(key: Key<'_>, _: usize) -> String {
        key.0.into_owned()
    }
    fn put(&mut self, key: String, value: serde_json::Value) {
        self.insert(key, value);
    }
    fn from_pairs(pairs: Vec<(String, serde_json::Value)>) -> Self {
        pairs.into_iter().collect()
    }
}

impl<V> Extra for BTreeMap<String, V> {
    type Key = String;
    type Value = V;
    fn key(key: Key<'_>, _: usize) -> String {
        key.0.into_owned()
    }
    fn put(&mut self, key: String, value: V) {
        self.insert(key, value);
    }
    fn from_pairs(pairs: Vec<(String, V)>) -> Self {
        // Sorts (stably) and builds the tree in one pass, keeping the last of equal keys.
        pairs.into_iter().collect()
    }
}

/// Collects the undeclared fields of one object for its `extra` map.
///
/// Inserting the fields of a row one by one into a `BTreeMap` compares each new key with
/// many that are already there; collecting them first and building the map once
/// ([`FromIterator`] on a `BTreeMap`) sorts them instead, and takes one pass when they arrive in order. A
/// single field (the common case of a struct that declares all but one) goes straight
/// into the map. The result is the same map as inserting in order: on a repeated key the
/// later value wins.
///
/// The rows of a page carry the same columns, so the list is sized for as many fields as
/// the previous object with several undeclared fields had on this thread
/// (`FIELDS_LAST_TIME`): one allocation per row instead of one and two regrowths, each
/// a copy of every pair so far.
pub struct ExtraFields<M: Extra> {
    first: Option<(M::Key, M::Value)>,
    more: Vec<(M::Key, M::Value)>,
}

impl<M: Extra> std::fmt::Debug for ExtraFields<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The values are the caller's; how many there are is what a reader of a log needs.
        let fields = self.more.len() + usize::from(self.first.is_some());
        f.debug_struct("ExtraFields")
            .field("fields", &fields)
            .finish()
    }
}

/// The least room the list of [`ExtraFields`] is made with, so that a small object nested
/// in a row (a file item with two new fields) does not make the next row start tiny.
const MIN_LIST: usize = 16;

thread_local! {
    /// How many fields the last [`ExtraFields`] that needed its list held. Only a capacity
    /// hint: a wrong value costs a regrowth or some unused room, never a wrong map.
    static FIELDS_LAST_TIME: Cell<usize> = const { Cell::new(MIN_LIST) };
}

impl<M: Extra> ExtraFields<M> {
    /// No fields yet; allocates nothing.
    ///
    /// ```no_run
    /// use seatable_api::__private::ExtraFields;
    /// let extra = ExtraFields::<serde_json::Map<String, serde_json::Value>>::new();
    /// assert!(extra.finish().is_empty());
    /// ```
    pub fn new() -> Self {
        ExtraFields {
            first: None,
            more: Vec::new(),
        }
    }

    /// Keeps `value` under `key`.
    ///
    /// ```no_run
    /// use seatable_api::__private::{ExtraFields, Key};
    /// let mut extra = ExtraFields::<serde_json::Map<String, serde_json::Value>>::new();
    /// let key: Key = serde_json::from_str("\"x\"").unwrap();
    /// extra.keep(key, serde_json::json!(1));
    /// assert_eq!(extra.finish()["x"], 1);
    /// ```
    pub fn keep(&mut self, key: Key<'_>, value: M::Value) {
        let position = if self.more.is_empty() {
            usize::from(self.first.is_some())
        } else {
            self.more.len()
        };
        let pair = (M::key(key, position), value);
        if !self.more.is_empty() {
            self.more.push(pair);
        } else if let Some(first) = self.first.take() {
            let hint = FIELDS_LAST_TIME.with(Cell::get).max(MIN_LIST);
            self.more.reserve_exact(hint);
            self.more.push(first);
            self.more.push(pair);
        } else {
            self.first = Some(pair);
        }
    }

    /// The map of all kept fields.
    ///
    /// ```no_run
    /// use seatable_api::__private::{ExtraFields, Key};
    /// let mut extra = ExtraFields::<serde_json::Map<String, serde_json::Value>>::new();
    /// for (name, value) in [(r#""b""#, 1), (r#""a""#, 2), (r#""b""#, 3)] {
    ///     let key: Key = serde_json::from_str(name).unwrap();
    ///     extra.keep(key, serde_json::json!(value));
    /// }
    /// assert_eq!(serde_json::Value::Object(extra.finish()), serde_json::json!({"a": 2, "b": 3}));
    /// ```
    pub fn finish(self) -> M {
        match self.first {
            Some((key, value)) => {
                let mut map = M::default();
                map.put(key, value);
                map
            }
            None if self.more.is_empty() => M::default(),
            None => {
                FIELDS_LAST_TIME.with(|last| last.set(self.more.len()));
                M::from_pairs(self.more)
            }
        }
    }
}

impl<M: Extra> Default for ExtraFields<M> {
    fn default() -> Self {
        ExtraFields::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Map, Value};

    fn kept<M: Extra>(pairs: &[(&str, M::Value)]) -> M
    where
        M::Value: Clone,
    {
        let mut extra = ExtraFields::<M>::new();
        for (name, value) in pairs {
            extra.keep(Key(Cow::Borrowed(name)), value.clone());
        }
        extra.finish()
    }

    #[test]
    fn none_one_and_many_fields_make_the_map_inserting_them_would() {
        for count in [0, 1, 2, 3, 17, 40, 100] {
            // Out of order, with repeats: the later value of a repeated key wins.
            let pairs: Vec<(String, Value)> = (0..count)
                .map(|i| (format!("k{}", (i * 7) % 13), json!(i)))
                .collect();
            let borrowed: Vec<(&str, Value)> =
                pairs.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            let mut expected = Map::new();
            for (key, value) in &pairs {
                expected.insert(key.clone(), value.clone());
            }
            assert_eq!(kept::<Map<String, Value>>(&borrowed), expected, "{count}");

            let typed: Vec<(&str, i64)> = (0..count).map(|i| (borrowed[i as usize].0, i)).collect();
            let mut expected = BTreeMap::new();
            for (key, value) in &typed {
                expected.insert(key.to_string(), *value);
            }
            assert_eq!(kept::<BTreeMap<String, i64>>(&typed), expected, "{count}");
        }
    }

    #[test]
    fn a_row_keeps_every_unknown_cell_as_the_generic_decode_does() {
        let text = r#"{"zeta": 1, "_id": "r1", "alpha": [1, {"b": 2}], "Mid": null,
            "alpha": "again", "é": "x", "with \"quote\"": true, "_archived": false}"#;
        let row: crate::types::Row = serde_json::from_str(text).unwrap();
        assert_eq!(row.id.as_deref(), Some("r1"));
        assert_eq!(row.archived, Some(false));
        let Value::Object(mut all) = serde_json::from_str::<Value>(text).unwrap() else {
            unreachable!("an object")
        };
        all.remove("_id");
        all.remove("_archived");
        assert_eq!(row.extra, all);
        assert_eq!(row.extra["alpha"], json!("again"));
        // In the order received; a repeated name keeps its first place.
        assert_eq!(
            row.extra.keys().collect::<Vec<_>>(),
            ["zeta", "alpha", "Mid", "é", "with \"quote\""]
        );
    }
}

//! What the generated `Deserialize` impls of structs with an `extra` map call.

use std::borrow::Cow;
use std::collections::BTreeMap;

/// An object key, borrowed from the input when it has no escapes, so that matching it
/// against the known field names allocates nothing.
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
pub trait Extra {
    /// The type of the kept values.
    type Value;
    /// Keeps `value` under `key`.
    fn put(&mut self, key: String, value: Self::Value);
}

impl Extra for serde_json::Map<String, serde_json::Value> {
    type Value = serde_json::Value;
    fn put(&mut self, key: String, value: serde_json::Value) {
        self.insert(key, value);
    }
}

impl<V> Extra for BTreeMap<String, V> {
    type Value = V;
    fn put(&mut self, key: String, value: V) {
        self.insert(key, value);
    }
}

/// Keeps an undeclared field in the struct's `extra` map.
///
/// ```no_run
/// let mut extra = serde_json::Map::new();
/// let key: seatable_api::__private::Key = serde_json::from_str("\"x\"").unwrap();
/// seatable_api::__private::keep(&mut extra, key, serde_json::json!(1));
/// ```
pub fn keep<M: Extra>(map: &mut M, key: Key<'_>, value: M::Value) {
    map.put(key.0.into_owned(), value);
}

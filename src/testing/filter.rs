//! The stand-in's `filterRows`: the conditions of SeaTable's row filters (a column, a
//! predicate, a term) judged against a cell as the API returns it.

use std::cmp::Ordering;

use serde_json::Value;

use super::sql::compare_cells;
use crate::types::RowFilter;

/// Whether `cell` meets `filter`; an error names a predicate the stand-in does not know.
pub(crate) fn matches(filter: &RowFilter, cell: &Value) -> Result<bool, String> {
    let term = filter.filter_term.as_ref().unwrap_or(&Value::Null);
    let empty = match cell {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    };
    let text = |v: &Value| match v {
        Value::String(s) => s.to_lowercase(),
        Value::Null => String::new(),
        other => other.to_string().to_lowercase(),
    };
    let order = || (!empty).then(|| compare_cells(cell, term));
    Ok(match filter.filter_predicate.as_str() {
        "is_empty" => empty,
        "is_not_empty" => !empty,
        "contains" => !empty && text(cell).contains(&text(term)),
        "does_not_contain" => empty || !text(cell).contains(&text(term)),
        "is" | "equal" => !empty && order() == Some(Ordering::Equal),
        "is_not" | "not_equal" => order() != Some(Ordering::Equal),
        "less" => order() == Some(Ordering::Less),
        "greater" => order() == Some(Ordering::Greater),
        "less_or_equal" => matches!(order(), Some(Ordering::Less | Ordering::Equal)),
        "greater_or_equal" => matches!(order(), Some(Ordering::Greater | Ordering::Equal)),
        other => {
            return Err(format!(
                "filter_predicate {other} is not supported by MockSeaTable (it knows \
                 contains, does_not_contain, is, is_not, equal, not_equal, less, greater, \
                 less_or_equal, greater_or_equal, is_empty, is_not_empty)"
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn filter(predicate: &str, term: Value) -> RowFilter {
        serde_json::from_value(json!({
            "column_name": "C", "filter_predicate": predicate, "filter_term": term
        }))
        .unwrap()
    }

    #[test]
    fn predicates_judge_cells_as_the_api_returns_them() {
        let cases = [
            ("contains", json!("da"), json!("Ada"), true),
            ("contains", json!("x"), json!("Ada"), false),
            ("does_not_contain", json!("x"), json!(null), true),
            ("is", json!("Open"), json!("Open"), true),
            ("is", json!("Open"), json!(null), false),
            ("is_not", json!("Open"), json!(null), true),
            ("greater", json!(10), json!(21), true),
            ("greater", json!(10), json!(null), false),
            ("less_or_equal", json!(21), json!(21), true),
            ("is_empty", json!(null), json!(""), true),
            ("is_not_empty", json!(null), json!([]), false),
        ];
        for (predicate, term, cell, expected) in cases {
            assert_eq!(
                matches(&filter(predicate, term.clone()), &cell).unwrap(),
                expected,
                "{predicate} {term} on {cell}"
            );
        }
        let e = matches(&filter("is_within", json!(7)), &json!("x")).unwrap_err();
        assert!(
            e.starts_with("filter_predicate is_within is not supported"),
            "{e}"
        );
    }
}

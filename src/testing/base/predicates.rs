//! The filter predicates of views and `filterRows` by column type: dates (with SeaTable's
//! `filter_term_modifier`), selects, collaborators and checkboxes here; text and number
//! predicates are those of `filterRows` (`testing::filter`).

use chrono::{Days, Months, NaiveDate};
use serde_json::{json, Value};

use super::{column_type, StoredColumn};
use crate::types::{RowFilter, ViewFilter};

/// The options of a select column as stored (`data.options`).
pub(crate) fn options(column: &StoredColumn) -> &[Value] {
    column
        .get("data")
        .and_then(|d| d.get("options"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// A select option named by id (as views store terms) or by name, as the option name
/// cells hold.
fn option_name(column: &StoredColumn, id_or_name: &str) -> String {
    options(column)
        .iter()
        .find(|o| o.get("id").and_then(Value::as_str) == Some(id_or_name))
        .and_then(|o| o.get("name").and_then(Value::as_str))
        .unwrap_or(id_or_name)
        .to_string()
}

fn is_empty(cell: &Value) -> bool {
    match cell {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// Whether `cell` of `column` meets a view's `filter`; an error names a predicate or
/// modifier the stand-in does not know.
pub(crate) fn view_filter_matches(
    filter: &ViewFilter,
    column: &StoredColumn,
    cell: &Value,
    today: NaiveDate,
) -> Result<bool, String> {
    let predicate = filter.filter_predicate.as_deref().unwrap_or_default();
    let term = filter.filter_term.clone().unwrap_or(Value::Null);
    match predicate {
        "is_empty" => return Ok(is_empty(cell)),
        "is_not_empty" => return Ok(!is_empty(cell)),
        _ => {}
    }
    // Each type's own predicates; any other goes to the text and number predicates,
    // which name the ones they know when refusing.
    const DATE: [&str; 7] = [
        "is",
        "is_not",
        "is_before",
        "is_after",
        "is_on_or_before",
        "is_on_or_after",
        "is_within",
    ];
    const SINGLE: [&str; 4] = ["is", "is_not", "is_any_of", "is_none_of"];
    const LIST: [&str; 4] = ["has_any_of", "has_all_of", "has_none_of", "is_exactly"];
    match column_type(column) {
        "date" | "ctime" | "mtime" if DATE.contains(&predicate) => {
            date_matches(filter, predicate, &term, cell, today)
        }
        "single-select" if SINGLE.contains(&predicate) => {
            single_select_matches(predicate, &term, column, cell)
        }
        "multiple-select" | "collaborator" if LIST.contains(&predicate) => {
            list_matches(predicate, &term, column, cell)
        }
        "checkbox" if predicate == "is" => {
            let wanted = match &term {
                Value::Bool(b) => *b,
                Value::String(s) => s == "true",
                _ => false,
            };
            Ok(cell.as_bool().unwrap_or(false) == wanted)
        }
        _ => {
            let as_row_filter: RowFilter = serde_json::from_value(json!({
                "column_name": "", "filter_predicate": predicate, "filter_term": term
            }))
            .map_err(|e| format!("filter invalid: {e}"))?;
            crate::testing::filter::matches(&as_row_filter, cell)
        }
    }
}

/// [`view_filter_matches`] for a condition of `filterRows`, which names its column by
/// name (already resolved to `column`).
pub(crate) fn row_filter_matches(
    filter: &RowFilter,
    column: &StoredColumn,
    cell: &Value,
    today: NaiveDate,
) -> Result<bool, String> {
    let as_view_filter = ViewFilter {
        column_key: None,
        filter_predicate: Some(filter.filter_predicate.clone()),
        filter_term: filter.filter_term.clone(),
        filter_term_modifier: filter.filter_term_modifier.clone(),
        extra: serde_json::Map::new(),
    };
    view_filter_matches(&as_view_filter, column, cell, today)
}

fn terms(term: &Value) -> Vec<String> {
    match term {
        Value::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Value::String(s) if !s.is_empty() => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn single_select_matches(
    predicate: &str,
    term: &Value,
    column: &StoredColumn,
    cell: &Value,
) -> Result<bool, String> {
    let wanted: Vec<String> = terms(term).iter().map(|t| option_name(column, t)).collect();
    let value = cell.as_str().unwrap_or_default();
    // A filter without a term keeps every row, as the web UI's unfinished filter does.
    if wanted.is_empty() {
        return Ok(true);
    }
    let hit = wanted.iter().any(|w| w == value);
    match predicate {
        "is" | "is_any_of" => Ok(hit),
        "is_not" | "is_none_of" => Ok(!hit),
        other => Err(unknown(
            other,
            "single-select",
            "is, is_not, is_any_of, is_none_of",
        )),
    }
}

fn list_matches(
    predicate: &str,
    term: &Value,
    column: &StoredColumn,
    cell: &Value,
) -> Result<bool, String> {
    let select = column_type(column) == "multiple-select";
    let wanted: Vec<String> = terms(term)
        .iter()
        .map(|t| {
            if select {
                option_name(column, t)
            } else {
                t.clone()
            }
        })
        .collect();
    let held: Vec<&str> = cell
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if wanted.is_empty() {
        return Ok(true);
    }
    let has = |w: &String| held.contains(&w.as_str());
    match predicate {
        "has_any_of" => Ok(wanted.iter().any(has)),
        "has_all_of" => Ok(wanted.iter().all(has)),
        "has_none_of" => Ok(!wanted.iter().any(has)),
        "is_exactly" => Ok(held.len() == wanted.len() && wanted.iter().all(has)),
        other => Err(unknown(
            other,
            column_type(column),
            "has_any_of, has_all_of, has_none_of, is_exactly",
        )),
    }
}

fn unknown(predicate: &str, kind: &str, known: &str) -> String {
    format!(
        "filter_predicate {predicate} is not supported by MockSeaTable for {kind} columns \
         (it knows {known}, is_empty, is_not_empty)"
    )
}

/// The calendar day a date cell names, as written (`2030-06-20`, `2030-06-20 23:55`,
/// `2030-06-20T23:55:00+02:00`): the day in the time zone the value carries.
fn cell_day(cell: &Value) -> Option<NaiveDate> {
    let text = cell.as_str()?;
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

fn days_term(term: &Value) -> Result<u64, String> {
    match term {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .ok_or_else(|| format!("filter_term {term} invalid: a number of days is expected"))
}

/// The day a date filter compares with, from `filter_term_modifier` (and the term for
/// `exact_date` and the day counts), relative to `today` (UTC).
fn reference_day(modifier: &str, term: &Value, today: NaiveDate) -> Result<NaiveDate, String> {
    let add = |days: u64| today.checked_add_days(Days::new(days));
    let sub = |days: u64| today.checked_sub_days(Days::new(days));
    let day = match modifier {
        "today" => Some(today),
        "tomorrow" => add(1),
        "yesterday" => sub(1),
        "one_week_ago" => sub(7),
        "one_week_from_now" => add(7),
        "one_month_ago" => today.checked_sub_months(Months::new(1)),
        "one_month_from_now" => today.checked_add_months(Months::new(1)),
        "number_of_days_ago" => sub(days_term(term)?),
        "number_of_days_from_now" => add(days_term(term)?),
        "exact_date" | "" => {
            let text = term.as_str().unwrap_or_default();
            return cell_day(&Value::String(text.to_string())).ok_or_else(|| {
                format!("filter_term {term} invalid: a date YYYY-MM-DD is expected")
            });
        }
        other => {
            return Err(format!(
                "filter_term_modifier {other} is not supported by MockSeaTable (it knows today, \
                 tomorrow, yesterday, one_week_ago, one_week_from_now, one_month_ago, \
                 one_month_from_now, number_of_days_ago, number_of_days_from_now, exact_date)"
            ))
        }
    };
    day.ok_or_else(|| "the filter's date is out of range".to_string())
}

/// The days `is_within` spans for its modifier, both ends included.
fn within_range(
    modifier: &str,
    term: &Value,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), String> {
    let out_of_range = || "the filter's date is out of range".to_string();
    let back = |days: u64| {
        today
            .checked_sub_days(Days::new(days))
            .ok_or_else(out_of_range)
    };
    let ahead = |days: u64| {
        today
            .checked_add_days(Days::new(days))
            .ok_or_else(out_of_range)
    };
    Ok(match modifier {
        "the_past_week" => (back(7)?, today),
        "the_past_month" => (
            today
                .checked_sub_months(Months::new(1))
                .ok_or_else(out_of_range)?,
            today,
        ),
        "the_past_year" => (
            today
                .checked_sub_months(Months::new(12))
                .ok_or_else(out_of_range)?,
            today,
        ),
        "the_next_week" => (today, ahead(7)?),
        "the_next_month" => (
            today,
            today
                .checked_add_months(Months::new(1))
                .ok_or_else(out_of_range)?,
        ),
        "the_next_year" => (
            today,
            today
                .checked_add_months(Months::new(12))
                .ok_or_else(out_of_range)?,
        ),
        "the_past_numbers_of_days" => (back(days_term(term)?)?, today),
        "the_next_numbers_of_days" => (today, ahead(days_term(term)?)?),
        other => {
            return Err(format!(
                "filter_term_modifier {other} is not supported by MockSeaTable with is_within \
                 (it knows the_past_week, the_past_month, the_past_year, the_next_week, \
                 the_next_month, the_next_year, the_past_numbers_of_days, \
                 the_next_numbers_of_days)"
            ))
        }
    })
}

fn date_matches(
    filter: &ViewFilter,
    predicate: &str,
    term: &Value,
    cell: &Value,
    today: NaiveDate,
) -> Result<bool, String> {
    let modifier = filter.filter_term_modifier.as_deref().unwrap_or_default();
    let day = cell_day(cell);
    if predicate == "is_within" {
        let (from, to) = within_range(modifier, term, today)?;
        return Ok(day.is_some_and(|d| from <= d && d <= to));
    }
    let reference = reference_day(modifier, term, today)?;
    Ok(match predicate {
        "is" => day == Some(reference),
        "is_not" => day != Some(reference),
        "is_before" => day.is_some_and(|d| d < reference),
        "is_after" => day.is_some_and(|d| d > reference),
        "is_on_or_before" => day.is_some_and(|d| d <= reference),
        "is_on_or_after" => day.is_some_and(|d| d >= reference),
        other => {
            return Err(unknown(
                other,
                "date",
                "is, is_not, is_before, is_after, is_on_or_before, is_on_or_after, is_within",
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Map;

    fn column(kind: &str, data: Value) -> StoredColumn {
        let mut c = Map::new();
        c.insert("key".into(), json!("C001"));
        c.insert("name".into(), json!("C"));
        c.insert("type".into(), json!(kind));
        c.insert("data".into(), data);
        c
    }

    fn filter(predicate: &str, term: Value, modifier: Option<&str>) -> ViewFilter {
        serde_json::from_value(json!({
            "column_key": "C001", "filter_predicate": predicate, "filter_term": term,
            "filter_term_modifier": modifier
        }))
        .unwrap()
    }

    #[test]
    fn date_predicates_follow_the_modifier() {
        let today = NaiveDate::from_ymd_opt(2030, 6, 20).unwrap();
        let date = column("date", json!({"format": "YYYY-MM-DD"}));
        let cases = [
            (
                "is",
                json!("2030-06-20"),
                Some("exact_date"),
                json!("2030-06-20T23:55:00+02:00"),
                true,
            ),
            ("is", json!(null), Some("today"), json!("2030-06-20"), true),
            (
                "is",
                json!(null),
                Some("yesterday"),
                json!("2030-06-20"),
                false,
            ),
            (
                "is_before",
                json!(null),
                Some("today"),
                json!("2030-06-19 10:00"),
                true,
            ),
            (
                "is_after",
                json!(3),
                Some("number_of_days_ago"),
                json!("2030-06-18"),
                true,
            ),
            (
                "is_on_or_before",
                json!("2030-06-01"),
                Some("exact_date"),
                json!("2030-06-01"),
                true,
            ),
            (
                "is_within",
                json!(null),
                Some("the_past_week"),
                json!("2030-06-14"),
                true,
            ),
            (
                "is_within",
                json!(null),
                Some("the_past_week"),
                json!("2030-06-12"),
                false,
            ),
            (
                "is_within",
                json!(10),
                Some("the_next_numbers_of_days"),
                json!("2030-06-30"),
                true,
            ),
            ("is_before", json!(null), Some("today"), json!(null), false),
            ("is_empty", json!(null), None, json!(null), true),
        ];
        for (predicate, term, modifier, cell, expected) in cases {
            let verdict = view_filter_matches(
                &filter(predicate, term.clone(), modifier),
                &date,
                &cell,
                today,
            )
            .unwrap();
            assert_eq!(
                verdict, expected,
                "{predicate} {term} {modifier:?} on {cell}"
            );
        }
        let e = view_filter_matches(
            &filter("is", json!(null), Some("next_decade")),
            &date,
            &json!("2030-06-20"),
            today,
        )
        .unwrap_err();
        assert!(
            e.starts_with("filter_term_modifier next_decade is not supported"),
            "{e}"
        );
    }

    #[test]
    fn select_predicates_take_option_ids_or_names() {
        let today = NaiveDate::from_ymd_opt(2030, 6, 20).unwrap();
        let options = json!({"options": [
            {"id": "111111", "name": "Open"}, {"id": "222222", "name": "Done"}
        ]});
        let single = column("single-select", options.clone());
        let multi = column("multiple-select", options);
        let cases = [
            (&single, "is", json!("111111"), json!("Open"), true),
            (&single, "is_not", json!("Open"), json!("Open"), false),
            (
                &single,
                "is_any_of",
                json!(["222222", "111111"]),
                json!("Done"),
                true,
            ),
            (
                &single,
                "is_none_of",
                json!(["222222"]),
                json!("Done"),
                false,
            ),
            (
                &multi,
                "has_any_of",
                json!(["222222"]),
                json!(["Open", "Done"]),
                true,
            ),
            (
                &multi,
                "has_all_of",
                json!(["111111", "222222"]),
                json!(["Open"]),
                false,
            ),
            (
                &multi,
                "has_none_of",
                json!(["222222"]),
                json!(["Open"]),
                true,
            ),
            (
                &multi,
                "is_exactly",
                json!(["Done", "Open"]),
                json!(["Open", "Done"]),
                true,
            ),
        ];
        for (column, predicate, term, cell, expected) in cases {
            let verdict =
                view_filter_matches(&filter(predicate, term.clone(), None), column, &cell, today)
                    .unwrap();
            assert_eq!(verdict, expected, "{predicate} {term} on {cell}");
        }
        let checkbox = column("checkbox", Value::Null);
        assert!(view_filter_matches(
            &filter("is", json!(true), None),
            &checkbox,
            &json!(true),
            today
        )
        .unwrap());
        assert!(!view_filter_matches(
            &filter("is", json!(true), None),
            &checkbox,
            &json!(null),
            today
        )
        .unwrap());
    }
}

//! What the cell decoder needs to know of a column, for every variant of the generated
//! `Column` enum alike (the generated variants carry the common fields each on its own).

use serde_json::Value;

use crate::types::{Column, FormulaResultType};

/// Applies `$body` to the inner struct of every known variant; `$unknown` handles the raw
/// JSON of a column type this version does not know.
macro_rules! each_column {
    ($column:expr, $inner:ident => $body:expr, $raw:ident => $unknown:expr) => {
        match $column {
            Column::Text($inner) => $body,
            Column::LongText($inner) => $body,
            Column::Number($inner) => $body,
            Column::Collaborator($inner) => $body,
            Column::Date($inner) => $body,
            Column::Duration($inner) => $body,
            Column::SingleSelect($inner) => $body,
            Column::MultipleSelect($inner) => $body,
            Column::Image($inner) => $body,
            Column::File($inner) => $body,
            Column::Checkbox($inner) => $body,
            Column::Rate($inner) => $body,
            Column::Geolocation($inner) => $body,
            Column::Formula($inner) => $body,
            Column::Link($inner) => $body,
            Column::LinkFormula($inner) => $body,
            Column::Button($inner) => $body,
            Column::DigitalSign($inner) => $body,
            Column::AutoNumber($inner) => $body,
            Column::Creator($inner) => $body,
            Column::Ctime($inner) => $body,
            Column::LastModifier($inner) => $body,
            Column::Mtime($inner) => $body,
            Column::Email($inner) => $body,
            Column::Url($inner) => $body,
            Column::DepartmentSingleSelect($inner) => $body,
            Column::Unknown($raw) => $unknown,
        }
    };
}

/// The column's display name (empty for a malformed unknown column).
pub(crate) fn name(column: &Column) -> &str {
    each_column!(column, c => c.name.as_str(), raw => raw_str(raw, "name"))
}

/// The column's key (empty for a malformed unknown column).
pub(crate) fn key(column: &Column) -> &str {
    each_column!(column, c => c.key.as_str(), raw => raw_str(raw, "key"))
}

fn raw_str<'a>(raw: &'a Value, field: &str) -> &'a str {
    raw.get(field).and_then(Value::as_str).unwrap_or("")
}

/// The `result_type` of a formula or link-formula column, wherever it is kept.
pub(crate) fn result_type(column: &Column) -> Option<FormulaResultType> {
    match column {
        Column::Formula(c) => c.data.as_ref()?.result_type.clone(),
        Column::LinkFormula(c) => c.data.as_ref()?.result_type.clone(),
        other => {
            // A formula column whose `data` the generated type could not hold arrives as
            // `Unknown`; its result type is still in the raw JSON.
            let Column::Unknown(raw) = other else {
                return None;
            };
            raw.get("data")?
                .get("result_type")?
                .as_str()
                .map(FormulaResultType::from)
        }
    }
}

//! `seatable sql "SELECT …"`: a table on a terminal, JSON (the rows) when piped.

use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use seatable_api::BaseClient;
use serde_json::Value;

use crate::failure::Failure;
use crate::output;

/// Runs `statement` with `parameters` for its `?` placeholders and prints the rows: as
/// JSON when `json` is set, else as a table.
pub async fn run(
    base: &BaseClient,
    statement: &str,
    parameters: Vec<Value>,
    json: bool,
) -> Result<(), Failure> {
    let mut request = base.query_sql(statement).convert_keys(true);
    if !parameters.is_empty() {
        request = request.parameters(parameters);
    }
    let answer = request.await?;
    if answer.success == Some(false) {
        return Err(Failure {
            code: 4,
            message: format!(
                "querySql: {}",
                answer
                    .error_message
                    .as_deref()
                    .unwrap_or("the statement failed")
            ),
        });
    }
    let rows: Vec<Value> = answer
        .results
        .iter()
        .map(|r| serde_json::to_value(r).unwrap_or(Value::Null))
        .collect();
    if json {
        return output::print_json(&Value::Array(rows));
    }
    let names: Vec<String> = answer.metadata.iter().map(|c| c.name.clone()).collect();
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(names.clone());
    for row in &rows {
        table.add_row(names.iter().map(|n| match row.get(n) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        }));
    }
    println!("{table}");
    println!("{} row(s)", rows.len());
    Ok(())
}

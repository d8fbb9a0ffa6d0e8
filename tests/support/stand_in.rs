//! A base on the stand-in (`MockSeaTable`), opened the way a user opens one.

use seatable_api::testing::{MockBase, MockSeaTable};
use seatable_api::BaseClient;
use serde_json::Value;

/// A stand-in holding one base, `name` with `metadata`, and that base's client, which got
/// its Base-Token by exchanging the base's API-Token.
pub async fn mock_with_base(name: &str, metadata: Value) -> (MockSeaTable, MockBase, BaseClient) {
    let mock = MockSeaTable::start().await.unwrap();
    let base = mock.add_base(name, metadata).unwrap();
    let client = mock
        .client()
        .base_with_api_token(base.api_token.as_str())
        .await
        .unwrap();
    (mock, base, client)
}

/// The one table the fault and import tests write to: `Table1` with a text column
/// `Name`, a number column `Age` and a checkbox `Done`.
pub fn table1() -> Value {
    serde_json::json!({"tables": [{
        "_id": "0000", "name": "Table1",
        "columns": [
            {"key": "0000", "name": "Name", "type": "text"},
            {"key": "a0", "name": "Age", "type": "number",
             "data": {"format": "number", "decimal": "dot", "thousands": "no"}},
            {"key": "a1", "name": "Done", "type": "checkbox"}
        ],
        "views": [{"_id": "0000", "name": "Default View"}]
    }]})
}

/// A stand-in started by `builder`, holding one base with [`table1`].
pub async fn start_table1(builder: seatable_api::testing::MockBuilder) -> (MockSeaTable, MockBase) {
    let mock = builder.start().await.unwrap();
    let base = mock.add_base("Faults", table1()).unwrap();
    (mock, base)
}

/// How many API-Tokens were exchanged for a Base-Token (answered 200), from the log.
pub fn token_exchanges(mock: &MockSeaTable) -> usize {
    mock.requests()
        .iter()
        .filter(|e| e.operation == Some(seatable_api::testing::Operation::GetBaseToken))
        .filter(|e| e.status == 200)
        .count()
}

/// How many requests were being handled at once at most, from the log's receive and
/// finish times (a request still pending counts until now).
pub fn max_in_flight(log: &[seatable_api::testing::Exchange]) -> usize {
    let now = std::time::Instant::now();
    let mut events: Vec<(std::time::Instant, i32)> = log
        .iter()
        .flat_map(|e| [(e.received_at, 1), (e.finished_at.unwrap_or(now), -1)])
        .collect();
    // At equal instants, a finish before a start: they did not overlap.
    events.sort();
    let mut current = 0i32;
    let mut most = 0i32;
    for (_, step) in events {
        current += step;
        most = most.max(current);
    }
    most as usize
}

/// How many requests are being handled now (read, not yet finished), from the log.
pub fn in_flight(log: &[seatable_api::testing::Exchange]) -> usize {
    log.iter().filter(|e| e.finished_at.is_none()).count()
}

/// How many requests an injected fault fired on, from the log.
pub fn faults_fired(mock: &MockSeaTable) -> usize {
    mock.requests().iter().filter(|e| e.fault.is_some()).count()
}

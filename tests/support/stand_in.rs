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

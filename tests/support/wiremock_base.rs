//! A [`BaseClient`] of one base on a `wiremock` server, for the tests that pin single
//! exchanges: the base's identity, the client, and the usual answers.

use seatable_api::{BaseClient, BaseToken, Client};
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// The UUID of the base every `wiremock` test talks to.
pub const UUID: &str = "650d8a0d-7e27-46a8-8b18-6cc6f3db2057";

/// The API gateway's path of that base.
pub const GATEWAY: &str = "/api-gateway/api/v2/dtables/650d8a0d-7e27-46a8-8b18-6cc6f3db2057";

/// A client of the base on `server` with a Base-Token it was given, so it never renews it.
pub fn base(server: &MockServer) -> BaseClient {
    BaseClient::new(
        Client::new(&server.uri()).unwrap(),
        UUID,
        BaseToken::from("base-jwt"),
    )
}

/// [`base`], with `server` also answering `getMetadata` with the fixture the typed-row
/// structs were generated from (`codegen/tests/rows/metadata.json`): written rows are
/// checked against the base's columns before they are sent, and pass.
pub async fn base_with_rows_metadata(server: &MockServer) -> BaseClient {
    let metadata: Value = serde_json::from_str(
        &std::fs::read_to_string("codegen/tests/rows/metadata.json").expect("fixture"),
    )
    .expect("fixture JSON");
    Mock::given(method("GET"))
        .and(path(format!("{GATEWAY}/metadata/")))
        .respond_with(answer(metadata))
        .mount(server)
        .await;
    base(server)
}

/// A 200 answer with `v` as its JSON body.
pub fn answer(v: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(v)
}

/// The requests the server received with `verb`, in order.
pub async fn received(server: &MockServer, verb: &str) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == verb)
        .collect()
}

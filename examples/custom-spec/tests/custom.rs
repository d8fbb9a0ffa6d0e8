//! The endpoints added by `spec/reminders.yaml` are methods of `seatable_api::BaseClient`:
//! each call sends exactly the request the spec describes (method, path with the client's
//! base, Base-Token, query, JSON body) and decodes the answer into the generated types.

use custom_spec::reminders::RemindersBaseClientExt;
use custom_spec::types::Reminder;
use seatable_api::{BaseClient, Client, ErrorKind};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const BASE_UUID: &str = "650d8a0d-7e27-46a8-8b18-6cc6f3db2057";
/// A JWT whose `exp` is in 2100, so the client never tries to renew it.
const BASE_TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDB9.c2lnbmF0dXJl";
const REMINDERS_PATH: &str =
    "/api-gateway/api/v2/dtables/650d8a0d-7e27-46a8-8b18-6cc6f3db2057/plugins/reminders/";

fn base(server: &MockServer) -> BaseClient {
    let client = Client::new(&server.uri()).expect("a loopback URL is valid");
    BaseClient::new(client, BASE_UUID, BASE_TOKEN.into())
}

/// The one request the server received.
async fn only_request(server: &MockServer) -> Request {
    let mut received = server
        .received_requests()
        .await
        .expect("request recording is on");
    assert_eq!(received.len(), 1, "exactly one request is sent");
    received.remove(0)
}

fn header<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn create_reminder_posts_the_body_and_decodes_the_reminder() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(REMINDERS_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": 17,
            "row_id": "Bko1e60YT-egit2SljWSZA",
            "remind_at": "2030-06-20T09:00:00+02:00",
            "note": "Call the supplier",
            "done": false,
            "created_by": "244b430060f54bb4afa2c2cb7369d244@auth.local"
        })))
        .mount(&server)
        .await;

    let reminder = base(&server)
        .create_reminder(
            "Tasks",
            "Bko1e60YT-egit2SljWSZA",
            "2030-06-20T09:00:00+02:00",
        )
        .note("Call the supplier")
        .await
        .expect("the reminder is created");

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), REMINDERS_PATH);
    assert_eq!(request.url.query(), None);
    assert_eq!(
        header(&request, "authorization"),
        Some(format!("Bearer {BASE_TOKEN}").as_str())
    );
    assert_eq!(header(&request, "content-type"), Some("application/json"));
    let sent: Value = serde_json::from_slice(&request.body).expect("a JSON body");
    assert_eq!(
        sent,
        json!({
            "table_name": "Tasks",
            "row_id": "Bko1e60YT-egit2SljWSZA",
            "remind_at": "2030-06-20T09:00:00+02:00",
            "note": "Call the supplier"
        })
    );

    let mut extra = serde_json::Map::new();
    extra.insert(
        "created_by".into(),
        json!("244b430060f54bb4afa2c2cb7369d244@auth.local"),
    );
    assert_eq!(
        reminder,
        Reminder {
            id: 17,
            row_id: "Bko1e60YT-egit2SljWSZA".into(),
            remind_at: "2030-06-20T09:00:00+02:00".into(),
            note: Some("Call the supplier".into()),
            done: false,
            extra,
        }
    );
}

#[tokio::test]
async fn create_reminder_leaves_out_an_unset_note() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(REMINDERS_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": 18,
            "row_id": "Bko1e60YT-egit2SljWSZA",
            "remind_at": "2030-06-21T09:00:00+02:00",
            "note": null,
            "done": false
        })))
        .mount(&server)
        .await;

    let reminder = base(&server)
        .create_reminder(
            "Tasks",
            "Bko1e60YT-egit2SljWSZA",
            "2030-06-21T09:00:00+02:00",
        )
        .await
        .expect("the reminder is created");

    let sent: Value =
        serde_json::from_slice(&only_request(&server).await.body).expect("a JSON body");
    assert_eq!(
        sent,
        json!({
            "table_name": "Tasks",
            "row_id": "Bko1e60YT-egit2SljWSZA",
            "remind_at": "2030-06-21T09:00:00+02:00"
        })
    );
    assert_eq!(reminder.id, 18);
    assert_eq!(reminder.note, None);
    assert!(reminder.extra.is_empty());
}

#[tokio::test]
async fn list_reminders_sends_the_query_and_decodes_the_list() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(REMINDERS_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "reminders": [
                {"id": 3, "row_id": "Qr0lOSaRQNmBOX6TsgOZIg", "remind_at": "2024-01-02T08:00:00+00:00", "note": null, "done": true},
                {"id": 17, "row_id": "Bko1e60YT-egit2SljWSZA", "remind_at": "2030-06-20T09:00:00+02:00", "note": "Call the supplier", "done": false}
            ]
        })))
        .mount(&server)
        .await;

    let list = base(&server)
        .list_reminders("Tasks")
        .include_done(true)
        .await
        .expect("the reminders are listed");

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(request.url.path(), REMINDERS_PATH);
    assert_eq!(
        request.url.query(),
        Some("table_name=Tasks&include_done=true")
    );
    assert_eq!(
        header(&request, "authorization"),
        Some(format!("Bearer {BASE_TOKEN}").as_str())
    );
    assert!(request.body.is_empty(), "a GET sends no body");

    let summary: Vec<(i64, &str, Option<&str>, bool)> = list
        .reminders
        .iter()
        .map(|r| (r.id, r.row_id.as_str(), r.note.as_deref(), r.done))
        .collect();
    assert_eq!(
        summary,
        [
            (3, "Qr0lOSaRQNmBOX6TsgOZIg", None, true),
            (
                17,
                "Bko1e60YT-egit2SljWSZA",
                Some("Call the supplier"),
                false
            ),
        ]
    );
    assert_eq!(list.reminders[1].remind_at, "2030-06-20T09:00:00+02:00");
}

#[tokio::test]
async fn an_answer_that_breaks_the_spec_is_a_decode_error_naming_the_field() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(REMINDERS_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "reminders": [
                {"id": 3, "row_id": "Qr0lOSaRQNmBOX6TsgOZIg", "remind_at": "2024-01-02T08:00:00+00:00", "done": true},
                {"id": 17, "row_id": "Bko1e60YT-egit2SljWSZA", "remind_at": "2030-06-20T09:00:00+02:00", "done": "no"}
            ]
        })))
        .mount(&server)
        .await;

    let err = base(&server)
        .list_reminders("Tasks")
        .await
        .expect_err("`done` must be a boolean");

    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.operation(), Some("listReminders"));
    assert_eq!(
        err.to_string(),
        "listReminders: response did not match the expected type at line 1 column 121 \
         (reminders[1].done): invalid type: string \"no\", expected a boolean"
    );
}

#[tokio::test]
async fn an_error_answer_carries_the_plugins_message() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(REMINDERS_PATH))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"error_message": "remind_at is in the past"})),
        )
        .mount(&server)
        .await;

    let err = base(&server)
        .create_reminder(
            "Tasks",
            "Bko1e60YT-egit2SljWSZA",
            "2001-01-01T00:00:00+00:00",
        )
        .await
        .expect_err("the plugin refuses the time");

    assert_eq!(err.status(), Some(400));
    assert_eq!(err.message(), Some("remind_at is in the past"));
    assert_eq!(
        err.to_string(),
        "createReminder: HTTP 400: remind_at is in the past"
    );
}

//! The fault server of `support` tested on its own, with bare `reqwest` (and once with our
//! client): each scripted fault does what it says, and between faults the server behaves
//! like a SeaTable base.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

mod support;

use support::fault_server::{
    Answered, Config, Fault, FaultServer, Refusal, Reply, Rule, API_TOKEN, BASE_UUID, CREATOR,
};

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

async fn get(server: &FaultServer, op: &str, query: &[(&str, &str)]) -> reqwest::Response {
    http()
        .get(server.gateway_url(op))
        .query(query)
        .header("authorization", bearer(&server.base_token()))
        .send()
        .await
        .unwrap()
}

async fn write(
    http: &reqwest::Client,
    server: &FaultServer,
    method: reqwest::Method,
    body: Value,
) -> Result<reqwest::Response, reqwest::Error> {
    http.request(method, server.gateway_url("rows/"))
        .header("authorization", bearer(&server.base_token()))
        .json(&body)
        .send()
        .await
}

async fn append(server: &FaultServer, names: &[&str]) -> Result<reqwest::Response, reqwest::Error> {
    let rows: Vec<Value> = names.iter().map(|n| json!({"Name": n})).collect();
    write(
        &http(),
        server,
        reqwest::Method::POST,
        json!({"table_name": "Table1", "rows": rows}),
    )
    .await
}

fn names(server: &FaultServer) -> Vec<Value> {
    server.rows().iter().map(|r| r["Name"].clone()).collect()
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().expect("an ASCII header"))
}

fn payload(jwt: &str) -> Value {
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWT has three parts: {jwt}");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(parts[1])
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The error and its sources, to assert what reqwest saw underneath.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[tokio::test]
async fn the_api_token_is_exchanged_for_a_jwt_with_exp() {
    let server = FaultServer::start_with(Config {
        token_lifetime: Duration::from_secs(3600),
        ..Config::default()
    })
    .await;
    let answer = http()
        .get(server.token_url())
        .header("authorization", format!("Token {API_TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let body: Value = answer.json().await.unwrap();
    let token = body["access_token"].as_str().unwrap().to_string();
    assert_eq!(
        body,
        json!({
            "app_name": "fault-server",
            "access_token": token,
            "dtable_uuid": BASE_UUID,
            "dtable_server": format!("{}/api-gateway/", server.url()),
            "dtable_name": "Faults",
            "workspace_id": 1,
            "use_api_gateway": true,
        })
    );
    let claims = payload(&token);
    let exp = claims["exp"].as_u64().unwrap();
    let now = unix_now();
    assert!(
        (now + 3598..=now + 3600).contains(&exp),
        "exp {exp} is an hour from {now}"
    );
    assert_eq!(claims["dtable_uuid"], BASE_UUID);
    assert_eq!(
        server.base_token(),
        token,
        "the new token is the current one"
    );
    assert_eq!(server.token_exchanges(), 1);

    // `exp` asks for another lifetime; `Bearer` works as well as `Token`.
    let short: Value = http()
        .get(server.token_url())
        .query(&[("exp", "5m")])
        .header("authorization", bearer(API_TOKEN))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let exp = payload(short["access_token"].as_str().unwrap())["exp"]
        .as_u64()
        .unwrap();
    assert!((now + 298..=now + 301).contains(&exp), "exp {exp}");
    assert_eq!(server.token_exchanges(), 2);
    // An earlier token stays valid until its own `exp`, as with SeaTable's JWTs.
    let metadata = http()
        .get(server.gateway_url("metadata/"))
        .header("authorization", bearer(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(metadata.status(), 200);

    let refused = http()
        .get(server.token_url())
        .header("authorization", "Token wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(
        refused.json::<Value>().await.unwrap(),
        json!({"detail": "Invalid token"})
    );
    assert_eq!(
        server.token_exchanges(),
        2,
        "a refused exchange is not counted"
    );
}

#[tokio::test]
async fn metadata_append_update_delete_and_the_end_state() {
    let server = FaultServer::start().await;
    let metadata: Value = get(&server, "metadata/", &[]).await.json().await.unwrap();
    let table = &metadata["metadata"]["tables"][0];
    assert_eq!(table["name"], "Table1");
    let columns: Vec<(&str, &str, &str)> = table["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["key"].as_str().unwrap(),
                c["name"].as_str().unwrap(),
                c["type"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        columns,
        [
            ("0000", "Name", "text"),
            ("a0", "Age", "number"),
            ("a1", "Done", "checkbox")
        ]
    );

    let added = write(
        &http(),
        &server,
        reqwest::Method::POST,
        json!({"table_name": "Table1", "rows": [
            {"Name": "Ann", "Age": 31, "Nickname": "dropped"},
            {"Name": "Bob", "Done": true},
        ]}),
    )
    .await
    .unwrap();
    assert_eq!(added.status(), 200);
    let added: Value = added.json().await.unwrap();
    assert_eq!(added["inserted_row_count"], 2);
    assert_eq!(
        added["row_ids"],
        json!([{"_id": "FaultRow00000000000001"}, {"_id": "FaultRow00000000000002"}])
    );
    let first = &added["first_row"];
    assert_eq!(first["_id"], "FaultRow00000000000001");
    assert_eq!(
        (&first["0000"], &first["a0"], &first["a1"]),
        (&json!("Ann"), &json!(31), &Value::Null),
        "first_row is keyed by column key, every column present"
    );
    assert_eq!(first["_creator"], CREATOR);

    let updated = write(
        &http(),
        &server,
        reqwest::Method::PUT,
        json!({"table_name": "Table1", "updates": [
            {"row_id": "FaultRow00000000000002", "row": {"Age": 40}},
            {"row_id": "FaultRow00000000000099", "row": {"Age": 1}},
        ]}),
    )
    .await
    .unwrap();
    assert_eq!(
        updated.json::<Value>().await.unwrap(),
        json!({"success": true})
    );
    let row = get(
        &server,
        "rows/FaultRow00000000000002/",
        &[("table_name", "Table1"), ("convert_keys", "true")],
    )
    .await;
    let row: Value = row.json().await.unwrap();
    assert_eq!(
        (&row["Name"], &row["Age"], &row["Done"]),
        (&json!("Bob"), &json!(40), &json!(true))
    );

    let deleted = write(
        &http(),
        &server,
        reqwest::Method::DELETE,
        json!({"table_name": "Table1", "row_ids": ["FaultRow00000000000001"]}),
    )
    .await
    .unwrap();
    assert_eq!(
        deleted.json::<Value>().await.unwrap(),
        json!({"success": true})
    );
    let rows = server.rows();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        Value::Object(rows[0].clone()),
        json!({"_id": "FaultRow00000000000002", "Name": "Bob", "Age": 40, "Done": true})
    );

    assert_eq!(
        server.request_lines(),
        [
            format!("GET {}metadata/", server.gateway_path()),
            format!("POST {}rows/", server.gateway_path()),
            format!("PUT {}rows/", server.gateway_path()),
            format!("GET {}rows/FaultRow00000000000002/", server.gateway_path()),
            format!("DELETE {}rows/", server.gateway_path()),
        ]
    );
    let post = &server.requests()[1];
    assert_eq!(post.header("content-type"), Some("application/json"));
    assert_eq!(post.json().unwrap()["rows"][0]["Nickname"], "dropped");
    assert!(post.processed);
    assert_eq!(post.answered, Answered::Status(200));

    let wrong_table = write(
        &http(),
        &server,
        reqwest::Method::POST,
        json!({"table_name": "Table2", "rows": []}),
    )
    .await
    .unwrap();
    assert_eq!(wrong_table.status(), 404);
    assert_eq!(
        wrong_table.json::<Value>().await.unwrap(),
        json!({"error_message": "table Table2 not found"})
    );
}

#[tokio::test]
async fn paging_returns_the_right_slices() {
    let server = FaultServer::start().await;
    let rows: Vec<Value> = (0..2500)
        .map(|i| json!({"Name": format!("r{i}"), "Age": i}))
        .collect();
    let ids = server.insert_rows(&rows);
    assert_eq!(ids.len(), 2500);

    let page = |start: &'static str, limit: Option<&'static str>| {
        let server = &server;
        async move {
            let mut query = vec![("table_name", "Table1"), ("start", start)];
            if let Some(limit) = limit {
                query.push(("limit", limit));
            }
            let answer = get(server, "rows/", &query).await;
            assert_eq!(answer.status(), 200);
            let body: Value = answer.json().await.unwrap();
            body["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["a0"].as_i64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        page("0", None).await,
        (0..1000).collect::<Vec<_>>(),
        "1000 by default"
    );
    assert_eq!(
        page("1000", Some("1000")).await,
        (1000..2000).collect::<Vec<_>>()
    );
    assert_eq!(
        page("2000", Some("1000")).await,
        (2000..2500).collect::<Vec<_>>()
    );
    assert_eq!(page("2500", Some("1000")).await, Vec::<i64>::new());
    assert_eq!(page("7", Some("3")).await, [7, 8, 9]);

    let one: Value = get(
        &server,
        "rows/",
        &[
            ("table_name", "Table1"),
            ("limit", "1"),
            ("convert_keys", "true"),
        ],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(one["rows"][0]["_id"], ids[0].as_str());
    assert_eq!(one["rows"][0]["Name"], "r0");
    assert_eq!(
        one["rows"][0]["Done"],
        Value::Null,
        "every column is present"
    );
    assert_eq!(one["rows"][0]["_locked"], Value::Null);

    for (limit, status) in [("1001", 400), ("0", 400), ("x", 400)] {
        let answer = get(
            &server,
            "rows/",
            &[("table_name", "Table1"), ("limit", limit)],
        )
        .await;
        assert_eq!(answer.status(), status, "limit={limit}");
        assert_eq!(
            answer.json::<Value>().await.unwrap(),
            json!({"error_message": "limit invalid"})
        );
    }
}

#[tokio::test]
async fn unknown_and_expired_tokens_are_refused() {
    let server = FaultServer::start().await;
    let with = |token: &str| {
        http()
            .get(server.gateway_url("metadata/"))
            .header("authorization", bearer(token))
            .send()
    };
    let unknown = with("nobody").await.unwrap();
    assert_eq!(unknown.status(), 401);
    assert_eq!(
        unknown.json::<Value>().await.unwrap(),
        json!({"detail": "Invalid token"})
    );
    let missing = http()
        .get(server.gateway_url("metadata/"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 401);
    assert_eq!(
        missing.json::<Value>().await.unwrap(),
        json!({"detail": "Authentication credentials were not provided."})
    );

    let old = server.base_token();
    assert_eq!(with(&old).await.unwrap().status(), 200);
    server.expire_token();
    let expired = with(&old).await.unwrap();
    assert_eq!(expired.status(), 403);
    assert_eq!(
        expired.json::<Value>().await.unwrap(),
        json!({"error_msg": "Token expired."})
    );
    let renewed = server.issue_token();
    assert_ne!(renewed, old);
    assert_eq!(with(&renewed).await.unwrap().status(), 200);
    assert_eq!(
        with(&old).await.unwrap().status(),
        403,
        "the old one stays expired"
    );

    // A token whose `exp` has passed is expired without any script.
    server.set_token_lifetime(Duration::from_secs(1));
    let short = server.issue_token();
    let exp = payload(&short)["exp"].as_u64().unwrap();
    assert_eq!(with(&short).await.unwrap().status(), 200);
    let wait = (UNIX_EPOCH + Duration::from_secs(exp))
        .duration_since(SystemTime::now())
        .unwrap_or_default();
    tokio::time::sleep(wait + Duration::from_millis(50)).await;
    assert_eq!(with(&short).await.unwrap().status(), 403);
}

#[tokio::test]
async fn the_expire_token_fault_hits_the_nth_request() {
    let server = FaultServer::start().await;
    server.push(Rule::new("GET", "/metadata/", Fault::ExpireToken).nth(2));
    let statuses = [
        get(&server, "metadata/", &[]).await.status(),
        get(&server, "metadata/", &[]).await.status(),
        get(&server, "metadata/", &[]).await.status(),
    ];
    assert_eq!(statuses, [200, 403, 403]);
    assert_eq!(server.pending_rules(), 0);
    let requests = server.requests();
    assert!(requests.iter().all(|r| r.processed));
    assert_eq!(
        requests.iter().map(|r| r.answered).collect::<Vec<_>>(),
        [
            Answered::Status(200),
            Answered::Status(403),
            Answered::Status(403)
        ]
    );
}

#[tokio::test]
async fn scripted_429_carries_exactly_its_headers_and_no_body() {
    let server = FaultServer::start().await;
    server.push(Rule::new(
        "POST",
        "/rows/",
        Fault::Answer(
            Reply::new(429)
                .header("Retry-After", 2)
                .header("x-ratelimit-reset", 1_900_000_000u64),
        ),
    ));
    server.push(Rule::new("POST", "/rows/", Fault::status(429)).nth(2));

    let first = append(&server, &["a"]).await.unwrap();
    assert_eq!(first.status(), 429);
    assert_eq!(header(&first, "retry-after"), Some("2"));
    assert_eq!(header(&first, "x-ratelimit-reset"), Some("1900000000"));
    assert_eq!(
        header(&first, "x-ratelimit-limit"),
        None,
        "only the scripted headers"
    );
    assert_eq!(first.bytes().await.unwrap().len(), 0);

    let second = append(&server, &["b"]).await.unwrap();
    assert_eq!(second.status(), 429);
    assert_eq!(header(&second, "retry-after"), None);
    assert_eq!(header(&second, "x-ratelimit-reset"), None);
    assert_eq!(header(&second, "content-length"), Some("0"));
    assert_eq!(second.bytes().await.unwrap().len(), 0);

    let third = append(&server, &["c"]).await.unwrap();
    assert_eq!(third.status(), 200);
    assert_eq!(
        names(&server),
        [json!("c")],
        "answered faults store nothing"
    );
    let requests = server.requests();
    assert_eq!(
        requests
            .iter()
            .map(|r| (r.processed, r.answered))
            .collect::<Vec<_>>(),
        [
            (false, Answered::Status(429)),
            (false, Answered::Status(429)),
            (true, Answered::Status(200))
        ]
    );
    assert_eq!(requests[1].json().unwrap()["rows"], json!([{"Name": "b"}]));
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_an_empty_body() {
    let server = FaultServer::start_with(Config {
        rate_limit: Some(3),
        ..Config::default()
    })
    .await;
    let before = unix_now();
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let answer = get(&server, "metadata/", &[]).await;
        assert_eq!(answer.status(), 200);
        assert_eq!(header(&answer, "x-ratelimit-limit"), Some("3"));
        remaining.push(
            header(&answer, "x-ratelimit-remaining")
                .unwrap()
                .to_string(),
        );
        let reset: u64 = header(&answer, "x-ratelimit-reset")
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            (before + 60..=unix_now() + 61).contains(&reset),
            "reset {reset} is a minute after the first request"
        );
    }
    assert_eq!(remaining, ["2", "1", "0"]);
    let limited = get(&server, "metadata/", &[]).await;
    assert_eq!(limited.status(), 429);
    assert_eq!(header(&limited, "x-ratelimit-remaining"), Some("0"));
    assert!(header(&limited, "x-ratelimit-reset").is_some());
    assert_eq!(header(&limited, "content-type"), None);
    assert_eq!(limited.bytes().await.unwrap().len(), 0);
    // Writes are limited too, and a limited write stores nothing.
    assert_eq!(append(&server, &["x"]).await.unwrap().status(), 429);
    assert!(server.rows().is_empty());

    server.set_rate_limit(None);
    let free = get(&server, "metadata/", &[]).await;
    assert_eq!(free.status(), 200);
    assert_eq!(header(&free, "x-ratelimit-limit"), None);
}

#[tokio::test]
async fn process_then_500_stores_the_rows() {
    let server = FaultServer::start().await;
    server.push(Rule::new(
        "POST",
        "/rows/",
        Fault::ProcessThenAnswer(
            Reply::new(500).json(&json!({"error_msg": "Internal Server Error"})),
        ),
    ));
    server.push(Rule::new("POST", "/rows/", Fault::process_then_status(502)).nth(2));
    let first = append(&server, &["a"]).await.unwrap();
    assert_eq!(first.status(), 500);
    assert_eq!(
        first.json::<Value>().await.unwrap(),
        json!({"error_msg": "Internal Server Error"})
    );
    let second = append(&server, &["b"]).await.unwrap();
    assert_eq!(second.status(), 502);
    assert_eq!(
        names(&server),
        [json!("a"), json!("b")],
        "both writes happened"
    );
    assert_eq!(
        server
            .requests()
            .iter()
            .map(|r| (r.processed, r.answered))
            .collect::<Vec<_>>(),
        [(true, Answered::Status(500)), (true, Answered::Status(502))]
    );
}

#[tokio::test]
async fn a_reset_is_an_error_and_stores_nothing() {
    let server = FaultServer::start().await;
    server.push(Rule::new("POST", "/rows/", Fault::Reset));
    let e = append(&server, &["a"]).await.unwrap_err();
    assert!(e.is_request() && !e.is_timeout() && !e.is_status(), "{e:?}");
    assert!(server.rows().is_empty());
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        (requests[0].processed, requests[0].answered),
        (false, Answered::Reset)
    );
    assert_eq!(requests[0].json().unwrap()["rows"], json!([{"Name": "a"}]));

    // The same write again goes through on a new connection.
    assert_eq!(append(&server, &["a"]).await.unwrap().status(), 200);
    assert_eq!(names(&server), [json!("a")]);
}

#[tokio::test]
async fn process_then_reset_stores_the_rows_and_is_an_error() {
    let server = FaultServer::start().await;
    server.push(Rule::new("POST", "/rows/", Fault::ProcessThenReset));
    let e = append(&server, &["a"]).await.unwrap_err();
    assert!(e.is_request() && !e.is_timeout(), "{e:?}");
    assert_eq!(names(&server), [json!("a")], "the write happened");
    let r = &server.requests()[0];
    assert_eq!((r.processed, r.answered), (true, Answered::Reset));
}

#[tokio::test]
async fn a_truncated_body_fails_while_reading_it() {
    let server = FaultServer::start().await;
    server.insert_rows(&[json!({"Name": "a"}), json!({"Name": "b"})]);
    server.push(Rule::new("GET", "/rows/", Fault::TruncateBody));
    let answer = get(&server, "rows/", &[("table_name", "Table1")]).await;
    assert_eq!(answer.status(), 200, "the head arrives whole");
    let full_length = answer.content_length().unwrap();
    assert!(full_length > 100);
    let e = answer.bytes().await.unwrap_err();
    assert!(e.is_body() || e.is_decode(), "{e:?}");
    assert_eq!(server.requests()[0].answered, Answered::Truncated(200));

    // Without the fault the same page arrives whole, and as long as announced.
    let answer = get(&server, "rows/", &[("table_name", "Table1")]).await;
    assert_eq!(answer.bytes().await.unwrap().len() as u64, full_length);
}

#[tokio::test]
async fn a_delay_trips_the_client_timeout() {
    let server = FaultServer::start().await;
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let body = json!({"table_name": "Table1", "rows": [{"Name": "late"}]});

    server.push(Rule::new(
        "POST",
        "/rows/",
        Fault::DelayThenProcess(Duration::from_millis(600)),
    ));
    let e = write(&impatient, &server, reqwest::Method::POST, body.clone())
        .await
        .unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
    assert!(server.rows().is_empty(), "not written yet");
    assert_eq!(server.in_flight(), 1);
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        names(&server),
        [json!("late")],
        "written after the delay all the same"
    );
    assert_eq!(server.in_flight(), 0);

    server.push(Rule::new(
        "POST",
        "/rows/",
        Fault::ProcessThenDelay(Duration::from_millis(600)),
    ));
    let e = write(&impatient, &server, reqwest::Method::POST, body)
        .await
        .unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
    assert_eq!(
        names(&server),
        [json!("late"), json!("late")],
        "written before the delay"
    );
    assert_eq!(server.requests()[1].answered, Answered::Pending);
}

#[tokio::test]
async fn refused_and_closed_connections() {
    let server = FaultServer::start().await;
    let client = http();
    let ping = |client: &reqwest::Client| {
        client
            .get(server.gateway_url("metadata/"))
            .header("authorization", bearer(&server.base_token()))
            .send()
    };
    assert_eq!(ping(&client).await.unwrap().status(), 200);

    server.refuse_connections(Duration::from_millis(400));
    // The kept-alive connection is closed too, so the pooled client must connect anew.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let e = ping(&client).await.unwrap_err();
    assert!(e.is_connect(), "{}", chain(&e));
    assert!(
        chain(&e).to_lowercase().contains("refused"),
        "{}",
        chain(&e)
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        ping(&client).await.unwrap().status(),
        200,
        "the port is open again"
    );

    server.close_connections(Duration::from_millis(400));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let e = ping(&client).await.unwrap_err();
    assert!(e.is_request() && !e.is_timeout(), "{}", chain(&e));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(ping(&client).await.unwrap().status(), 200);

    // As a scripted fault: the matching request is reset, and connections are refused.
    server.push(Rule::new(
        "GET",
        "/metadata/",
        Fault::RefuseConnections(Refusal::Refuse, Duration::from_millis(400)),
    ));
    let e = ping(&client).await.unwrap_err();
    assert!(!e.is_connect(), "this request was sent: {}", chain(&e));
    let e = ping(&client).await.unwrap_err();
    assert!(e.is_connect(), "{}", chain(&e));
    // The port opens again once the refusal is over; how soon the listener is bound
    // again depends on the kernel, so wait for it within a generous deadline.
    let refused_at = std::time::Instant::now();
    let answer = loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        match ping(&client).await {
            Ok(answer) => break answer,
            Err(e) if e.is_connect() && refused_at.elapsed() < Duration::from_secs(3) => {}
            Err(e) => panic!(
                "still refused after {:?}: {}",
                refused_at.elapsed(),
                chain(&e)
            ),
        }
    };
    assert_eq!(answer.status(), 200);
    let processed: Vec<bool> = server.requests().iter().map(|r| r.processed).collect();
    assert_eq!(processed, [true, true, true, false, true]);
}

#[tokio::test]
async fn keep_alive_holds_for_100_sequential_requests() {
    let server = FaultServer::start().await;
    let client = http();
    for i in 0..100 {
        let answer = client
            .get(server.gateway_url("rows/"))
            .query(&[("table_name", "Table1"), ("limit", "10")])
            .header("authorization", bearer(&server.base_token()))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "request {i}");
        assert_eq!(answer.json::<Value>().await.unwrap(), json!({"rows": []}));
    }
    assert_eq!(server.connections(), 1, "one connection for all of them");
    let requests = server.requests();
    assert_eq!(requests.len(), 100);
    assert!(requests.iter().all(|r| r.connection == 0));
    assert_eq!(requests[99].query("limit"), Some("10"));
}

#[tokio::test]
async fn rules_fire_on_the_nth_match_for_a_number_of_times() {
    let server = FaultServer::start().await;
    server.push(
        Rule::new("GET", "/metadata/", Fault::status(503))
            .nth(2)
            .times(2),
    );
    server.push(Rule::new("*", "", Fault::status(502)).nth(5));
    assert_eq!(server.pending_rules(), 2);
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(get(&server, "metadata/", &[]).await.status().as_u16());
    }
    assert_eq!(statuses, [200, 503, 503, 200, 502, 200]);
    assert_eq!(server.pending_rules(), 0);

    server.push(Rule::new("GET", "/metadata/", Fault::status(500)).always());
    assert_eq!(get(&server, "metadata/", &[]).await.status(), 500);
    assert_eq!(get(&server, "metadata/", &[]).await.status(), 500);
    assert_eq!(server.pending_rules(), 1);
    server.clear_rules();
    assert_eq!(get(&server, "metadata/", &[]).await.status(), 200);
}

#[tokio::test]
async fn concurrent_requests_are_counted() {
    let server = FaultServer::start().await;
    server.push(
        Rule::new(
            "GET",
            "/metadata/",
            Fault::ProcessThenDelay(Duration::from_millis(300)),
        )
        .always(),
    );
    let client = http();
    let requests: Vec<_> = (0..8)
        .map(|_| {
            tokio::spawn(
                client
                    .get(server.gateway_url("metadata/"))
                    .header("authorization", bearer(&server.base_token()))
                    .send(),
            )
        })
        .collect();
    for request in requests {
        assert_eq!(request.await.unwrap().unwrap().status(), 200);
    }
    assert_eq!(server.max_in_flight(), 8);
    assert_eq!(server.in_flight(), 0);
    assert_eq!(server.connections(), 8);
}

/// Writes `request` on a fresh connection and reads until the server closes it.
async fn raw(server: &FaultServer, request: &[u8]) -> String {
    let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection")
        .unwrap();
    String::from_utf8(answer).unwrap()
}

#[tokio::test]
async fn chunked_bodies_are_read_and_malformed_requests_get_400() {
    let server = FaultServer::start().await;
    let body = r#"{"table_name": "Table1", "rows": [{"Name": "chunky"}]}"#;
    let (a, b) = body.split_at(20);
    let request = format!(
        "POST {}rows/ HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\n\
         transfer-encoding: chunked\r\nconnection: close\r\n\r\n\
         {:x};ext=1\r\n{a}\r\n{:x}\r\n{b}\r\n0\r\ntrailer: t\r\n\r\n",
        server.gateway_path(),
        server.base_token(),
        a.len(),
        b.len(),
    );
    let answer = raw(&server, request.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.contains("connection: close\r\n"), "{answer}");
    assert_eq!(names(&server), [json!("chunky")]);
    assert_eq!(server.requests()[0].body, body.as_bytes());

    for (garbage, status) in [
        (&b"\x00\x01\x02 nonsense\r\n\r\n"[..], "400"),
        (b"GET / HTTP/1.1\r\nno colon here\r\n\r\n", "400"),
        (b"GET / HTTP/2.0\r\n\r\n", "505"),
        (b"POST / HTTP/1.1\r\ncontent-length: ten\r\n\r\n", "400"),
        (
            b"POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
            "400",
        ),
        (
            b"POST / HTTP/1.1\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\nab",
            "400",
        ),
        (b"GET \xff HTTP/1.1\r\n\r\n", "400"),
    ] {
        let answer = raw(&server, garbage).await;
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status} ")),
            "{:?} → {answer}",
            String::from_utf8_lossy(garbage)
        );
    }
    // A request cut off mid-head is simply dropped; the server keeps serving.
    let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    stream.write_all(b"GET / HT").await.unwrap();
    drop(stream);
    assert_eq!(get(&server, "metadata/", &[]).await.status(), 200);
    assert_eq!(
        server.requests().len(),
        2,
        "malformed requests are not recorded"
    );
}

#[tokio::test]
async fn our_client_reads_and_writes_through_the_server() {
    use seatable_api::{BaseClient, BaseToken, Client};
    let server = FaultServer::start().await;
    let client = Client::new(&server.url()).unwrap();
    let base = client.base_with_api_token(API_TOKEN).await.unwrap();
    assert_eq!(base.base_uuid(), BASE_UUID);
    assert_eq!(server.token_exchanges(), 1);
    let metadata = base.get_metadata().await.unwrap().metadata;
    assert_eq!(metadata.tables[0].name, "Table1");
    assert_eq!(metadata.tables[0].columns.len(), 3);
    let row = json!({"Name": "Ann", "Age": 31})
        .as_object()
        .unwrap()
        .clone();
    let added = base.append_rows("Table1", [row]).await.unwrap();
    assert_eq!(added.inserted_row_count, 1);
    let page = base.list_rows("Table1").limit(10).await.unwrap();
    assert_eq!(page.rows.len(), 1);
    assert_eq!(page.rows[0].id.as_deref(), Some("FaultRow00000000000001"));

    let direct = BaseClient::new(client, BASE_UUID, BaseToken::from(server.base_token()));
    assert_eq!(direct.list_rows("Table1").await.unwrap().rows.len(), 1);
    let gateway = server.gateway_path();
    assert_eq!(
        server.request_lines(),
        [
            "GET /api/v2.1/dtable/app-access-token/".to_string(),
            format!("GET {gateway}metadata/"),
            // The check of written rows loads the metadata for itself.
            format!("GET {gateway}metadata/"),
            format!("POST {gateway}rows/"),
            format!("GET {gateway}rows/"),
            format!("GET {gateway}rows/"),
        ]
    );
    let token = format!("Bearer {}", server.base_token());
    let authorizations: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap_or_default().to_string())
        .collect();
    let api = format!("Bearer {API_TOKEN}");
    assert_eq!(
        authorizations,
        [
            api,
            token.clone(),
            token.clone(),
            token.clone(),
            token.clone(),
            token
        ]
    );
}

//! Batching (`x-batch`) against a server on 127.0.0.1: inputs above the per-request
//! maximum are refused by a plain send, and split by `batched()` into chunks sent in
//! order, with a bounded number in flight; a failure reports exactly which input ranges
//! were committed, which failed and which were never sent.

mod support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use seatable_api::types::RowInput;
use seatable_api::{Applied, ErrorKind};
use serde_json::{json, Value};
use support::wiremock_base::{base_with_rows_metadata as base, received};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const ROWS: &str = "/api-gateway/api/v2/dtables/650d8a0d-7e27-46a8-8b18-6cc6f3db2057/rows/";
const LINKS: &str = "/api-gateway/api/v2/dtables/650d8a0d-7e27-46a8-8b18-6cc6f3db2057/links/";

fn body(request: &Request) -> Value {
    serde_json::from_slice(&request.body).unwrap()
}

/// Rows named "0", "1", … for the `Projects` table.
fn rows(n: usize) -> Vec<RowInput> {
    (0..n)
        .map(|i| {
            let mut row = RowInput::new();
            row.insert("Name".into(), json!(i.to_string()));
            row
        })
        .collect()
}

/// The `Name` of the first and last row of an append request, and how many it holds.
fn span(request: &Request) -> (String, String, usize) {
    let b = body(request);
    let rows = b["rows"].as_array().unwrap();
    let name = |r: &Value| r["Name"].as_str().unwrap().to_string();
    (name(&rows[0]), name(&rows[rows.len() - 1]), rows.len())
}

/// An append answer for the rows of `request`: ids `id-<name>`.
fn appended(request: &Request) -> ResponseTemplate {
    let b = body(request);
    let ids: Vec<Value> = b["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| json!({"_id": format!("id-{}", r["Name"].as_str().unwrap())}))
        .collect();
    ResponseTemplate::new(200)
        .set_body_json(json!({"inserted_row_count": ids.len(), "row_ids": ids}))
}

#[tokio::test]
async fn more_than_the_maximum_is_refused_by_a_plain_send_with_nothing_sent() {
    let server = MockServer::start().await;
    let client = base(&server).await;

    let e = client
        .append_rows("Projects", rows(1001))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert_eq!(e.applied(), Applied::No);
    assert_eq!(
        e.to_string(),
        "appendRows: `rows` holds 1001 items, more than the 1000 one request takes; nothing \
         was sent. Send it with `.batched()`, which splits it into requests of at most 1000"
    );
    let ids: Vec<String> = (0..10001).map(|i| format!("r{i}")).collect();
    let e = client.delete_rows("Projects", ids).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "deleteRows: `row_ids` holds 10001 items, more than the 10000 one request takes; \
         nothing was sent. Send it with `.batched()`, which splits it into requests of at \
         most 10000"
    );
    let map: BTreeMap<String, Vec<String>> = (0..1001)
        .map(|i| (format!("r{i}"), vec![format!("o{i}")]))
        .collect();
    let e = client
        .create_row_links("7V2M", "0000", "jCoR", map)
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "createRowLinks: `other_rows_ids_map` holds 1001 entries, more than the 1000 one \
         request takes; nothing was sent. Send it with `.batched()`, which splits it into \
         requests of at most 1000"
    );
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "refused before the row check, so not even the metadata was read"
    );
}

#[tokio::test]
async fn rows_go_out_in_chunks_of_1000_in_order() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(ROWS))
        .respond_with(appended)
        .expect(3)
        .mount(&server)
        .await;
    let answers = base(&server)
        .await
        .append_rows("Projects", rows(2500))
        .apply_default(true)
        .batched()
        .await
        .unwrap();
    let spans: Vec<(String, String, usize)> =
        received(&server, "POST").await.iter().map(span).collect();
    assert_eq!(
        spans,
        [
            ("0".into(), "999".into(), 1000),
            ("1000".into(), "1999".into(), 1000),
            ("2000".into(), "2499".into(), 500)
        ]
    );
    for request in received(&server, "POST").await {
        let b = body(&request);
        assert_eq!(
            (&b["table_name"], &b["apply_default"]),
            (&json!("Projects"), &json!(true))
        );
    }
    let counts: Vec<i64> = answers.iter().map(|a| a.inserted_row_count).collect();
    assert_eq!(
        counts,
        [1000, 1000, 500],
        "one answer per chunk, in input order"
    );
    assert_eq!(answers[2].row_ids[499].id, "id-2499");
}

#[tokio::test]
async fn a_bad_row_anywhere_stops_the_batch_before_the_first_chunk() {
    let server = MockServer::start().await;
    let mut input = rows(2500);
    input[2400].insert("No such column".into(), json!(1));
    let e = base(&server)
        .await
        .append_rows("Projects", input)
        .batched()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(
        e.batch().is_none(),
        "nothing was sent, so no ranges to report"
    );
    let message = e.to_string();
    assert!(
        message.starts_with(
            "appendRows: 1 problem(s) in the rows for table `Projects`, nothing was sent:\nrow 2400, column `No such column`: "
        ),
        "{message}"
    );
    assert!(received(&server, "POST").await.is_empty());
}

#[tokio::test]
async fn a_failed_chunk_reports_committed_failed_and_unsent_ranges() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(ROWS))
        .respond_with(|request: &Request| {
            if span(request).0 == "1000" {
                ResponseTemplate::new(500).set_body_json(json!({"error_message": "internal error"}))
            } else {
                appended(request)
            }
        })
        .mount(&server)
        .await;
    let e = base(&server)
        .await
        .append_rows("Projects", rows(2500))
        .batched()
        .await
        .unwrap_err();
    assert_eq!(
        received(&server, "POST").await.len(),
        2,
        "no chunk after the failure"
    );
    assert_eq!(e.status(), Some(500), "the failed chunk's error");
    assert_eq!(e.applied(), Applied::Yes, "rows 0..1000 are stored");
    let report = e.batch().expect("a batch report");
    assert_eq!(report.total(), 2500);
    assert_eq!(report.committed(), std::slice::from_ref(&(0..1000)));
    assert_eq!(report.failed().len(), 1);
    let failed = &report.failed()[0];
    assert_eq!(
        (failed.range.clone(), failed.applied, failed.status),
        (1000..2000, Applied::Maybe, Some(500))
    );
    assert_eq!(failed.message, "appendRows: HTTP 500: internal error");
    assert_eq!(report.not_sent(), std::slice::from_ref(&(2000..2500)));
    assert_eq!(
        e.to_string(),
        "appendRows: HTTP 500: internal error (batch of 2500 items of `rows`: committed \
         0..1000; failed 1000..2000 (may have been applied); not sent 2000..2500)"
    );
}

/// Arrival times of the requests a responder saw.
#[derive(Clone, Default)]
struct Arrivals(Arc<Mutex<Vec<Instant>>>);

impl Arrivals {
    fn note(&self) {
        self.0.lock().unwrap().push(Instant::now());
    }
    fn sorted(&self) -> Vec<Instant> {
        let mut times = self.0.lock().unwrap().clone();
        times.sort();
        times
    }
}

#[tokio::test]
async fn at_most_n_chunks_are_in_flight() {
    const DELAY: Duration = Duration::from_millis(300);
    let server = MockServer::start().await;
    let arrivals = Arrivals::default();
    let seen = arrivals.clone();
    Mock::given(method("DELETE"))
        .and(path(ROWS))
        .respond_with(move |request: &Request| {
            seen.note();
            let n = body(request)["row_ids"].as_array().unwrap().len();
            ResponseTemplate::new(200)
                .set_body_json(json!({"deleted_rows": n, "success": true}))
                .set_delay(DELAY)
        })
        .expect(5)
        .mount(&server)
        .await;
    let ids: Vec<String> = (0..45000).map(|i| format!("r{i}")).collect();
    let client = base(&server).await;
    let answers = client
        .delete_rows("Projects", ids)
        .batched()
        .concurrency(2)
        .await
        .unwrap();
    assert_eq!(answers.len(), 5);
    let sizes: Vec<usize> = received(&server, "DELETE")
        .await
        .iter()
        .map(|r| body(r)["row_ids"].as_array().unwrap().len())
        .collect();
    let mut sorted_sizes = sizes.clone();
    sorted_sizes.sort();
    assert_eq!(sorted_sizes, [5000, 10000, 10000, 10000, 10000]);

    // A request is in flight from its arrival until DELAY later: no three arrivals fall
    // within one DELAY (at most two in flight), and the first two overlap (two are used).
    let times = arrivals.sorted();
    assert_eq!(times.len(), 5);
    let tolerance = Duration::from_millis(50);
    for w in times.windows(3) {
        assert!(
            w[2] - w[0] + tolerance >= DELAY,
            "three requests within {:?}",
            w[2] - w[0]
        );
    }
    assert!(
        times[1] - times[0] < DELAY / 2,
        "two chunks went out together"
    );
}

#[tokio::test]
async fn chunks_in_flight_at_a_failure_finish_and_are_accounted() {
    let server = MockServer::start().await;
    // The first chunk fails at once (400: refused, not applied); the second, already in
    // flight, succeeds later; the rest are never sent.
    Mock::given(method("DELETE"))
        .and(path(ROWS))
        .respond_with(|request: &Request| {
            let ids = body(request)["row_ids"].clone();
            if ids[0] == "r0" {
                ResponseTemplate::new(400)
            } else {
                ResponseTemplate::new(200)
                    .set_body_json(json!({"deleted_rows": 10, "success": true}))
                    .set_delay(Duration::from_millis(200))
            }
        })
        .mount(&server)
        .await;
    let ids: Vec<String> = (0..35000).map(|i| format!("r{i}")).collect();
    let client = base(&server).await;
    let e = client
        .delete_rows("Projects", ids)
        .batched()
        .concurrency(2)
        .await
        .unwrap_err();
    assert_eq!(received(&server, "DELETE").await.len(), 2);
    let report = e.batch().unwrap();
    assert_eq!(report.committed(), std::slice::from_ref(&(10000..20000)));
    assert_eq!(report.failed()[0].range, 0..10000);
    assert_eq!(report.failed()[0].applied, Applied::No);
    assert_eq!(report.not_sent(), std::slice::from_ref(&(20000..35000)));
    assert_eq!(e.applied(), Applied::Yes, "a chunk was committed");
    assert_eq!(
        e.to_string(),
        "deleteRows: HTTP 400 (batch of 35000 items of `row_ids`: committed 10000..20000; \
         failed 0..10000 (not applied); not sent 20000..35000)"
    );
}

#[tokio::test]
async fn link_maps_are_chunked_by_entries() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(LINKS))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .expect(3)
        .mount(&server)
        .await;
    let map: BTreeMap<String, Vec<String>> = (0..2500)
        .map(|i| (format!("row{i:05}"), vec![format!("a{i}"), format!("b{i}")]))
        .collect();
    let answers = base(&server)
        .await
        .create_row_links("7V2M", "0000", "jCoR", map.clone())
        .batched()
        .await
        .unwrap();
    assert_eq!(answers.len(), 3);
    let mut seen = BTreeMap::new();
    let mut sizes = Vec::new();
    for request in received(&server, "POST").await {
        let b = body(&request);
        assert_eq!(
            (&b["link_id"], &b["table_id"], &b["other_table_id"]),
            (&json!("7V2M"), &json!("0000"), &json!("jCoR"))
        );
        let part: BTreeMap<String, Vec<String>> =
            serde_json::from_value(b["other_rows_ids_map"].clone()).unwrap();
        sizes.push(part.len());
        let first = part.keys().next().unwrap().clone();
        seen.insert(first, ());
        for (k, v) in part {
            assert_eq!(map[&k], v);
        }
    }
    assert_eq!(sizes, [1000, 1000, 500]);
    let firsts: Vec<&String> = seen.keys().collect();
    assert_eq!(firsts, ["row00000", "row01000", "row02000"], "in key order");
}

#[tokio::test]
async fn an_empty_batch_sends_nothing() {
    let server = MockServer::start().await;
    let answers = base(&server)
        .await
        .append_rows("Projects", Vec::<RowInput>::new())
        .batched()
        .await
        .unwrap();
    assert!(answers.is_empty());
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn progress_reports_each_committed_chunk_and_not_the_failed_one() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(ROWS))
        .respond_with(|request: &Request| {
            if span(request).0 == "2000" {
                ResponseTemplate::new(400).set_body_json(json!({"error_message": "bad row"}))
            } else {
                appended(request)
            }
        })
        .mount(&server)
        .await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let e = base(&server)
        .await
        .append_rows("Projects", rows(3500))
        .batched()
        .on_committed(move |range| log.lock().unwrap().push(range))
        .await
        .unwrap_err();
    assert_eq!(*seen.lock().unwrap(), [0..1000, 1000..2000]);
    let report = e.batch().expect("a batch report");
    assert_eq!(report.committed(), std::slice::from_ref(&(0..2000)));
    assert_eq!(report.not_sent(), std::slice::from_ref(&(3000..3500)));
}

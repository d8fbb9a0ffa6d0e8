//! The end state that matters: 20,000 rows imported in batches while the server fails in
//! every way it can (`support::fault_server`) are stored exactly once each. Failures the
//! client can repeat safely never reach the importer; the others come back as an error
//! whose batch report names the committed, failed and unsent input ranges, from which the
//! importer finishes the job without sending a stored row twice.

use std::collections::{BTreeSet, VecDeque};
use std::ops::Range;
use std::time::Duration;

use seatable_api::{Applied, BaseClient, Client, RetryPolicy};
use serde_json::{json, Map, Value};

mod support;

use support::fault_server::{Fault, FaultServer, Reply, Rule, API_TOKEN};

const ROWS: usize = 20_000;

fn name(i: usize) -> String {
    format!("row-{i:05}")
}

/// The names of the rows the base holds, read through the client (paged).
async fn stored_names(base: &BaseClient) -> Vec<String> {
    base.list_rows("Table1")
        .convert_keys(true)
        .all()
        .await
        .unwrap()
        .iter()
        .map(|row| row.extra["Name"].as_str().unwrap().to_string())
        .collect()
}

/// The report covers its input exactly once: committed, failed and unsent ranges are
/// disjoint and together make `0..len`.
fn assert_covers(ranges: &[Range<usize>], len: usize) {
    let mut sorted = ranges.to_vec();
    sorted.sort_by_key(|r| r.start);
    let mut next = 0;
    for r in &sorted {
        assert_eq!(r.start, next, "gap or overlap in {sorted:?}");
        next = r.end;
    }
    assert_eq!(next, len, "{sorted:?}");
}

#[tokio::test]
async fn importing_20000_rows_under_faults_stores_each_row_once() {
    let server = FaultServer::start().await;
    // The nth append request (retries included) meets a fault.
    let transparent = [
        (2, Fault::Answer(Reply::new(429).header("retry-after", "1"))),
        (4, Fault::status(429)),
        (6, Fault::status(503)),
        (9, Fault::ExpireToken),
    ];
    let unknown_outcome = [
        (13, Fault::ProcessThenReset),
        (18, Fault::status(502)),
        (23, Fault::process_then_status(500)),
    ];
    for (n, fault) in transparent.into_iter().chain(unknown_outcome) {
        server.push(Rule::new("POST", "/rows/", fault).nth(n));
    }
    let client = Client::builder(&server.url())
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(20))
                .max_backoff(Duration::from_millis(100)),
        )
        .build()
        .unwrap();
    let base = client.base_with_api_token(API_TOKEN).await.unwrap();

    let input: Vec<Map<String, Value>> = (0..ROWS)
        .map(|i| {
            json!({"Name": name(i), "Age": i})
                .as_object()
                .unwrap()
                .clone()
        })
        .collect();
    let mut todo: VecDeque<Range<usize>> = VecDeque::new();
    todo.push_back(0..ROWS);
    let mut errors = 0;
    while let Some(part) = todo.pop_front() {
        let rows = input[part.clone()].to_vec();
        let result = base
            .append_rows("Table1", rows)
            .batched()
            .concurrency(2)
            .send()
            .await;
        let e = match result {
            Ok(answers) => {
                let inserted: i64 = answers.iter().map(|a| a.inserted_row_count).sum();
                assert_eq!(inserted as usize, part.len());
                continue;
            }
            Err(e) => e,
        };
        errors += 1;
        let report = e.batch().expect("a failed batch names its ranges");
        let failed: Vec<Range<usize>> = report.failed().iter().map(|f| f.range.clone()).collect();
        let mut all = report.committed().to_vec();
        all.extend(failed.iter().cloned());
        all.extend(report.not_sent().iter().cloned());
        assert_covers(&all, part.len());
        assert!(
            report.failed().iter().all(|f| f.applied == Applied::Maybe),
            "only faults of unknown outcome reach the importer: {e}"
        );

        // What the report says is what the base holds.
        let stored: BTreeSet<String> = stored_names(&base).await.into_iter().collect();
        let shifted = |r: &Range<usize>| part.start + r.start..part.start + r.end;
        for r in report.committed() {
            assert!(
                shifted(r).all(|i| stored.contains(&name(i))),
                "committed {r:?}"
            );
        }
        for r in report.not_sent() {
            assert!(
                shifted(r).all(|i| !stored.contains(&name(i))),
                "not sent {r:?}"
            );
        }
        // An unknown outcome is looked up, not guessed: what is missing is sent again.
        for r in &failed {
            let missing: Vec<usize> = shifted(r).filter(|i| !stored.contains(&name(*i))).collect();
            assert!(
                missing.is_empty() || missing.len() == r.len(),
                "a chunk is stored whole or not at all"
            );
            if let (Some(first), Some(last)) = (missing.first(), missing.last()) {
                todo.push_back(*first..last + 1);
            }
        }
        for r in report.not_sent() {
            todo.push_back(shifted(r));
        }
    }
    assert_eq!(errors, 3, "one error per fault of unknown outcome");

    let names = stored_names(&base).await;
    assert_eq!(names.len(), ROWS, "exactly 20,000 rows");
    let distinct: BTreeSet<&String> = names.iter().collect();
    assert_eq!(distinct.len(), ROWS, "none twice");
    assert!((0..ROWS).all(|i| distinct.contains(&name(i))));
    assert_eq!(server.rows().len(), ROWS);
    assert_eq!(server.token_exchanges(), 2, "renewed once after the expiry");
    assert_eq!(server.pending_rules(), 0, "every scripted fault fired");
}

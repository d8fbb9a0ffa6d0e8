//! The end state that matters: 20,000 rows imported in batches while the server (the
//! `MockSeaTable` stand-in, with injected `Fault`s) fails in every way it can are stored
//! exactly once each. Failures the
//! client can repeat safely never reach the importer; the others come back as an error
//! whose batch report names the committed, failed and unsent input ranges, from which the
//! importer finishes the job without sending a stored row twice.
//!
//! The later tests do the same in ONE call: `batched().keep_going().unique_key(…)` and
//! `upsert_rows`, under each fault kind of issue 15, with the request count held to 1.2×
//! a fault-free run plus one lookup per chunk of unknown outcome; then keep-going outcome
//! by outcome on small inputs.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::ops::Range;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use seatable_api::{Applied, BaseClient, Client, RetryPolicy};
use serde_json::{json, Map, Value};

mod support;

use seatable_api::testing::{Delivery, Exchange, Fault, MockBase, MockSeaTable, Operation};
use support::stand_in::{faults_fired, max_in_flight, start_table1, token_exchanges};

/// The stand-in holding `Table1`, and what these tests read of it.
struct Server {
    mock: MockSeaTable,
    base: MockBase,
}

impl Server {
    async fn start() -> Server {
        let (mock, base) = start_table1(MockSeaTable::builder()).await;
        Server { mock, base }
    }

    fn url(&self) -> String {
        self.mock.url()
    }

    fn api_token(&self) -> &str {
        &self.base.api_token
    }

    fn inject(&self, fault: Fault) {
        self.mock.inject(fault);
    }

    /// The stored rows, cells keyed by column name, with `_id`.
    fn rows(&self) -> Vec<Value> {
        self.mock.rows(&self.base, "Table1").unwrap()
    }

    /// Stores rows without a request; their ids.
    fn insert_rows(&self, rows: &[Value]) -> Vec<String> {
        self.mock
            .add_rows(&self.base, "Table1", rows.to_vec())
            .unwrap()
    }

    /// `METHOD path` of every request logged.
    fn request_lines(&self) -> Vec<String> {
        self.mock
            .requests()
            .iter()
            .map(|e| format!("{} {}", e.method, e.path))
            .collect()
    }
}

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
    let server = Server::start().await;
    // The nth append request (retries included) meets a fault.
    let append = Operation::AppendRows;
    let transparent = [
        (
            2,
            Fault::status(append, 429).with_header("retry-after", "1"),
        ),
        (4, Fault::status(append, 429)),
        (6, Fault::status(append, 503)),
        (9, Fault::expire_tokens(append)),
    ];
    let unknown_outcome = [
        (13, Fault::reset(append).after_processing()),
        (18, Fault::status(append, 502)),
        (23, Fault::status(append, 500).after_processing()),
    ];
    for (n, fault) in transparent.into_iter().chain(unknown_outcome) {
        server.inject(fault.nth(n));
    }
    let client = Client::builder(&server.url())
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(20))
                .max_backoff(Duration::from_millis(100)),
        )
        .build()
        .unwrap();
    let base = client
        .base_with_api_token(server.api_token())
        .await
        .unwrap();

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
    assert_eq!(
        token_exchanges(&server.mock),
        2,
        "renewed once after the expiry"
    );
    assert_eq!(faults_fired(&server.mock), 7, "every injected fault fired");
}

// ---------------------------------------------------------------------------------------
// The same import in ONE call: `keep_going()` with `unique_key`, under each fault kind.
// ---------------------------------------------------------------------------------------

/// The client timeout of these imports, far above what a request takes even with the
/// imports running side by side; the timeout fault holds its answer twice as long.
const TIMEOUT: Duration = Duration::from_secs(3);

/// The append (or update) requests, counted from 1, that meet the fault.
const FAULTED: [usize; 2] = [3, 12];

/// A fault kind of issue 15, and whether the client is left not knowing what the server
/// did (then a chunk is looked up).
#[derive(Clone)]
struct Kind {
    name: &'static str,
    fault: fn(Operation) -> Fault,
    unknown: bool,
}

fn kinds() -> Vec<Kind> {
    let kind = |name, fault, unknown| Kind {
        name,
        fault,
        unknown,
    };
    vec![
        kind("reset before processing", Fault::reset, true),
        kind(
            "reset after processing",
            |op| Fault::reset(op).after_processing(),
            true,
        ),
        kind(
            "502 after storing",
            |op| Fault::status(op, 502).after_processing(),
            true,
        ),
        kind(
            "timeout after storing",
            |op| Fault::delay(op, TIMEOUT * 2).after_processing(),
            true,
        ),
        kind("truncated answer", Fault::truncated, true),
        kind("429", |op| Fault::status(op, 429), false),
        kind("token expiry", Fault::expire_tokens, false),
    ]
}

fn input_rows(age: impl Fn(usize) -> i64) -> Vec<Map<String, Value>> {
    (0..ROWS)
        .map(|i| {
            json!({"Name": name(i), "Age": age(i)})
                .as_object()
                .unwrap()
                .clone()
        })
        .collect()
}

async fn fault_client(server: &Server) -> BaseClient {
    Client::builder(&server.url())
        .timeout(TIMEOUT)
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(20))
                .max_backoff(Duration::from_millis(100)),
        )
        .build()
        .unwrap()
        .base_with_api_token(server.api_token())
        .await
        .unwrap()
}

/// What the progress callback saw: each range with its ids.
type Seen = Arc<Mutex<Vec<(Range<usize>, Vec<String>)>>>;

/// The ranges the callback got cover the input exactly once, and their ids are the
/// report's.
fn assert_progress(seen: &Seen, report: &seatable_api::BatchReport) {
    let seen = seen.lock().unwrap();
    let ranges: Vec<Range<usize>> = seen.iter().map(|(r, _)| r.clone()).collect();
    assert_covers(&ranges, ROWS);
    for (range, ids) in seen.iter() {
        assert_eq!(ids.len(), range.len());
        for (i, id) in range.clone().zip(ids) {
            assert_eq!(report.row_ids()[i].as_ref(), Some(id), "row {i}");
        }
    }
}

/// The base holds exactly one row per input row, with the cells the input gave, and the
/// report's ids are the stored rows' ids.
fn assert_stored_once(server: &Server, report: &seatable_api::BatchReport, label: &str) {
    let stored = server.rows();
    assert_eq!(stored.len(), ROWS, "{label}: exactly 20,000 rows");
    let by_name: HashMap<&str, &Value> = stored
        .iter()
        .map(|row| (row["Name"].as_str().unwrap(), row))
        .collect();
    assert_eq!(by_name.len(), ROWS, "{label}: no name twice");
    assert!(report.is_complete(), "{label}: {report}");
    assert_eq!(report.row_ids().len(), ROWS);
    for i in 0..ROWS {
        let row = by_name
            .get(name(i).as_str())
            .unwrap_or_else(|| panic!("{label}: row {i} missing"));
        assert_eq!(row["Age"], json!(i), "{label}: row {i}");
        assert_eq!(
            report.row_ids()[i].as_deref(),
            row["_id"].as_str(),
            "{label}: the id of row {i}"
        );
    }
}

/// Requests the server saw, and how many of them were key lookups: those answered whole.
/// A lookup the client gave up on (its timeout, when two cores run eight imports side
/// by side) and sent again is one lookup in the report and two requests in the log.
fn counts(server: &Server) -> (usize, usize) {
    let log = server.mock.requests();
    let sql = |e: &&Exchange| e.operation == Some(Operation::QuerySql);
    let lookups = log
        .iter()
        .filter(sql)
        .filter(|e| e.delivery == Delivery::Whole)
        .count();
    let given_up = log.iter().filter(sql).count() - lookups;
    if given_up > 0 {
        eprintln!("{given_up} lookup(s) given up on and sent again");
    }
    (log.len(), lookups)
}

/// One import of 20,000 rows in one call; returns the requests and lookups it cost.
async fn import_once(kind: Option<Kind>) -> (usize, usize) {
    let started = Instant::now();
    let server = Server::start().await;
    if let Some(kind) = &kind {
        for n in FAULTED {
            server.inject((kind.fault)(Operation::AppendRows).nth(n));
        }
    }
    let kind_given = kind.is_some();
    let label = kind.map_or("fault-free", |k| k.name);
    let base = fault_client(&server).await;
    let seen: Seen = Arc::default();
    let log = Arc::clone(&seen);
    let report = base
        .append_rows("Table1", input_rows(|i| i as i64))
        .batched()
        .keep_going()
        .unique_key("Name")
        .on_committed(move |range, ids| log.lock().unwrap().push((range, ids.to_vec())))
        .await
        .unwrap_or_else(|e| panic!("{label}: {e}"));
    assert_stored_once(&server, &report, label);
    assert_progress(&seen, &report);
    let expected = if kind_given { FAULTED.len() } else { 0 };
    assert_eq!(
        faults_fired(&server.mock),
        expected,
        "{label}: every fault fired"
    );
    let (requests, lookups) = counts(&server);
    assert_eq!(report.lookups(), lookups, "{label}");
    eprintln!("{label}: {:?}", started.elapsed());
    (requests, lookups)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_call_imports_20000_rows_exactly_once_under_each_fault_kind() {
    let started = Instant::now();
    let (baseline, none) = import_once(None).await;
    assert_eq!(none, 0);
    assert_eq!(baseline, 22, "token, metadata and 20 appends");
    let mut figures = vec![format!("fault-free: {baseline} requests")];
    // Side by side, each against its own server: the two cores are used, and the timeout
    // kind's waits overlap the others' work.
    let runs: Vec<_> = kinds()
        .into_iter()
        .map(|kind| tokio::spawn(import_once(Some(kind))))
        .collect();
    for (kind, run) in kinds().into_iter().zip(runs) {
        let (requests, lookups) = run.await.unwrap();
        let expected_lookups = if kind.unknown { FAULTED.len() } else { 0 };
        assert_eq!(
            lookups, expected_lookups,
            "{}: one lookup per unknown chunk",
            kind.name
        );
        assert!(
            (requests - lookups) as f64 <= 1.2 * baseline as f64,
            "{}: {requests} requests ({lookups} lookups) against {baseline} without faults",
            kind.name
        );
        figures.push(format!(
            "{}: {requests} requests, {lookups} lookups",
            kind.name
        ));
    }
    eprintln!(
        "20,000-row imports ({:?}):\n  {}",
        started.elapsed(),
        figures.join("\n  ")
    );
}

/// One upsert of 20,000 rows into a table already holding every second key; returns the
/// requests and lookups it cost.
async fn upsert_once(kind: Option<Kind>) -> (usize, usize) {
    let started = Instant::now();
    let server = Server::start().await;
    let existing: Vec<Value> = (0..ROWS)
        .step_by(2)
        .map(|i| json!({"Name": name(i), "Age": -1}))
        .collect();
    let existing_ids = server.insert_rows(&existing);
    if let Some(kind) = &kind {
        // Updates go first (10 of them): the 3rd write is an update, the 12th an
        // append. Faults count the requests of one operation, so these are the 3rd
        // update and the 2nd append.
        server.inject((kind.fault)(Operation::UpdateRows).nth(FAULTED[0]));
        server.inject((kind.fault)(Operation::AppendRows).nth(FAULTED[1] - 10));
    }
    let kind_given = kind.is_some();
    let label = kind.map_or("fault-free", |k| k.name);
    let base = fault_client(&server).await;
    let seen: Seen = Arc::default();
    let log = Arc::clone(&seen);
    let report = base
        .upsert_rows("Table1", "Name", input_rows(|i| i as i64))
        .on_committed(move |range, ids| log.lock().unwrap().push((range, ids.to_vec())))
        .await
        .unwrap_or_else(|e| panic!("{label}: {e}"));
    assert_stored_once(&server, &report, label);
    assert_progress(&seen, &report);
    for (k, id) in existing_ids.iter().enumerate() {
        assert_eq!(
            report.row_ids()[2 * k].as_ref(),
            Some(id),
            "{label}: row {} updated in place",
            2 * k
        );
    }
    let expected = if kind_given { FAULTED.len() } else { 0 };
    assert_eq!(
        faults_fired(&server.mock),
        expected,
        "{label}: every fault fired"
    );
    let (requests, lookups) = counts(&server);
    assert_eq!(report.lookups(), lookups, "{label}");
    eprintln!("{label}: {:?}", started.elapsed());
    (requests, lookups)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_call_upserts_20000_rows_exactly_once_under_each_fault_kind() {
    let started = Instant::now();
    let (baseline, first_lookups) = upsert_once(None).await;
    assert_eq!(first_lookups, 20, "one lookup per 1000 keys");
    assert_eq!(
        baseline, 42,
        "token, metadata, 20 lookups, 10 updates and 10 appends"
    );
    let mut figures = vec![format!("fault-free: {baseline} requests")];
    let runs: Vec<_> = kinds()
        .into_iter()
        .map(|kind| tokio::spawn(upsert_once(Some(kind))))
        .collect();
    for (kind, run) in kinds().into_iter().zip(runs) {
        let (requests, lookups) = run.await.unwrap();
        // An update of unknown outcome is sent again as it is; only the append (the 12th
        // write) is looked up.
        let extra = lookups - first_lookups;
        let expected = if kind.unknown { 1 } else { 0 };
        assert_eq!(extra, expected, "{}: lookups of unknown appends", kind.name);
        assert!(
            (requests - extra) as f64 <= 1.2 * baseline as f64,
            "{}: {requests} requests ({extra} extra lookups) against {baseline} without faults",
            kind.name
        );
        figures.push(format!(
            "{}: {requests} requests, {lookups} lookups",
            kind.name
        ));
    }
    eprintln!(
        "20,000-row upserts ({:?}):\n  {}",
        started.elapsed(),
        figures.join("\n  ")
    );
}

// ---------------------------------------------------------------------------------------
// Keep-going, outcome by outcome, on small inputs (4 chunks: 0..1000, …, 3000..3500).
// ---------------------------------------------------------------------------------------

const SMALL: usize = 3500;

fn small_rows() -> Vec<Map<String, Value>> {
    input_rows(|i| i as i64).into_iter().take(SMALL).collect()
}

fn appends(server: &Server) -> usize {
    server
        .request_lines()
        .iter()
        .filter(|l| l.starts_with("POST") && l.ends_with("/rows/"))
        .count()
}

/// The report's ids are the stored rows' ids wherever it has one.
fn assert_ids_stored(server: &Server, report: &seatable_api::BatchReport) {
    let stored: HashMap<String, String> = server
        .rows()
        .iter()
        .map(|r| {
            (
                r["Name"].as_str().unwrap().to_string(),
                r["_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (i, id) in report.row_ids().iter().enumerate() {
        if let Some(id) = id {
            assert_eq!(stored.get(&name(i)), Some(id), "row {i}");
        }
    }
}

async fn client_with(server: &Server, policy: RetryPolicy) -> BaseClient {
    Client::builder(&server.url())
        .retry_policy(policy)
        .build()
        .unwrap()
        .base_with_api_token(server.api_token())
        .await
        .unwrap()
}

#[tokio::test]
async fn keep_going_reports_a_refused_chunk_once_and_stores_the_others() {
    let server = Server::start().await;
    server.inject(
        Fault::status(Operation::AppendRows, 400)
            .with_json(json!({"error_message": "bad row"}))
            .nth(2),
    );
    let base = fault_client(&server).await;
    let e = base
        .append_rows("Table1", small_rows())
        .batched()
        .keep_going()
        .unique_key("Name")
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400));
    let report = e.batch().unwrap();
    assert_eq!(report.committed(), [0..1000, 2000..3500]);
    assert_eq!(report.failed().len(), 1);
    let failed = &report.failed()[0];
    assert_eq!(
        (failed.range.clone(), failed.applied, failed.status),
        (1000..2000, Applied::No, Some(400))
    );
    assert_eq!(failed.message, "appendRows: HTTP 400: bad row");
    assert!(report.not_sent().is_empty());
    assert_eq!(appends(&server), 4, "the refused chunk is not sent again");
    assert_eq!(server.rows().len(), 2500);
    assert!(report.row_ids()[1000..2000].iter().all(Option::is_none));
    assert!(report.row_ids()[2000..].iter().all(Option::is_some));
    assert_ids_stored(&server, report);
}

#[tokio::test]
async fn without_a_key_an_unknown_append_is_reported_as_maybe_and_the_rest_stored() {
    let server = Server::start().await;
    server.inject(
        Fault::status(Operation::AppendRows, 502)
            .after_processing()
            .nth(2),
    );
    let base = fault_client(&server).await;
    let e = base
        .append_rows("Table1", small_rows())
        .batched()
        .keep_going()
        .await
        .unwrap_err();
    let report = e.batch().unwrap();
    assert_eq!(report.committed(), [0..1000, 2000..3500]);
    let failed = &report.failed()[0];
    assert_eq!(
        (failed.range.clone(), failed.applied, failed.status),
        (1000..2000, Applied::Maybe, Some(502))
    );
    assert_eq!(e.applied(), Applied::Yes, "chunks were committed");
    assert_eq!(server.rows().len(), SMALL, "the 502 came after storing");
    assert_eq!(report.lookups(), 0);
    assert!(!server.request_lines().iter().any(|l| l.ends_with("/sql/")));
    assert_ids_stored(&server, report);
}

#[tokio::test]
async fn keys_repeated_in_the_input_are_refused_before_any_request() {
    let server = Server::start().await;
    let base = fault_client(&server).await;
    server.mock.clear_requests();
    let mut rows = small_rows();
    rows[2900].insert("Name".into(), json!(name(5)));
    rows[7].remove("Name");
    let e = base
        .append_rows("Table1", rows)
        .batched()
        .keep_going()
        .unique_key("Name")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), seatable_api::ErrorKind::InvalidArgument);
    assert_eq!(
        e.to_string(),
        "appendRows: 2 problem(s) with the key column `Name`, whose values must be present \
         and unique in the input; nothing was sent:\nrow 7 has no `Name` cell\nrows 5 and \
         2900 both have the key \"row-00005\""
    );
    assert!(e.batch().is_none());
    assert!(
        server.mock.requests().is_empty(),
        "{:?}",
        server.request_lines()
    );
}

#[tokio::test]
async fn a_key_held_twice_in_the_table_is_reported_and_not_sent_again() {
    let server = Server::start().await;
    server.insert_rows(&[json!({"Name": name(1500)}), json!({"Name": name(1500)})]);
    // The second chunk is never processed: its lookup finds only the two old rows.
    server.inject(Fault::reset(Operation::AppendRows).nth(2));
    let base = fault_client(&server).await;
    let e = base
        .append_rows("Table1", small_rows())
        .batched()
        .keep_going()
        .unique_key("Name")
        .await
        .unwrap_err();
    let report = e.batch().unwrap();
    assert_eq!(report.committed(), [0..1500, 1501..3500]);
    assert_eq!(report.failed().len(), 1);
    assert_eq!(report.failed()[0].range, 1500..1501);
    assert!(
        report.failed()[0]
            .message
            .contains("the key \"row-01500\" of row 1500 is held by 2 rows of `Table1`"),
        "{}",
        report.failed()[0].message
    );
    assert_eq!((report.lookups(), report.repeated()), (1, 1));
    assert_eq!(server.rows().len(), SMALL - 1 + 2, "999 rows sent again");
    assert_ids_stored(&server, report);
}

#[tokio::test]
async fn safe_failures_are_repeated_within_the_bound() {
    // No transport retries: every 503 reaches the batch.
    let server = Server::start().await;
    server.inject(Fault::status(Operation::AppendRows, 503).nth(2).times(3));
    let base = client_with(&server, RetryPolicy::none()).await;
    let report = base
        .append_rows("Table1", small_rows())
        .batched()
        .keep_going()
        .await
        .unwrap();
    assert!(report.is_complete());
    assert_eq!(report.repeated(), 3);
    assert_eq!(appends(&server), 7);
    assert_eq!(server.rows().len(), SMALL);

    let server = Server::start().await;
    server.inject(Fault::status(Operation::AppendRows, 503).nth(2).always());
    let base = client_with(&server, RetryPolicy::none()).await;
    let e = base
        .append_rows("Table1", small_rows())
        .batched()
        .keep_going()
        .max_repeats(1)
        .await
        .unwrap_err();
    let report = e.batch().unwrap();
    assert_eq!(report.committed(), std::slice::from_ref(&(0..1000)));
    let failed: Vec<(Range<usize>, Applied)> = report
        .failed()
        .iter()
        .map(|f| (f.range.clone(), f.applied))
        .collect();
    assert_eq!(
        failed,
        [
            (1000..2000, Applied::No),
            (2000..3000, Applied::No),
            (3000..3500, Applied::No)
        ]
    );
    assert_eq!(appends(&server), 1 + 3 * 2, "each failed chunk sent twice");
}

#[tokio::test]
async fn a_forbidden_chunk_stops_the_batch() {
    let server = Server::start().await;
    server.inject(
        Fault::status(Operation::AppendRows, 403)
            .with_json(json!({"error_msg": "You don't have permission."}))
            .nth(2),
    );
    let base = fault_client(&server).await;
    let e = base
        .append_rows("Table1", small_rows())
        .batched()
        .keep_going()
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(403));
    let report = e.batch().unwrap();
    assert_eq!(report.committed(), std::slice::from_ref(&(0..1000)));
    assert_eq!(report.failed()[0].range, 1000..2000);
    assert_eq!(
        report.not_sent(),
        std::slice::from_ref(&(2000..3500)),
        "each would meet the same 403"
    );
    assert_eq!(appends(&server), 2);
}

#[tokio::test]
async fn upsert_reports_a_key_held_twice_and_writes_the_others() {
    let server = Server::start().await;
    let old = server.insert_rows(&[
        json!({"Name": name(0), "Age": -1}),
        json!({"Name": name(0), "Age": -2}),
        json!({"Name": name(1), "Age": -1}),
    ]);
    let base = fault_client(&server).await;
    let rows = input_rows(|i| i as i64).into_iter().take(3);
    let e = base.upsert_rows("Table1", "Name", rows).await.unwrap_err();
    let report = e.batch().unwrap();
    assert_eq!(report.committed(), std::slice::from_ref(&(1..3)));
    assert_eq!(report.failed()[0].range, 0..1);
    assert_eq!(
        report.failed()[0].message,
        format!(
            "upsertRows: the key \"row-00000\" of row 0 is held by 2 rows of `Table1` ({}, {}): \
             `Name` is not unique in the table, so the row was not written",
            old[0], old[1]
        )
    );
    assert_eq!(
        report.row_ids()[1].as_ref(),
        Some(&old[2]),
        "updated in place"
    );
    let ages: Vec<(String, Value)> = server
        .rows()
        .iter()
        .map(|r| (r["Name"].as_str().unwrap().to_string(), r["Age"].clone()))
        .collect();
    assert_eq!(
        ages,
        [
            (name(0), json!(-1)),
            (name(0), json!(-2)),
            (name(1), json!(1)),
            (name(2), json!(2))
        ]
    );
}

#[tokio::test]
async fn updates_and_deletes_of_unknown_outcome_are_sent_again() {
    let server = Server::start().await;
    let ids = server.insert_rows(
        &(0..2500)
            .map(|i| json!({"Name": name(i)}))
            .collect::<Vec<_>>(),
    );
    // No transport retries: the batch itself repeats the PUT and the DELETE.
    server.inject(
        Fault::status(Operation::UpdateRows, 502)
            .after_processing()
            .nth(2),
    );
    server.inject(Fault::reset(Operation::DeleteRows).after_processing());
    let base = client_with(&server, RetryPolicy::none()).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let updates: Vec<Value> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| json!({"row_id": id, "row": {"Age": i}}))
        .collect();
    let updates: Vec<seatable_api::types::RowUpdate> =
        serde_json::from_value(Value::Array(updates)).unwrap();
    let report = base
        .update_rows("Table1", updates)
        .batched()
        .on_committed(move |range| log.lock().unwrap().push(range))
        .keep_going()
        .await
        .unwrap();
    assert_eq!((report.repeated(), report.lookups()), (1, 0));
    let ranges = seen.lock().unwrap().clone();
    assert_covers(&ranges, 2500);
    let wanted: Vec<Option<String>> = ids.iter().cloned().map(Some).collect();
    assert_eq!(report.row_ids(), wanted, "the ids updated");
    assert!(server
        .rows()
        .iter()
        .enumerate()
        .all(|(i, row)| row["Age"] == json!(i)));

    let report = base
        .delete_rows("Table1", ids[..2000].to_vec())
        .batched()
        .keep_going()
        .await
        .unwrap();
    assert_eq!(report.repeated(), 1);
    assert_eq!(server.rows().len(), 500);
}

#[tokio::test]
async fn two_chunks_in_flight_with_an_unknown_outcome_store_each_row_once() {
    let server = Server::start().await;
    server.inject(
        Fault::reset(Operation::AppendRows)
            .after_processing()
            .nth(3),
    );
    server.inject(Fault::reset(Operation::AppendRows).nth(5));
    let base = fault_client(&server).await;
    let rows: Vec<Map<String, Value>> = input_rows(|i| i as i64).into_iter().take(6500).collect();
    let report = base
        .append_rows("Table1", rows)
        .batched()
        .keep_going()
        .concurrency(2)
        .unique_key("Name")
        .await
        .unwrap();
    assert!(report.is_complete());
    let most = max_in_flight(&server.mock.requests());
    assert!(most <= 2, "{most}");
    assert_eq!((report.lookups(), report.repeated()), (2, 1));
    let names: BTreeSet<String> = server
        .rows()
        .iter()
        .map(|r| r["Name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!((names.len(), server.rows().len()), (6500, 6500));
    assert_ids_stored(&server, &report);
}

/// MockSeaTable parses SQL with a real parser (MySQL dialect): the lookup statement, with
/// backtick-quoted names holding spaces and its `IN (?, …)` parameters, runs there as
/// written.
#[tokio::test]
async fn against_mock_seatable_lookups_resolve_appends_and_upserts_write_by_key() {
    let mock = MockSeaTable::start().await.unwrap();
    let metadata = json!({"metadata": {"version": 1, "format_version": 9, "tables": [
        {"_id": "0000", "name": "My Table",
         "columns": [
            {"key": "0000", "name": "Full Name", "type": "text"},
            {"key": "Ag01", "name": "Age", "type": "number", "data": {"format": "number", "decimal": "dot", "thousands": "no"}}
         ],
         "views": [{"_id": "0000", "name": "Default View"}]}
    ]}});
    let info = mock.add_base("Team", metadata).unwrap();
    let base = mock
        .client()
        .base_with_api_token(info.api_token.as_str())
        .await
        .unwrap();
    mock.inject(
        Fault::status(Operation::AppendRows, 502)
            .after_processing()
            .nth(2),
    );
    let rows: Vec<Value> = (0..2500)
        .map(|i| json!({"Full Name": name(i), "Age": i}))
        .collect();
    let report = base
        .append_rows(
            "My Table",
            rows.iter().map(|r| r.as_object().unwrap().clone()),
        )
        .batched()
        .keep_going()
        .unique_key("Full Name")
        .await
        .unwrap();
    assert_eq!((report.lookups(), report.repeated()), (1, 0));
    let stored = mock.rows(&info, "My Table").unwrap();
    assert_eq!(stored.len(), 2500);
    for (i, row) in stored.iter().enumerate() {
        assert_eq!(row["Full Name"], json!(name(i)));
        assert_eq!(report.row_ids()[i].as_deref(), row["_id"].as_str());
    }

    let changes = [
        json!({"Full Name": name(7), "Age": 70}),
        json!({"Full Name": "new", "Age": 1}),
    ];
    let report = base
        .upsert_rows(
            "My Table",
            "Full Name",
            changes.iter().map(|r| r.as_object().unwrap().clone()),
        )
        .await
        .unwrap();
    assert_eq!(report.lookups(), 1);
    let stored = mock.rows(&info, "My Table").unwrap();
    assert_eq!(stored.len(), 2501);
    assert_eq!(stored[7]["Age"], json!(70));
    assert_eq!(report.row_ids()[0].as_deref(), stored[7]["_id"].as_str());
    assert_eq!(stored[2500]["Full Name"], json!("new"));
}

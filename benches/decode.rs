//! Decoding one 1000-row page that holds every column type, three ways:
//! (a) `serde_json::Value`, (b) the generic `types::RowList` (typed system fields, cells
//! as JSON), (c) the struct `seatable-codegen rows` generates for the table.
//!
//! `cargo bench --bench decode`. Targets, as speed over (a): (b) at least 1.5×, (c) at
//! least 3×. Criterion reports each way alone; the ratios are printed after it from
//! interleaved rounds (each round decodes the page `PER_ROUND` times each way, the way that
//! goes first rotating), so that a machine that speeds up or slows down during the run
//! moves all three alike.
//!
//! Instruction counts, which other work on the machine does not disturb:
//! `DECODE_PROFILE=value|rowlist|typed` decodes the page `PROFILE_DECODES` times that way
//! only and exits, inside a function made for `callgrind --toggle-collect`:
//!
//! ```text
//! DECODE_PROFILE=rowlist valgrind --tool=callgrind --toggle-collect='*profiled_decodes*' \
//!     --callgrind-out-file=rowlist.out target/release/deps/decode-<hash>
//! callgrind_annotate rowlist.out
//! ```
//!
//! The total then holds the decodes alone (page building and start-up excluded); divide it
//! by `PROFILE_DECODES` for one page.

#![recursion_limit = "256"]

use std::time::{Duration, Instant};

use criterion::{black_box, Criterion, Throughput};
use serde_json::{json, Value};

#[allow(dead_code, clippy::all)]
mod rows {
    include!("../codegen/tests/rows/generated.rs");
}

#[derive(serde::Deserialize)]
struct TypedPage {
    rows: Vec<rows::AllTypesRow>,
}

/// Decodes of the page per way in one interleaved round.
const PER_ROUND: usize = 10;
/// Decodes of the page in `DECODE_PROFILE` mode.
const PROFILE_DECODES: usize = 20;

/// One row of table `All Types` of `codegen/tests/rows/metadata.json`, in the shapes a
/// SeaTable server sends with `convert_keys`; `i` varies the values so no two rows match.
fn row(i: usize) -> Value {
    json!({
        "_id": format!("Qtf7xPmoRaiFyQPO1a{i:04}"),
        "_ctime": "2025-01-02T10:00:00.000+00:00",
        "_mtime": "2025-03-04T11:12:13.456+00:00",
        "_creator": "8f3a2b1c4d5e6f708192a3b4c5d6e7f8@auth.local",
        "_last_modifier": "8f3a2b1c4d5e6f708192a3b4c5d6e7f8@auth.local",
        "_archived": false,
        "_locked": null,
        "_locked_by": null,
        "text": format!("Row number {i}"),
        "long-text": "# Notes\nSeveral lines of **Markdown** text,\nwith a list:\n- one\n- two",
        "number": 1234.5 + i as f64,
        "collaborator": ["8f3a2b1c4d5e6f708192a3b4c5d6e7f8@auth.local"],
        "date": "2030-06-20T14:30:00+02:00",
        "duration": 5430 + i,
        "single-select": "Open",
        "multiple-select": ["red", "blue"],
        "image": ["/workspace/42/asset/650d8a0d-7e27-46a8-8b18-6cc6f3db2057/images/2025-01/photo.png"],
        "file": [{"name": "report.pdf", "size": 48213, "type": "file",
                  "url": "/workspace/42/asset/650d8a0d-7e27-46a8-8b18-6cc6f3db2057/files/2025-01/report.pdf"}],
        "checkbox": i % 2 == 0,
        "rate": (i % 5) as i64,
        "geolocation": {"lat": 50.1109, "lng": 8.6821},
        "formula": i % 3 == 0,
        "link": [{"row_id": "Qtf7xPmoRaiFyQPO1aENTj", "display_value": "Linked row"}],
        "link-formula": [1.5, 2.5],
        "button": null,
        "digital-sign": {"username": "8f3a2b1c4d5e6f708192a3b4c5d6e7f8@auth.local",
                         "sign_image_url": "/digital-signs/2025-01/sign.png",
                         "sign_time": "2025-01-05T09:00:00+00:00"},
        "auto-number": format!("row-{i:04}"),
        "creator": "8f3a2b1c4d5e6f708192a3b4c5d6e7f8@auth.local",
        "ctime": "2025-01-02T10:00:00.000+00:00",
        "last-modifier": "8f3a2b1c4d5e6f708192a3b4c5d6e7f8@auth.local",
        "mtime": "2025-03-04T11:12:13.456+00:00",
        "email": "someone@example.com",
        "url": "https://seatable.io",
        "department-single-select": 12,
        "Größe (cm)": 181.5,
        "2024 Budget": 25000,
        "type": "kind",
        "Self": "self",
        "名前": "名前の値",
        "E-Mail": "other@example.com",
        "e mail": "text",
        "Name": "Upper",
        "name": "lower",
        "id": "an id",
        "extra": "a column named extra",
        "with \"quotes\" and \\ backslash": "q",
        "a`b": "tick",
        "Mood": 4
    })
}

fn page() -> String {
    let rows: Vec<Value> = (0..1000).map(row).collect();
    json!({ "rows": rows }).to_string()
}

/// The three ways of decoding the page, in the order they are printed.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Way {
    Value,
    RowList,
    Typed,
}

const WAYS: [Way; 3] = [Way::Value, Way::RowList, Way::Typed];

impl Way {
    fn label(self) -> &'static str {
        match self {
            Way::Value => "a serde_json::Value",
            Way::RowList => "b types::RowList",
            Way::Typed => "c generated struct",
        }
    }

    /// Decodes `body` this way; the result is dropped inside, as in real use.
    fn decode(self, body: &str) {
        match self {
            Way::Value => {
                black_box(serde_json::from_str::<Value>(black_box(body)).unwrap());
            }
            Way::RowList => {
                black_box(
                    serde_json::from_str::<seatable_api::types::RowList>(black_box(body)).unwrap(),
                );
            }
            Way::Typed => {
                black_box(serde_json::from_str::<TypedPage>(black_box(body)).unwrap());
            }
        }
    }
}

/// Each way must read the whole page, or the comparison means nothing.
fn check_page(body: &str) {
    let generic: seatable_api::types::RowList = serde_json::from_str(body).expect("RowList");
    let typed: TypedPage = serde_json::from_str(body).expect("generated struct");
    assert_eq!((generic.rows.len(), typed.rows.len()), (1000, 1000));
    // A button holds no data, so it has no field; everything else must have one.
    let unmatched: Vec<&String> = typed.rows[0].extra.keys().collect();
    assert_eq!(unmatched, ["button"], "every data column has a field");
}

fn criterion_groups(c: &mut Criterion, body: &str) {
    let mut group = c.benchmark_group("decode 1000-row page");
    group.sample_size(30);
    group.measurement_time(Duration::from_secs(6));
    group.throughput(Throughput::Bytes(body.len() as u64));
    for way in WAYS {
        group.bench_function(way.label(), |b| b.iter(|| way.decode(body)));
    }
    group.finish();
}

/// CPU time of this thread so far, from Linux's `schedstat`; `None` elsewhere. On a
/// machine shared with other work it varies less than wall time.
fn thread_cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos = text.split_whitespace().next()?.parse::<u64>().ok()?;
    Some(Duration::from_nanos(nanos))
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

/// Interleaved rounds of all three ways; prints the median time per page of each and its
/// speed over `Value`, for wall time and for this thread's CPU time.
fn compare(body: &str, rounds: usize) {
    // wall[way][round], cpu[way][round]: milliseconds per page.
    let mut wall = vec![Vec::with_capacity(rounds); WAYS.len()];
    let mut cpu: Vec<Option<Vec<f64>>> = vec![Some(Vec::with_capacity(rounds)); WAYS.len()];
    for round in 0..rounds {
        for i in 0..WAYS.len() {
            // Rotate which goes first, so that none always runs on a warmer (or busier)
            // machine.
            let k = (i + round) % WAYS.len();
            let cpu_before = thread_cpu_time();
            let start = Instant::now();
            for _ in 0..PER_ROUND {
                WAYS[k].decode(body);
            }
            let elapsed = start.elapsed();
            let used = thread_cpu_time()
                .zip(cpu_before)
                .map(|(after, before)| after.saturating_sub(before));
            let per_page = |d: Duration| d.as_secs_f64() * 1e3 / PER_ROUND as f64;
            wall[k].push(per_page(elapsed));
            cpu[k] = cpu[k].take().zip(used).map(|(mut all, used)| {
                all.push(per_page(used));
                all
            });
        }
    }
    println!(
        "interleaved rounds, {rounds} x {PER_ROUND} decodes of the page per way; \
         median per page, and speed over serde_json::Value (targets: RowList >= 1.5, \
         generated struct >= 3):"
    );
    print_medians("wall", &wall);
    if let Some(cpu) = cpu.into_iter().collect::<Option<Vec<_>>>() {
        print_medians("cpu ", &cpu);
    }
}

fn print_medians(what: &str, per_way: &[Vec<f64>]) {
    let medians: Vec<f64> = per_way.iter().map(|times| median(times.clone())).collect();
    // The speed-up within each round, whose median shrugs off a round the machine was busy.
    let round_ratios = |k: usize| {
        let ratios = per_way[0].iter().zip(&per_way[k]).map(|(v, x)| v / x);
        median(ratios.collect())
    };
    let line: Vec<String> = WAYS
        .iter()
        .enumerate()
        .map(|(k, way)| {
            format!(
                "{} {:.2} ms ({:.2}x, per round {:.2}x)",
                way.label(),
                medians[k],
                medians[0] / medians[k],
                round_ratios(k)
            )
        })
        .collect();
    println!("  {what}: {}", line.join("; "));
}

/// The decodes `DECODE_PROFILE` measures: a function of its own, so that callgrind can
/// count inside it alone (`--toggle-collect`).
#[inline(never)]
fn profiled_decodes(way: Way, body: &str) {
    for _ in 0..PROFILE_DECODES {
        way.decode(body);
    }
}

fn main() {
    let body = page();
    check_page(&body);
    if let Ok(only) = std::env::var("DECODE_PROFILE") {
        let way = match only.as_str() {
            "value" => Way::Value,
            "rowlist" => Way::RowList,
            "typed" => Way::Typed,
            other => {
                eprintln!("DECODE_PROFILE is `value`, `rowlist` or `typed`, not `{other}`");
                std::process::exit(2);
            }
        };
        profiled_decodes(way, &body);
        return;
    }
    let mut criterion = Criterion::default().configure_from_args();
    criterion_groups(&mut criterion, &body);
    criterion.final_summary();
    // Only `cargo bench` passes `--bench`; `cargo test --benches` runs each benchmark once
    // to see that it works, and one round is enough here too. A profile
    // (`--profile-time`) wants only the benchmark it names.
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--profile-time") {
        let benching = args.iter().any(|a| a == "--bench");
        compare(&body, if benching { 30 } else { 1 });
    }
}

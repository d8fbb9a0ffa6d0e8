//! Decoding one 1000-row page that holds every column type, three ways:
//! (a) `serde_json::Value`, (b) the generic `types::RowList` (typed system fields, cells
//! as JSON), (c) the struct `seatable-codegen rows` generates for the table; and for
//! reference (p) parsing alone (`serde::de::IgnoredAny`, which builds nothing): no way of
//! decoding into owned values can be faster than that.
//!
//! `cargo bench --bench decode`. Targets, as speed over (a): (b) at least 1.5×, (c) at
//! least 3×. Criterion reports each way alone; the ratios are printed after it from
//! interleaved rounds (each round decodes the page `PER_ROUND` times each way, the way that
//! goes first rotating), so that a machine that speeds up or slows down during the run
//! moves all of them alike. `cargo bench --bench decode -- rounds-only` (a filter that no
//! criterion benchmark matches) prints only those.
//! Both in wall time and in this thread's CPU time: on a shared machine the CPU time is the
//! steadier, but a busy machine still flatters the ways that allocate least (a run beside
//! two compilers showed the generated struct at 2.9× where a quieter one shows 2.0×).
//!
//! Instruction counts, which other work on the machine does not disturb
//! (`scripts/decode-instructions` prints them for every way):
//! `DECODE_PROFILE=value|rowlist|typed|parse` decodes the page `PROFILE_DECODES` times that way
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
//!
//! Instructions per page, before and after the generated struct's text became
//! `CompactString` (two runs each, identical): `Value` 113.3 / 111.8 M, `RowList` 88.3 /
//! 88.0 M (1.28× / 1.27×), generated struct 54.6 / 48.0 M (2.08× / 2.33×), parse only
//! 19.1 M. Of the struct's 48 M, parsing (which no decode avoids) is 19 M and malloc and
//! free about 7.5 M, so allocations alone cannot bring it to 3×.
//!
//! Before and after `Row::extra` became a `RowCells` (column names shared between the
//! rows of a page, no sorted map), same binaries, two runs each, identical: `Value` 111.8
//! / 113.2 M, `RowList` 88.0 / 66.9 M (1.27× / 1.69×), generated struct 48.0 / 47.7 M
//! (2.33× / 2.37×), parse only 19.1 M. Wall time, interleaved rounds on a shared machine:
//! `RowList` 1.19× and 1.12× before, 1.63× and 1.63× after; the generated struct 2.4–2.7×
//! before and 2.5× after. What is left in the struct above parsing is the values
//! themselves: about 27 allocations a row (text over 24 bytes, the `Vec`s of list cells,
//! the `String`s of the file, link and signature cell types), float and date parsing, and
//! the key dispatch (about 80 instructions a key).

#![recursion_limit = "256"]

use std::time::{Duration, Instant};

use criterion::{black_box, Criterion, Throughput};
use serde::de::IgnoredAny;
use serde_json::Value;

#[path = "support/page.rs"]
mod page;

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

/// The ways of decoding the page, in the order they are printed.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Way {
    Value,
    RowList,
    Typed,
    ParseOnly,
}

/// `Value` first: the speeds printed are over it.
const WAYS: [Way; 4] = [Way::Value, Way::RowList, Way::Typed, Way::ParseOnly];

impl Way {
    fn label(self) -> &'static str {
        match self {
            Way::Value => "a serde_json::Value",
            Way::RowList => "b types::RowList",
            Way::Typed => "c generated struct",
            Way::ParseOnly => "p parse only",
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
            Way::ParseOnly => {
                black_box(serde_json::from_str::<IgnoredAny>(black_box(body)).unwrap());
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
    let unmatched: Vec<&str> = typed.rows[0].extra.keys().collect();
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
    let body = page::page();
    check_page(&body);
    if let Ok(only) = std::env::var("DECODE_PROFILE") {
        let way = match only.as_str() {
            "value" => Way::Value,
            "rowlist" => Way::RowList,
            "typed" => Way::Typed,
            "parse" => Way::ParseOnly,
            other => {
                eprintln!(
                    "DECODE_PROFILE is `value`, `rowlist`, `typed` or `parse`, not `{other}`"
                );
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

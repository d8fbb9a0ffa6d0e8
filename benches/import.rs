//! The import figure: 20,000 rows appended through the client with
//! `append_rows(..).batched()` (1000 rows per request) and read back in full with
//! `list_rows(..).stream()`, against `MockSeaTable`, in rows per second. The same job is
//! meant to be run by other SeaTable SDKs against the same server, so it is kept plain:
//!
//! - a fresh mock and base for every iteration (not timed), rate limit off, a `BaseClient`
//!   from the base's API-Token (the token exchange is not timed; the metadata read of the
//!   client's write checks is, as in any real import);
//! - one table `Contacts` with five columns: `Name` (text), `Amount` (number), `Active`
//!   (checkbox), `Joined` (date, `YYYY-MM-DD`) and `Status` (single-select, five options);
//! - timed: the append in chunks of 1000, one chunk in flight (`concurrency_1`) or four
//!   (`concurrency_4`), then the read-back of all rows (pages of 1000, keys converted to
//!   names) with the count and a checksum over every written cell compared with the input
//!   as SeaTable stores it (dates in ISO 8601), so that the work cannot be skipped and a
//!   wrong answer fails the bench.
//!
//! The mock runs on its own thread (`mock-seatable`) and the client on the bench's main
//! thread, so that on Linux the CPU time of each side can be told apart.
//!
//! `IMPORT_SERVER=process` runs the stand-in as its own process instead (the
//! `seatable-mock` binary, a fresh one per iteration), the way a client in another
//! language meets it; its CPU time is then the process's `utime + stime` from
//! `/proc/PID/stat`, and the client's is this whole process.
//!
//! `cargo bench --bench import`. Criterion reports each variant (import and read-back
//! together, 40,000 rows, as elements/s); after its summary a few more rounds are timed
//! and one line per variant gives `import: N rows/s, read-back: M rows/s`, and where the
//! mock's share of the CPU went. `cargo test --benches` runs each variant once, on 2,500
//! rows. `IMPORT_CHECK_WRITES=off` times the import without the client's checks of written
//! rows (`BaseClient::set_check_writes(false)`), which other SDKs do not make.

use std::time::{Duration, Instant};

use criterion::{black_box, Criterion, SamplingMode, Throughput};
use futures_util::StreamExt;
use seatable_api::testing::MockSeaTable;
use seatable_api::types::RowInput;
use seatable_api::BaseClient;
use serde_json::{json, Value};

/// Rows per run under `cargo bench`.
const BENCH_ROWS: usize = 20_000;
/// Rows per run under `cargo test --benches` (unoptimised): three chunks, the last short.
const TEST_ROWS: usize = 2_500;
const TABLE: &str = "Contacts";
const COLUMNS: [&str; 5] = ["Name", "Amount", "Active", "Joined", "Status"];
const STATUSES: [&str; 5] = ["Lead", "Prospect", "Customer", "Churned", "Partner"];
/// The name the mock's worker thread carries (`/proc/self/task/*/comm`).
const SERVER_THREAD: &str = "mock-seatable";

fn metadata() -> Value {
    let options: Vec<Value> = STATUSES
        .iter()
        .enumerate()
        .map(|(i, name)| json!({"id": format!("{:06}", 100_000 + i), "name": name, "color": "#46A1FD", "textColor": "#FFFFFF"}))
        .collect();
    json!({"tables": [{
        "_id": "0000", "name": TABLE,
        "columns": [
            {"key": "0000", "name": "Name", "type": "text"},
            {"key": "Am01", "name": "Amount", "type": "number",
             "data": {"format": "number", "decimal": "dot", "thousands": "no", "precision": 2, "enable_precision": true}},
            {"key": "Ac02", "name": "Active", "type": "checkbox"},
            {"key": "Jo03", "name": "Joined", "type": "date", "data": {"format": "YYYY-MM-DD"}},
            {"key": "St04", "name": "Status", "type": "single-select", "data": {"options": options}}
        ],
        "views": [{"_id": "0000", "name": "Default View"}]
    }]})
}

/// Row `i` of the input: every cell filled, values varying with `i`.
fn input_row(i: usize) -> RowInput {
    let mut row = RowInput::new();
    row.insert(
        "Name".into(),
        json!(format!("Customer {i:05} of the import benchmark")),
    );
    // A quarter step: exact in binary, so the value survives the round trip bit for bit.
    row.insert("Amount".into(), json!(i as f64 * 0.25 + 10.0));
    row.insert("Active".into(), json!(i % 3 != 0));
    row.insert(
        "Joined".into(),
        json!(format!(
            "{}-{:02}-{:02}",
            2015 + i % 10,
            1 + i % 12,
            1 + i % 28
        )),
    );
    row.insert("Status".into(), json!(STATUSES[i % STATUSES.len()]));
    row
}

/// An input row as SeaTable stores it, so as it reads back: a date as ISO 8601 at
/// midnight with the server's offset (the recorded answers show
/// `2031-12-31T00:00:00+01:00` for a `YYYY-MM-DD` column; the stand-in's zone is UTC
/// unless a test sets another). The other cells come back as written.
fn stored(row: &RowInput) -> RowInput {
    let mut row = row.clone();
    if let Some(Value::String(day)) = row.get("Joined") {
        let at = format!("{day}T00:00:00+00:00");
        row.insert("Joined".into(), json!(at));
    }
    row
}

/// FNV-1a over `bytes`, continuing from `hash`.
fn fnv(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

fn cell_digest(value: Option<&Value>) -> u64 {
    match value {
        None | Some(Value::Null) => 0,
        Some(Value::Bool(b)) => 1 + u64::from(*b),
        Some(Value::Number(n)) => n.as_f64().map_or(3, f64::to_bits),
        Some(Value::String(s)) => fnv(0xcbf2_9ce4_8422_2325, s.as_bytes()),
        Some(other) => fnv(0xcbf2_9ce4_8422_2325, other.to_string().as_bytes()),
    }
}

/// The cells of one row, found by column name with `cell`, folded in column order.
fn row_digest<'a>(cell: impl Fn(&str) -> Option<&'a Value>) -> u64 {
    COLUMNS.iter().fold(0xcbf2_9ce4_8422_2325, |hash, column| {
        fnv(hash, &cell_digest(cell(column)).to_le_bytes())
    })
}

/// The input and what reading it back must give.
struct Fixture {
    rows: Vec<RowInput>,
    checksum: u64,
}

impl Fixture {
    fn new(count: usize) -> Fixture {
        let rows: Vec<RowInput> = (0..count).map(input_row).collect();
        let checksum = rows.iter().fold(0u64, |sum, row| {
            let row = stored(row);
            sum.wrapping_add(row_digest(|column| row.get(column)))
        });
        Fixture { rows, checksum }
    }
}

/// The two runtimes: the mock's (one named worker thread) and the client's (this thread).
struct Bench {
    server: tokio::runtime::Runtime,
    client: tokio::runtime::Runtime,
    fixture: Fixture,
    /// The client's checks of written rows (on by default, as for any user).
    check_writes: bool,
    /// The stand-in as its own process (`IMPORT_SERVER=process`).
    process: bool,
}

/// A fresh server with an empty base, and a client for it.
struct Round {
    // Field order is drop order: the client's connections close before the server stops.
    base: BaseClient,
    /// Dropping it stops the server.
    server: Server,
}

/// The stand-in of one round: in this process, or the `seatable-mock` binary.
enum Server {
    InProcess(#[allow(dead_code)] MockSeaTable),
    Process(std::process::Child),
}

impl Server {
    fn pid(&self) -> Option<u32> {
        match self {
            Server::InProcess(_) => None,
            Server::Process(child) => Some(child.id()),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Server::Process(child) = self {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `seatable-mock` with the benchmark's base on a free port, rate limit off: the
/// process, its URL and the base's API-Token.
fn spawn_binary() -> (std::process::Child, String, String) {
    use std::io::BufRead;
    let file = std::env::temp_dir().join(format!("import-bench-base-{}.json", std::process::id()));
    std::fs::write(&file, metadata().to_string()).expect("the base file");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_seatable-mock"))
        .args(["--port", "0", "--rate-limit", "0", "--base"])
        .arg(format!("Import={}", file.display()))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("seatable-mock starts");
    let mut lines = std::io::BufReader::new(child.stdout.take().expect("its stdout")).lines();
    let mut line = || lines.next().and_then(Result::ok).unwrap_or_default();
    let url = line().trim_start_matches("listening ").to_string();
    let base = line();
    let api_token = base.split(' ').nth(3).unwrap_or_default().to_string();
    (child, url, api_token)
}

/// User plus system CPU time of process `pid` so far (`/proc/PID/stat`, in clock ticks of
/// 1/100 s, Linux's USER_HZ).
fn process_cpu(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces; count after it.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}

/// The timings of one import and read-back, with the CPU time the server spent in each
/// (Linux only).
#[derive(Clone, Copy)]
struct Timing {
    import: Duration,
    read_back: Duration,
    import_server_cpu: Option<Duration>,
    read_back_server_cpu: Option<Duration>,
    import_total_cpu: Option<Duration>,
    read_back_total_cpu: Option<Duration>,
}

impl Timing {
    const ZERO: Timing = Timing {
        import: Duration::ZERO,
        read_back: Duration::ZERO,
        import_server_cpu: Some(Duration::ZERO),
        read_back_server_cpu: Some(Duration::ZERO),
        import_total_cpu: Some(Duration::ZERO),
        read_back_total_cpu: Some(Duration::ZERO),
    };

    /// The sum of two timings; a CPU time is known only when both are.
    fn plus(&self, other: &Timing) -> Timing {
        let add = |a: Option<Duration>, b: Option<Duration>| Some(a? + b?);
        Timing {
            import: self.import + other.import,
            read_back: self.read_back + other.read_back,
            import_server_cpu: add(self.import_server_cpu, other.import_server_cpu),
            read_back_server_cpu: add(self.read_back_server_cpu, other.read_back_server_cpu),
            import_total_cpu: add(self.import_total_cpu, other.import_total_cpu),
            read_back_total_cpu: add(self.read_back_total_cpu, other.read_back_total_cpu),
        }
    }
}

impl Bench {
    fn new(rows: usize, check_writes: bool, process: bool) -> Bench {
        let server = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name(SERVER_THREAD)
            .enable_all()
            .build()
            .expect("the server runtime");
        let client = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("the client runtime");
        Bench {
            server,
            client,
            fixture: Fixture::new(rows),
            check_writes,
            process,
        }
    }

    fn rows(&self) -> usize {
        self.fixture.rows.len()
    }

    /// Not timed: a new mock (so that no earlier rows are held), its base and a client.
    fn fresh(&self) -> Round {
        let (server, client, api_token) = if self.process {
            let (child, url, api_token) = spawn_binary();
            let client = seatable_api::Client::new(&url).expect("the client");
            (Server::Process(child), client, api_token)
        } else {
            let mock = self
                .server
                .block_on(MockSeaTable::start())
                .expect("the mock starts");
            mock.set_rate_limit(None);
            let base = mock
                .add_base("Import benchmark", metadata())
                .expect("the base");
            let client = mock.client();
            (Server::InProcess(mock), client, base.api_token)
        };
        let base = self
            .client
            .block_on(client.base_with_api_token(api_token.as_str()))
            .expect("the Base-Token");
        base.set_check_writes(self.check_writes);
        Round { base, server }
    }

    /// One import and read-back on a fresh base, timed; panics on any wrong answer.
    fn run(&self, concurrency: usize) -> Timing {
        let round = self.fresh();
        let rows = self.fixture.rows.clone();
        let expected = self.rows();

        let pid = round.server.pid();
        let cpu = Cpu::now(pid);
        let start = Instant::now();
        let answers = self
            .client
            .block_on(
                round
                    .base
                    .append_rows(TABLE, rows)
                    .batched()
                    .concurrency(concurrency)
                    .send(),
            )
            .expect("the import");
        let import = start.elapsed();
        let after_import = Cpu::now(pid);
        let inserted: usize = answers.iter().map(|a| a.row_ids.len()).sum();
        assert_eq!(inserted, expected, "row ids answered by the import");
        assert_eq!(answers.len(), expected.div_ceil(1000), "append requests");

        let start = Instant::now();
        let (count, checksum) = self.client.block_on(read_back(&round.base));
        let read_back = start.elapsed();
        let after_read = Cpu::now(pid);
        assert_eq!(count, expected, "rows read back");
        assert_eq!(
            checksum, self.fixture.checksum,
            "checksum of the cells read back (the rows differ from the input)"
        );
        drop(black_box(round));

        Timing {
            import,
            read_back,
            import_server_cpu: after_import.server_since(&cpu),
            read_back_server_cpu: after_read.server_since(&after_import),
            import_total_cpu: after_import.total_since(&cpu),
            read_back_total_cpu: after_read.total_since(&after_import),
        }
    }
}

/// Every row of the table through the paging stream: the count and the checksum.
async fn read_back(base: &BaseClient) -> (usize, u64) {
    let mut rows = base.list_rows(TABLE).convert_keys(true).stream();
    let (mut count, mut checksum) = (0usize, 0u64);
    while let Some(row) = rows.next().await {
        let row = row.expect("a row read back");
        assert!(row.id.is_some(), "row {count} read back without an `_id`");
        checksum = checksum.wrapping_add(row_digest(|column| row.extra.get(column)));
        count += 1;
    }
    (count, checksum)
}

/// CPU time used so far by the server's threads and by the whole process, from Linux's
/// `/proc/self/task/*/{comm,schedstat}`; `None` elsewhere.
struct Cpu {
    server: Option<Duration>,
    total: Option<Duration>,
}

impl Cpu {
    /// With `server_pid`, the server is that process and `total` adds its time to this
    /// process's.
    fn now(server_pid: Option<u32>) -> Cpu {
        if let Some(pid) = server_pid {
            let own = Cpu::now(None).total;
            let server = process_cpu(pid);
            return Cpu {
                server,
                total: own.zip(server).map(|(own, server)| own + server),
            };
        }
        let mut server = Duration::ZERO;
        let mut total = Duration::ZERO;
        let ok = (|| {
            for task in std::fs::read_dir("/proc/self/task").ok()? {
                let dir = task.ok()?.path();
                let Ok(stat) = std::fs::read_to_string(dir.join("schedstat")) else {
                    continue; // the thread ended in between
                };
                let used = Duration::from_nanos(stat.split_whitespace().next()?.parse().ok()?);
                let name = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
                if name.trim_end() == SERVER_THREAD {
                    server += used;
                }
                total += used;
            }
            Some(())
        })();
        match ok {
            Some(()) => Cpu {
                server: Some(server),
                total: Some(total),
            },
            None => Cpu {
                server: None,
                total: None,
            },
        }
    }

    fn server_since(&self, before: &Cpu) -> Option<Duration> {
        Some(self.server?.saturating_sub(before.server?))
    }

    fn total_since(&self, before: &Cpu) -> Option<Duration> {
        Some(self.total?.saturating_sub(before.total?))
    }
}

fn bench(c: &mut Criterion, bench: &Bench) {
    let mut group = c.benchmark_group(format!("import_{}_rows", bench.rows()));
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(2 * bench.rows() as u64));
    for concurrency in [1, 4] {
        group.bench_function(format!("concurrency_{concurrency}"), |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        let t = bench.run(concurrency);
                        t.import + t.read_back
                    })
                    .sum()
            })
        });
    }
    group.finish();
}

/// `rounds` more runs of each variant, alternating, and one line per variant.
fn report(bench: &Bench, rounds: usize) {
    let variants = [1, 4];
    let mut sums = [Timing::ZERO; 2];
    for round in 0..rounds {
        for i in 0..variants.len() {
            // Rotate which goes first, so that neither always runs on a warmer machine.
            let k = (i + round) % variants.len();
            let t = bench.run(variants[k]);
            sums[k] = sums[k].plus(&t);
        }
    }
    let rows = (bench.rows() * rounds) as f64;
    let ms = |d: Duration| d.as_secs_f64() * 1e3 / rounds as f64;
    println!(
        "{rounds} more round(s) of {} rows per variant, client write checks {}, stand-in {}:",
        bench.rows(),
        if bench.check_writes { "on" } else { "off" },
        if bench.process {
            "a seatable-mock process"
        } else {
            "in process"
        }
    );
    for (concurrency, sum) in variants.iter().zip(sums) {
        println!(
            "concurrency {concurrency}: import: {:.0} rows/s, read-back: {:.0} rows/s",
            rows / sum.import.as_secs_f64(),
            rows / sum.read_back.as_secs_f64(),
        );
        if let (Some(is), Some(it), Some(rs), Some(rt)) = (
            sum.import_server_cpu,
            sum.import_total_cpu,
            sum.read_back_server_cpu,
            sum.read_back_total_cpu,
        ) {
            let share = |server: Duration, total: Duration| {
                100.0 * server.as_secs_f64() / total.as_secs_f64().max(f64::MIN_POSITIVE)
            };
            println!(
                "  per run: import {:.0} ms wall, cpu {:.0} ms server + {:.0} ms client; \
                 read-back {:.0} ms wall, cpu {:.0} ms server + {:.0} ms client; \
                 server share of the cpu: import {:.0}%, read-back {:.0}%, both {:.0}%",
                ms(sum.import),
                ms(is),
                ms(it.saturating_sub(is)),
                ms(sum.read_back),
                ms(rs),
                ms(rt.saturating_sub(rs)),
                share(is, it),
                share(rs, rt),
                share(is + rs, it + rt),
            );
        }
    }
}

fn main() {
    // Only `cargo bench` passes `--bench`; `cargo test --benches` runs each benchmark once
    // (unoptimised), so it gets a smaller table and a single extra round.
    let args: Vec<String> = std::env::args().collect();
    let benching = args.iter().any(|a| a == "--bench");
    let check_writes = std::env::var("IMPORT_CHECK_WRITES").as_deref() != Ok("off");
    let process = std::env::var("IMPORT_SERVER").as_deref() == Ok("process");
    let bench = Bench::new(
        if benching { BENCH_ROWS } else { TEST_ROWS },
        check_writes,
        process,
    );
    let mut criterion = Criterion::default().configure_from_args();
    self::bench(&mut criterion, &bench);
    criterion.final_summary();
    if !args.iter().any(|a| a == "--profile-time") {
        report(&bench, if benching { 3 } else { 1 });
    }
}

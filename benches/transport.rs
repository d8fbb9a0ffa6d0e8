//! What our transport costs over bare `reqwest`: the same 1000 list-rows requests
//! (`GET …/rows/?table_name=Table1&limit=10`, same headers, the answer decoded into the same
//! `types::RowList`) against a minimal keep-alive server on 127.0.0.1, through
//! (1) `BaseClient::list_rows("Table1").limit(10).send()` and (2) bare `reqwest`.
//!
//! `cargo bench --bench transport`. Target: ours / bare ≤ 1.05. The server answers one
//! fixed page from a blocking thread and does nothing else, so that client work dominates.
//! After criterion's own report, both are timed once more in alternating rounds (so that
//! drift of a shared machine hits both alike) and the ratio is printed.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use criterion::{black_box, Criterion, SamplingMode};
use reqwest::header::AUTHORIZATION;
use seatable_api::types::RowList;
use seatable_api::{BaseClient, BaseToken, Client};

const REQUESTS: usize = 1000;
const BASE_UUID: &str = "650d8a0d-7e27-46a8-8b18-6cc6f3db2057";

/// One page of ten rows as a SeaTable server sends it (keys, not names).
fn page() -> String {
    let rows: Vec<serde_json::Value> = (0..10)
        .map(|i| {
            serde_json::json!({
                "_id": format!("Qtf7xPmoRaiFyQPO1a{i:04}"),
                "_ctime": "2025-01-02T10:00:00.000+00:00",
                "_mtime": "2025-03-04T11:12:13.456+00:00",
                "_creator": "8f3a2b1c4d5e6f708192a3b4c5d6e7f8@auth.local",
                "_last_modifier": "8f3a2b1c4d5e6f708192a3b4c5d6e7f8@auth.local",
                "_archived": false,
                "_locked": null,
                "_locked_by": null,
                "0000": format!("Row {i}"),
                "a0": 30 + i,
                "a1": i % 2 == 0,
            })
        })
        .collect();
    serde_json::json!({ "rows": rows }).to_string()
}

/// Answers every request head on `stream` with `answer`, until the peer closes.
fn serve(mut stream: TcpStream, answer: &[u8]) {
    let _ = stream.set_nodelay(true);
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            // The benchmark sends only GETs, which have no body.
            buf.drain(..end + 4);
            if stream.write_all(answer).is_err() {
                return;
            }
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Starts the server; returns its URL.
fn start_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a port on 127.0.0.1");
    let url = format!(
        "http://{}",
        listener.local_addr().expect("the bound address")
    );
    let body = page();
    let answer: &'static [u8] = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         x-ratelimit-limit: 500\r\nx-ratelimit-remaining: 499\r\nx-ratelimit-reset: 1900000000\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
    .leak();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || serve(stream, answer));
        }
    });
    url
}

/// A Base-Token shaped like SeaTable's (a JWT valid for three days), so that no refresh
/// logic of the client has reason to act.
fn base_token() -> String {
    let enc = |s: String| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let exp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
        + 3 * 24 * 3600;
    format!(
        "{}.{}.{}",
        enc(r#"{"alg":"HS256","typ":"JWT"}"#.to_string()),
        enc(format!(
            r#"{{"exp":{exp},"dtable_uuid":"{BASE_UUID}","username":"","permission":"rw","app_name":"bench"}}"#
        )),
        enc("signature".to_string()),
    )
}

struct Contenders {
    runtime: tokio::runtime::Runtime,
    base: BaseClient,
    bare: reqwest::Client,
    rows_url: String,
    authorization: String,
}

impl Contenders {
    fn new() -> Contenders {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let url = start_server();
        let token = base_token();
        let client = Client::new(&url).expect("the client");
        let base = BaseClient::new(client, BASE_UUID, BaseToken::from(token.as_str()));
        // The settings `Client::new` gives its own reqwest client.
        let bare = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("seatable-api/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the reqwest client");
        Contenders {
            runtime,
            base,
            bare,
            rows_url: format!("{url}/api-gateway/api/v2/dtables/{BASE_UUID}/rows/"),
            authorization: format!("Bearer {token}"),
        }
    }

    async fn ours(&self) {
        for _ in 0..REQUESTS {
            let page = self
                .base
                .list_rows("Table1")
                .limit(10)
                .send()
                .await
                .expect("our request");
            assert_eq!(black_box(page).rows.len(), 10);
        }
    }

    async fn bare(&self) {
        for _ in 0..REQUESTS {
            let page: RowList = self
                .bare
                .get(&self.rows_url)
                .query(&[("table_name", "Table1"), ("limit", "10")])
                .header(AUTHORIZATION, &self.authorization)
                .send()
                .await
                .and_then(reqwest::Response::error_for_status)
                .expect("the bare request")
                .json()
                .await
                .expect("the bare page");
            assert_eq!(black_box(page).rows.len(), 10);
        }
    }

    /// Bare reqwest, but decoding as our client does: with `serde_path_to_error` tracking
    /// where in the JSON a failure happened. Not a contender; it tells how much of the
    /// difference is that tracking.
    async fn bare_tracked(&self) {
        for _ in 0..REQUESTS {
            let bytes = self
                .bare
                .get(&self.rows_url)
                .query(&[("table_name", "Table1"), ("limit", "10")])
                .header(AUTHORIZATION, &self.authorization)
                .send()
                .await
                .and_then(reqwest::Response::error_for_status)
                .expect("the bare request")
                .bytes()
                .await
                .expect("the bare body");
            let mut track = serde_path_to_error::Track::new();
            let mut json = serde_json::Deserializer::from_slice(&bytes);
            let page: RowList = serde::Deserialize::deserialize(
                serde_path_to_error::Deserializer::new(&mut json, &mut track),
            )
            .expect("the bare page");
            assert_eq!(black_box(page).rows.len(), 10);
        }
    }

    fn run(&self, contender: Contender) {
        match contender {
            Contender::Ours => self.runtime.block_on(self.ours()),
            Contender::Bare => self.runtime.block_on(self.bare()),
            Contender::BareTracked => self.runtime.block_on(self.bare_tracked()),
        }
    }

    fn time(&self, contender: Contender) -> Duration {
        let start = Instant::now();
        self.run(contender);
        start.elapsed()
    }

    /// Wall time and CPU time (of every thread of this process, the server's included).
    fn time_and_cpu(&self, contender: Contender) -> (Duration, Option<Duration>) {
        let cpu = cpu_time();
        let start = Instant::now();
        self.run(contender);
        let wall = start.elapsed();
        let used = cpu_time()
            .zip(cpu)
            .map(|(after, before)| after.saturating_sub(before));
        (wall, used)
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Contender {
    Ours,
    Bare,
    BareTracked,
}

fn bench(c: &mut Criterion, contenders: &Contenders) {
    let mut group = c.benchmark_group("transport_1000_list_rows");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(8));
    group.bench_function("ours", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| contenders.time(Contender::Ours)).sum())
    });
    group.bench_function("bare_reqwest", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| contenders.time(Contender::Bare)).sum())
    });
    group.finish();
}

/// CPU time of all threads of this process so far, from Linux's `schedstat` (nanoseconds);
/// `None` elsewhere. On a machine shared with other work it varies less than wall time.
fn cpu_time() -> Option<Duration> {
    let mut total = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let text = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total += text.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(Duration::from_nanos(total))
}

/// Alternating rounds of all three, and the ratios of their means.
fn compare(contenders: &Contenders, rounds: usize) {
    let order = [Contender::Ours, Contender::Bare, Contender::BareTracked];
    let mut wall = [Duration::ZERO; 3];
    let mut cpu = [Some(Duration::ZERO); 3];
    for round in 0..rounds {
        // Rotate which goes first, so that none always runs on a warmer machine.
        for i in 0..order.len() {
            let k = (i + round) % order.len();
            let (w, c) = contenders.time_and_cpu(order[k]);
            wall[k] += w;
            cpu[k] = cpu[k].zip(c).map(|(sum, c)| sum + c);
        }
    }
    let ms = |total: Duration| total.as_secs_f64() * 1e3 / rounds as f64;
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    println!("alternating rounds, {rounds} x {REQUESTS} requests; mean per {REQUESTS} requests:");
    println!(
        "  wall: ours {:.2} ms, bare reqwest {:.2} ms, bare with path-tracked decoding {:.2} ms; \
         ours/bare {:.3} (target <= 1.05), ours/bare-tracked {:.3}",
        ms(wall[0]),
        ms(wall[1]),
        ms(wall[2]),
        ratio(wall[0], wall[1]),
        ratio(wall[0], wall[2]),
    );
    if let [Some(ours), Some(bare), Some(tracked)] = cpu {
        println!(
            "  cpu:  ours {:.2} ms, bare reqwest {:.2} ms, bare with path-tracked decoding {:.2} ms; \
             ours/bare {:.3}, ours/bare-tracked {:.3}",
            ms(ours),
            ms(bare),
            ms(tracked),
            ratio(ours, bare),
            ratio(ours, tracked),
        );
    }
}

fn main() {
    let contenders = Contenders::new();
    // `TRANSPORT_PROFILE=ours|bare`: one warm-up round and one measured round of that
    // contender only, for an instruction-level profiler (`valgrind --tool=callgrind`).
    if let Ok(only) = std::env::var("TRANSPORT_PROFILE") {
        let contender = match only.as_str() {
            "ours" => Contender::Ours,
            "bare" => Contender::Bare,
            other => {
                eprintln!("TRANSPORT_PROFILE is `ours` or `bare`, not `{other}`");
                std::process::exit(2);
            }
        };
        contenders.run(contender);
        contenders.run(contender);
        return;
    }
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion, &contenders);
    criterion.final_summary();
    // Only `cargo bench` passes `--bench`; `cargo test --benches` runs each benchmark once
    // to see that it works, and one round is enough here too. A profile
    // (`--profile-time`) wants only the benchmark it names.
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--profile-time") {
        let benching = args.iter().any(|a| a == "--bench");
        compare(&contenders, if benching { 20 } else { 1 });
    }
}

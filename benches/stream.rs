//! Streaming 100,000 rows (100 pages of 1000) from a local server through
//! `list_rows(..).stream()`, with the heap measured by a counting allocator: the peak
//! above the level before the stream must stay under 64 MB, because only one page is held
//! at a time. For contrast, the same rows collected with `.all()`.
//!
//! `cargo bench --bench stream`. The peaks are printed; criterion times the stream.

// Criterion's macros define undocumented functions.
#![allow(missing_docs)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use futures_util::StreamExt;
use seatable_api::{BaseClient, BaseToken, Client};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The global allocator, counting live bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size > layout.size() {
                let grow = new_size - layout.size();
                let now = LIVE.fetch_add(grow, Ordering::Relaxed) + grow;
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const TOTAL: usize = 100_000;
const UUID: &str = "650d8a0d-7e27-46a8-8b18-6cc6f3db2057";

/// One page of rows `start..start+limit` (capped at TOTAL), made when asked: the server
/// holds no rows, so its memory is one page too.
fn page(start: usize, limit: usize) -> Vec<u8> {
    let end = (start + limit).min(TOTAL);
    let mut out = String::with_capacity((end - start) * 420 + 16);
    out.push_str(r#"{"rows":["#);
    for i in start..end {
        if i > start {
            out.push(',');
        }
        out.push_str(&format!(
            r#"{{"_id":"Qtf7xPmoRaiFyQ{i:08}","_ctime":"2025-01-02T10:00:00.000+00:00","_mtime":"2025-03-04T11:12:13.456+00:00","_creator":"8f3a2b1c4d5e6f708192a3b4c5d6e7f8@auth.local","_last_modifier":"8f3a2b1c4d5e6f708192a3b4c5d6e7f8@auth.local","Name":"Row number {i}","Price":{price},"Done":{done},"Due":"2030-06-20T14:30:00+02:00","Tags":["red","blue"],"Notes":"Several words of text in a long-text cell"}}"#,
            price = 1234.5 + i as f64,
            done = i % 2 == 0,
        ));
    }
    out.push_str("]}");
    out.into_bytes()
}

fn query(target: &str, name: &str) -> Option<usize> {
    let (_, q) = target.split_once('?')?;
    q.split('&')
        .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
        .and_then(|v| v.parse().ok())
}

/// A keep-alive HTTP/1.1 server answering every GET with the page its `start`/`limit` ask.
async fn serve(listener: TcpListener) {
    loop {
        let Ok((mut socket, _)) = listener.accept().await else {
            return;
        };
        tokio::spawn(async move {
            let mut buf = Vec::with_capacity(4096);
            loop {
                let head_end = loop {
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                    let mut chunk = [0u8; 4096];
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                buf.drain(..head_end);
                let target = head.split(' ').nth(1).unwrap_or("/");
                let body = page(
                    query(target, "start").unwrap_or(0),
                    query(target, "limit").unwrap_or(1000),
                );
                let mut answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                    body.len()
                )
                .into_bytes();
                answer.extend_from_slice(&body);
                if socket.write_all(&answer).await.is_err() {
                    return;
                }
            }
        });
    }
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Runs `job` and returns the heap peak above the level before it.
async fn peak_of<F: std::future::Future<Output = usize>>(job: F) -> (usize, usize) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let rows = job.await;
    (rows, PEAK.load(Ordering::Relaxed) - before)
}

fn stream_rows(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let base = runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(serve(listener));
        BaseClient::new(Client::new(&url).unwrap(), UUID, BaseToken::from("jwt"))
    });

    let streamed = || async {
        let mut rows = base.list_rows("Table1").stream();
        let mut n = 0;
        while let Some(row) = rows.next().await {
            let row = row.expect("a row");
            assert!(row.id.is_some());
            n += 1;
        }
        n
    };
    let (n, stream_peak) = runtime.block_on(peak_of(streamed()));
    assert_eq!(n, TOTAL);
    let (n, all_peak) = runtime.block_on(peak_of(async {
        base.list_rows("Table1")
            .all()
            .await
            .expect("all rows")
            .len()
    }));
    assert_eq!(n, TOTAL);
    println!(
        "stream of {TOTAL} rows: heap peak {:.1} MB above the start (target ≤ 64 MB); \
         collected with .all(): {:.1} MB",
        mb(stream_peak),
        mb(all_peak)
    );

    let mut group = c.benchmark_group("stream");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("100k rows via list_rows().stream()", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                assert_eq!(runtime.block_on(streamed()), TOTAL);
            }
            start.elapsed()
        })
    });
    group.finish();
}

criterion_group!(benches, stream_rows);
criterion_main!(benches);

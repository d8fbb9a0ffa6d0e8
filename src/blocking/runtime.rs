//! The runtime that blocking calls run on: one per process, started by the first call.
//!
//! `reqwest::blocking` sends each request to a runtime thread over a channel. Our requests
//! are builders that borrow their client, so their futures are not `'static` and cannot be
//! handed to another thread without `unsafe`. Instead the calling thread drives its own
//! future with `Runtime::block_on`, while the runtime's one worker thread keeps the
//! connection pool, timers and I/O going between and during calls. The effect is the same:
//! the caller blocks, and nothing asks it for an async runtime of its own.

use std::future::IntoFuture;
use std::sync::OnceLock;

use crate::transport::error::{Error, ErrorKind};

/// Never dropped: a static is not, so a blocking call made on the last line of `main`, or
/// a client dropped inside someone's async code, cannot hit tokio's "dropped a runtime in
/// an async context" panic.
static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();

fn runtime() -> Result<&'static tokio::runtime::Runtime, Error> {
    if let Some(rt) = RUNTIME.get() {
        return Ok(rt);
    }
    let started = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("seatable-blocking")
        .enable_all()
        .build()
        .map_err(|e| {
            Error::new(
                ErrorKind::Transport,
                "cannot start the runtime of the blocking client",
            )
            .with_source(e)
        })?;
    // Two first calls at once may both build one; the loser's is dropped here, outside
    // any async context, which is allowed.
    Ok(RUNTIME.get_or_init(|| started))
}

/// Runs `request` to completion on the calling thread and returns its answer.
///
/// Called from inside a tokio runtime (an `async fn`, `#[tokio::main]`, a task, or
/// `spawn_blocking`), it sends nothing and fails with [`ErrorKind::InsideAsyncRuntime`]:
/// blocking a thread that drives async tasks can stall them, and deadlocks outright when
/// the server being called runs on that runtime. Async code awaits the async client
/// instead; sync code called from async code runs on a thread of its own
/// (`std::thread::spawn`).
pub fn call<F, T>(request: F) -> Result<T, Error>
where
    F: IntoFuture<Output = Result<T, Error>>,
{
    refuse_inside_runtime()?;
    runtime()?.block_on(request.into_future())
}

fn refuse_inside_runtime() -> Result<(), Error> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::new(
            ErrorKind::InsideAsyncRuntime,
            "a blocking call was made inside an async runtime; await the async client \
             (`seatable_api::Client`) there, or make the blocking call on a thread of its own \
             (`std::thread::spawn`)",
        ));
    }
    Ok(())
}

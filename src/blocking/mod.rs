//! The client for code without an async runtime (feature `blocking`): scripts, cron jobs,
//! command-line tools.
//!
//! The same clients, operations, paging and batching as the async client, as sync calls:
//! a request is built the same way and sent with `.call()` instead of `.await`; a paged
//! operation's `.iter()` is an `Iterator` where the async one has a `Stream`.
//!
//! ```no_run
//! use seatable_api::blocking::Client;
//!
//! let client = Client::new("https://cloud.seatable.io")?;
//! let base = client.base_with_api_token("api token")?;
//! let metadata = base.get_metadata().call()?;
//! for row in base.list_rows("Table1").view_name("Open").iter() {
//!     println!("{:?}", row?.id);
//! }
//! # Ok::<(), seatable_api::Error>(())
//! ```
//!
//! The calls run on one runtime per process, started by the first call, with one worker
//! thread (`seatable-blocking`) that keeps connections, timers and I/O going; the calling
//! thread waits for its answer. A call made inside an async runtime (an `async fn`, a
//! tokio task, `spawn_blocking`) sends nothing and fails with
//! [`ErrorKind::InsideAsyncRuntime`](crate::ErrorKind::InsideAsyncRuntime): await the
//! async client there.

#[cfg(feature = "base")]
mod base_helpers;
mod calls;
mod clients;
#[cfg(all(feature = "files", feature = "base"))]
mod files;
mod pages;
mod runtime;

#[cfg(feature = "scheduler")]
pub use clients::SchedulerClient;
#[cfg(feature = "system-admin")]
pub use clients::SystemAdminClient;
#[cfg(feature = "team-admin")]
pub use clients::TeamAdminClient;
pub use clients::{AccountClient, ApiTokenClient, BaseClient, Client};
pub use pages::Pages;
pub use runtime::call;

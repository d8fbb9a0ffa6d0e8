//! A user's own endpoints on top of `seatable-api`, generated from their own OpenAPI spec.
//!
//! `spec/reminders.yaml` describes two endpoints of a base plugin ("row reminders") that
//! SeaTable's own API does not have. `build.rs` runs `seatable-codegen` on `spec/` in
//! external mode, which writes `$OUT_DIR/api.rs`; it is included below. Each spec file
//! becomes a module (`reminders`) with its models and one extension trait per client type:
//! here `reminders::RemindersBaseClientExt`, implemented for [`seatable_api::BaseClient`],
//! because the operations use the `BaseToken` security scheme. Bring the trait into scope
//! and the new endpoints are methods of the ordinary client, with the same token handling,
//! retries, rate-limit backoff and errors as the built-in ones:
//!
//! ```no_run
//! use custom_spec::reminders::RemindersBaseClientExt;
//!
//! # async fn run() -> Result<(), seatable_api::Error> {
//! let client = seatable_api::Client::new("https://cloud.seatable.io")?;
//! let base = client.base_with_api_token("api token").await?;
//! let reminder = base
//!     .create_reminder("Tasks", "Bko1e60YT-egit2SljWSZA", "2030-06-20T09:00:00+02:00")
//!     .note("Call the supplier")
//!     .await?;
//! let open = base.list_reminders("Tasks").await?;
//! assert!(open.reminders.iter().any(|r| r.id == reminder.id));
//! # Ok(())
//! # }
//! ```

include!(concat!(env!("OUT_DIR"), "/api.rs"));

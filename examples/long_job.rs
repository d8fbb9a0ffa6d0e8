//! A job that runs longer than its Base-Token lives: a loop of writes and reads that the
//! client keeps authorised by renewing the token by itself, a little before the token's
//! `exp`, without a failed request and without anything in the job's code about tokens.
//!
//! ```text
//! cargo run --example long_job             # 10 seconds
//! cargo run --example long_job -- 30       # 30 seconds
//! ```
//!
//! The job adds one row, then on every tick writes a counter into it and reads it back,
//! checking the value, and removes the row at the end. The ticks pace the job; the client
//! is built with `requests_per_minute`, a guard that keeps it under the server's rate
//! limit should the loop run faster (it then waits instead of running into 429s). Each time the token's expiry moves the job prints that
//! the Base-Token was renewed, and it ends with a summary.
//!
//! Without settings it runs against `MockSeaTable`, an in-memory SeaTable started inside
//! this process, whose Base-Tokens live 3 seconds (SeaTable's default is 3 days) and which
//! allows 200 requests per minute and base, as SeaTable Cloud does. To run it against a
//! real server, set `SEATABLE_SERVER_URL` and `SEATABLE_API_TOKEN` (an API-Token with write
//! permission for a base with a table `Jobs` with the columns `Name` (text) and `Count`
//! (number)); its tokens live days, so expect no renewal in a short run there.

use std::error::Error;
use std::io::Write;
use std::time::{Duration, Instant, SystemTime};

use seatable_api::testing::{MockSeaTable, Operation};
use seatable_api::types::{RowInput, RowUpdate};
use seatable_api::{BaseClient, Client};
use serde_json::{json, Value};

/// The table the job writes to.
pub const TABLE: &str = "Jobs";

/// The client-side limit: requests per minute and base, under SeaTable Cloud's 200.
pub const REQUESTS_PER_MINUTE: u32 = 180;

/// How long the mock's Base-Tokens live in the example.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(3);

/// The structure of the base the job runs on when it runs against the mock.
pub fn job_metadata() -> Value {
    json!({"tables": [{
        "_id": "0000",
        "name": TABLE,
        "columns": [
            {"key": "0000", "name": "Name", "type": "text"},
            {"key": "Cn01", "name": "Count", "type": "number",
             "data": {"format": "number", "decimal": "dot", "thousands": "no"}},
        ],
        "views": [{"_id": "0000", "name": "Default View", "type": "table"}]
    }]})
}

/// How long the job runs and how often it ticks.
#[derive(Clone, Debug)]
pub struct JobSettings {
    /// The job stops at the first tick after this much time.
    pub duration: Duration,
    /// Time between ticks; each tick makes two requests.
    pub interval: Duration,
}

impl Default for JobSettings {
    /// 10 seconds, a tick every 750 ms: 160 requests a minute, under the limit however
    /// long the job runs.
    fn default() -> Self {
        JobSettings {
            duration: Duration::from_secs(10),
            interval: Duration::from_millis(750),
        }
    }
}

/// What the job did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobSummary {
    /// Ticks run: each wrote the counter and read it back.
    pub ticks: u64,
    /// Requests to the base: the row added and removed, and two per tick.
    pub requests: u64,
    /// How often the Base-Token's expiry changed, that is, the token was renewed.
    pub renewals: usize,
    /// The expiry of every token the job saw, the first one included.
    pub expiries: Vec<SystemTime>,
    /// How long the job ran.
    pub elapsed: Duration,
}

/// A number cell as read back.
fn as_count(cell: Option<&Value>) -> Option<u64> {
    let value = cell?;
    value.as_u64().or_else(|| {
        value
            .as_f64()
            .filter(|n| n.fract() == 0.0)
            .map(|n| n as u64)
    })
}

/// Runs the job on `table` of `base` for `settings.duration`, printing each renewal of
/// the Base-Token to `out`. The first failed request ends it with that error.
pub async fn run_job(
    base: &BaseClient,
    table: &str,
    settings: &JobSettings,
    out: &mut impl Write,
) -> Result<JobSummary, Box<dyn Error>> {
    let started = Instant::now();
    let mut expiries: Vec<SystemTime> = base.token_expires_at().into_iter().collect();
    if let Some(expiry) = expiries.first() {
        let left = expiry.duration_since(SystemTime::now()).unwrap_or_default();
        writeln!(
            out,
            "  0.0 s  the Base-Token is valid for {:.1} s",
            left.as_secs_f64()
        )?;
    }

    let mut row = RowInput::new();
    row.insert(
        "Name".into(),
        json!(format!("long job {}", std::process::id())),
    );
    row.insert("Count".into(), json!(0));
    let added = base.append_rows(table, [row]).await?;
    let row_id = added
        .row_ids
        .first()
        .map(|r| r.id.clone())
        .ok_or("adding the job's row returned no row id")?;
    let mut requests = 1;

    let mut ticker = tokio::time::interval(settings.interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut ticks = 0;
    while started.elapsed() < settings.duration {
        ticker.tick().await;
        ticks += 1;
        let mut cells = RowInput::new();
        cells.insert("Count".into(), json!(ticks));
        let update = RowUpdate {
            row_id: row_id.clone(),
            row: cells,
        };
        base.update_rows(table, [update]).await?;
        let read = base.get_row(&row_id, table).convert_keys(true).await?;
        requests += 2;
        let count = as_count(read.extra.get("Count"));
        if count != Some(ticks) {
            return Err(format!("wrote Count {ticks}, read back {count:?}").into());
        }

        let expiry = base.token_expires_at();
        if expiry.is_some() && expiry != expiries.last().copied() {
            let at = started.elapsed().as_secs_f64();
            if let Some(expiry) = expiry {
                let left = expiry.duration_since(SystemTime::now()).unwrap_or_default();
                writeln!(
                    out,
                    "{at:5.1} s  Base-Token renewed (tick {ticks}): valid for another {:.1} s",
                    left.as_secs_f64()
                )?;
                expiries.push(expiry);
            }
        }
    }

    base.delete_rows(table, [row_id]).await?;
    requests += 1;
    Ok(JobSummary {
        ticks,
        requests,
        renewals: expiries.len().saturating_sub(1),
        expiries,
        elapsed: started.elapsed(),
    })
}

async fn run() -> Result<(), Box<dyn Error>> {
    let mut out = std::io::stdout();
    let mut settings = JobSettings::default();
    if let Some(seconds) = std::env::args().nth(1) {
        let seconds: u64 = seconds
            .parse()
            .map_err(|_| format!("the argument is the run time in seconds, not `{seconds}`"))?;
        settings.duration = Duration::from_secs(seconds);
    }

    // Held until the end: dropping it stops the stand-in.
    let mut mock_server: Option<MockSeaTable> = None;
    let (server, api_token) = match (
        std::env::var("SEATABLE_SERVER_URL"),
        std::env::var("SEATABLE_API_TOKEN"),
    ) {
        (Ok(server), Ok(token)) => {
            writeln!(out, "Running against {server}")?;
            (server, token)
        }
        _ => {
            writeln!(
                out,
                "SEATABLE_SERVER_URL and SEATABLE_API_TOKEN are not set: running against \
                 MockSeaTable, an in-memory SeaTable inside this process, whose Base-Tokens \
                 live {} s",
                TOKEN_LIFETIME.as_secs()
            )?;
            let mock = MockSeaTable::builder()
                .token_lifetime(TOKEN_LIFETIME)
                .rate_limit(Some(200))
                .start()
                .await?;
            let base = mock.add_base("Jobs", job_metadata())?;
            let url = mock.url();
            mock_server = Some(mock);
            (url, base.api_token)
        }
    };
    let client = Client::builder(&server)
        .requests_per_minute(REQUESTS_PER_MINUTE)
        .build()?;
    let base = client.base_with_api_token(api_token).await?;

    writeln!(
        out,
        "running for {} s, a tick every {} ms, at most {REQUESTS_PER_MINUTE} requests a minute",
        settings.duration.as_secs(),
        settings.interval.as_millis()
    )?;
    let summary = run_job(&base, TABLE, &settings, &mut out).await?;
    writeln!(
        out,
        "done in {:.1} s: {} ticks, {} requests, {} Base-Token renewal(s), no failed request",
        summary.elapsed.as_secs_f64(),
        summary.ticks,
        summary.requests,
        summary.renewals
    )?;
    if let Some(mock) = &mock_server {
        let exchanges = mock
            .requests()
            .iter()
            .filter(|e| e.operation == Some(Operation::GetBaseToken))
            .count();
        writeln!(out, "MockSeaTable issued {exchanges} Base-Tokens")?;
    }
    if let Some(limit) = client.rate_limit() {
        if let (Some(remaining), Some(allowed)) = (limit.remaining, limit.limit) {
            writeln!(
                out,
                "the server's rate limit: {remaining} of {allowed} requests left in its window"
            )?;
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

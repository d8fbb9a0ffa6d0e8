//! [`SchedulerClient`]: the statistics and run history of the Python scheduler.

use crate::transport::connection::{Auth, Client};
use crate::transport::error::Error;
use crate::transport::request::{BoxFuture, Request, Response, Transport};
use crate::transport::tokens::SchedulerToken;

/// A client holding the Python scheduler's token: statistics about script runs and the
/// run history. Cheap to clone; `Debug` does not show the token.
///
/// ```no_run
/// let client = seatable_api::Client::new("https://seatable.example.com")?;
/// let scheduler = client.with_scheduler_token("scheduler token");
/// println!("{}", scheduler.client().server_url());
/// # Ok::<(), seatable_api::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct SchedulerClient {
    client: Client,
    token: SchedulerToken,
}

impl SchedulerClient {
    pub(crate) fn new(client: Client, token: SchedulerToken) -> SchedulerClient {
        SchedulerClient { client, token }
    }

    /// The server the scheduler belongs to.
    ///
    /// ```no_run
    /// # fn run(scheduler: seatable_api::SchedulerClient) {
    /// println!("{}", scheduler.client().server_url());
    /// # }
    /// ```
    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl Transport for SchedulerClient {
    fn execute(&self, request: Request) -> BoxFuture<'_, Result<Response, Error>> {
        Box::pin(
            self.client
                .send(Auth::Static(self.token.expose_secret()), request),
        )
    }
}

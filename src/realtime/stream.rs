//! [`EventStream`]: a base's events as a `Stream`, fed by a task that keeps the connection
//! up: it reconnects with back-off and jitter, renews the Base-Token when the server
//! ended the connection or refused the token, and closes the socket when the stream is
//! dropped.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::sync::mpsc;

use crate::client::base::BaseClient;
use crate::realtime::event::Event;
use crate::realtime::session::{socket_url, Join, Next, Session};
use crate::transport::error::{Error, ErrorKind};
use crate::transport::retry::backoff;

/// The builder of a base's [`EventStream`], from [`BaseClient::events`]; `.await` connects.
#[derive(Debug)]
#[must_use = "nothing is connected until the builder is awaited"]
pub struct Events {
    base: BaseClient,
    initial_backoff: Duration,
    max_backoff: Duration,
}

impl Events {
    pub(crate) fn new(base: BaseClient) -> Events {
        Events {
            base,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
        }
    }

    /// The wait before the first reconnection (1 s by default); each further one doubles,
    /// up to [`max_backoff`](Self::max_backoff), drawn between half and all of it.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
    /// let events = base.events().initial_backoff(std::time::Duration::from_millis(200)).await?;
    /// # Ok(()) }
    /// ```
    pub fn initial_backoff(mut self, wait: Duration) -> Events {
        self.initial_backoff = wait;
        self
    }

    /// The longest wait between two reconnection attempts (30 s by default).
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
    /// let events = base.events().max_backoff(std::time::Duration::from_secs(10)).await?;
    /// # Ok(()) }
    /// ```
    pub fn max_backoff(mut self, wait: Duration) -> Events {
        self.max_backoff = wait;
        self
    }

    fn backoff(&self, attempt: u32) -> Duration {
        backoff(self.initial_backoff, self.max_backoff, attempt)
    }
}

impl IntoFuture for Events {
    type Output = Result<EventStream, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            // The first connection's failure is the caller's to see: a wrong server or
            // base should not turn into endless reconnecting.
            let session = connect_and_join(&self.base, false)
                .await
                .map_err(Failure::into_error)?;
            let (sender, receiver) = mpsc::channel(BUFFERED_EVENTS);
            tokio::spawn(watch(self, session, sender));
            Ok(EventStream { receiver })
        })
    }
}

/// A base's events as they happen (see [`BaseClient::events`]). Ends after an error it
/// cannot recover from (the token refused after a renewal, a token that cannot be
/// renewed); dropping it closes the connection. Up to 1024 events the caller has not read
/// yet are buffered; beyond that the socket is not read, so a caller that falls behind
/// loses the connection (and sees [`Event::Reconnected`]) rather than memory without bound.
pub struct EventStream {
    receiver: mpsc::Receiver<Result<Event, Error>>,
}

/// How many unread events a stream holds before it stops reading the socket.
const BUFFERED_EVENTS: usize = 1024;

impl std::fmt::Debug for EventStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("buffered", &self.receiver.len())
            .finish()
    }
}

impl futures_core::Stream for EventStream {
    type Item = Result<Event, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.receiver.poll_recv(cx)
    }
}

/// Why connecting failed, and whether to try again.
enum Failure {
    Retry(Error),
    Fatal(Error),
}

impl Failure {
    fn into_error(self) -> Error {
        match self {
            Failure::Retry(e) | Failure::Fatal(e) => e,
        }
    }

    fn of(error: Error) -> Failure {
        if error.is_retryable() {
            Failure::Retry(error)
        } else {
            Failure::Fatal(error)
        }
    }
}

/// Opens a connection and joins the base's room. A refused join renews the token once
/// and joins again; a second refusal is final, and so is a first one when `fresh_token`
/// (the token was renewed for this very join).
async fn connect_and_join(base: &BaseClient, fresh_token: bool) -> Result<Session, Failure> {
    let url = socket_url(base.dtable_server(), base.base_uuid()).map_err(Failure::Fatal)?;
    let mut session = Session::open(&url).await.map_err(Failure::of)?;
    let (token, generation) = base.current_token().await.map_err(Failure::of)?;
    let first_refusal = match session
        .join(base.base_uuid(), &token.token)
        .await
        .map_err(Failure::of)?
    {
        Join::Joined => return Ok(session),
        Join::Refused(reason) => reason,
    };
    if fresh_token {
        // Renewing again would only repeat the refusal.
        return Err(Failure::Fatal(refused(
            &first_refusal,
            "even with a renewed Base-Token",
        )));
    }
    tracing::info!(reason = %first_refusal, "the realtime service refused the Base-Token; renewing it");
    if !base.renew(generation).await.map_err(Failure::of)? {
        return Err(Failure::Fatal(refused(
            &first_refusal,
            "the client cannot renew its Base-Token",
        )));
    }
    let (token, _) = base.current_token().await.map_err(Failure::of)?;
    match session
        .join(base.base_uuid(), &token.token)
        .await
        .map_err(Failure::of)?
    {
        Join::Joined => Ok(session),
        Join::Refused(reason) => Err(Failure::Fatal(refused(
            &reason,
            "even after renewing the Base-Token",
        ))),
    }
}

/// Renews the token after the server ended the connection (as the official SDK does:
/// SeaTable ends the sockets of a token it no longer accepts); `Ok(false)` when the
/// client cannot renew, and then the current token is tried.
async fn renew_after_disconnect(base: &BaseClient) -> Result<bool, Failure> {
    let (_, generation) = base.current_token().await.map_err(Failure::of)?;
    base.renew(generation).await.map_err(Failure::of)
}

fn refused(reason: &str, context: &str) -> Error {
    Error::new(
        ErrorKind::Api,
        format!("the realtime service refused to join the base ({reason}), {context}"),
    )
    .with_operation("join-room")
}

/// Keeps the stream fed until it is dropped or a failure is final.
async fn watch(events: Events, mut session: Session, sender: mpsc::Sender<Result<Event, Error>>) {
    let base_uuid = events.base.base_uuid().to_string();
    loop {
        let lost = loop {
            tokio::select! {
                _ = sender.closed() => {
                    session.close().await;
                    return;
                }
                next = session.next() => match next {
                    Next::Event(event) => {
                        if sender.send(Ok(event)).await.is_err() {
                            session.close().await;
                            return;
                        }
                    }
                    Next::Lost(lost) => break lost,
                },
            }
        };
        tracing::warn!(base_uuid, reason = %lost.reason, "realtime connection lost; reconnecting");
        let mut attempt = 0u32;
        // Renewed once per loss, however many attempts the reconnection takes.
        let mut renewed = false;
        session = loop {
            let wait = events.backoff(attempt);
            attempt += 1;
            let connected = tokio::select! {
                _ = sender.closed() => return,
                connected = async {
                    tokio::time::sleep(wait).await;
                    if lost.by_server && !renewed {
                        renewed = renew_after_disconnect(&events.base).await?;
                    }
                    connect_and_join(&events.base, renewed).await
                } => connected,
            };
            match connected {
                Ok(session) => break session,
                Err(Failure::Retry(e)) => {
                    tracing::warn!(base_uuid, attempt, error = %e, "realtime reconnection failed");
                }
                Err(Failure::Fatal(e)) => {
                    tracing::warn!(base_uuid, error = %e, "realtime events stopped");
                    let _ = sender.send(Err(e)).await;
                    return;
                }
            }
        };
        tracing::info!(base_uuid, attempts = attempt, "realtime connection resumed");
        if sender.send(Ok(Event::Reconnected)).await.is_err() {
            session.close().await;
            return;
        }
    }
}

//! A base's changes as they happen (feature `realtime`): [`BaseClient::events`] connects
//! to SeaTable's Socket.IO service, joins the base's room with its Base-Token, and yields
//! each [`Event`].
//!
//! The Socket.IO client is this module's own, over `tokio-tungstenite` on rustls: the
//! Socket.IO client crates (`rust_socketio` 0.6 and its forks) require native-tls, and the
//! part of the protocol SeaTable uses (Engine.IO v4 over a websocket, the default
//! namespace, text events and one acknowledgement) is small. It is tested against the npm
//! `socket.io` server, the library SeaTable's realtime service is built on.

mod event;
mod protocol;
mod session;
mod stream;

pub use event::{Event, Operation, OperationType};
pub use stream::{EventStream, Events};

use crate::client::base::BaseClient;

impl BaseClient {
    /// The base's changes and the user's notifications as they happen, over SeaTable's
    /// realtime (Socket.IO) service; `.await` connects and joins the base, and fails when
    /// that fails.
    ///
    /// The stream then keeps itself connected: a lost connection is made again with
    /// back-off and jitter, the Base-Token is renewed when the server ended the connection
    /// or refused the token (once per refusal: a token refused again ends the stream with
    /// the error), and [`Event::Reconnected`] marks each resumption, since changes made
    /// while it was away are not replayed. Dropping the stream closes the connection. The
    /// token is never logged nor shown in an error.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
    /// use futures_util::StreamExt;
    /// use seatable_api::realtime::Event;
    /// let mut events = base.events().await?;
    /// while let Some(event) = events.next().await {
    ///     match event? {
    ///         Event::BaseChanged { operation, .. } => println!("{}", operation.op_type.as_str()),
    ///         Event::Reconnected => println!("reconnected: re-read what matters"),
    ///         _ => {}
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "realtime")))]
    pub fn events(&self) -> Events {
        Events::new(self.clone())
    }
}

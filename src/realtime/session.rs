//! One Socket.IO connection to SeaTable's realtime service: open the websocket, connect to
//! the default namespace, join the base's room (with an acknowledgement), then read events
//! while answering the heartbeat. Reconnection is the stream's business (`stream.rs`).

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

use crate::realtime::event::Event;
use crate::realtime::protocol::{self, EnginePacket, Heartbeat, SocketPacket};
use crate::transport::error::{Error, ErrorKind, Secrets};
use crate::transport::tokens::BaseToken;

/// How long opening a connection, or waiting for the answer to `join-room`, may take.
pub(crate) const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(20);

/// The acknowledgement id of `join-room`; the client emits nothing else that is answered.
const JOIN_ACK: u64 = 0;

/// The Socket.IO URL of a base: SeaTable serves Socket.IO at `/api-gateway/socket.io/`
/// on the host of the base's `dtable_server` (the official SDK connects to
/// `dtable_server` with `socketio_path`), and reads the base from the
/// `dtable_uuid` query parameter. Only the websocket transport is used (`EIO=4`: protocol
/// v4 of Engine.IO, what `socket.io` v3 and v4 servers speak).
pub(crate) fn socket_url(server_url: &str, base_uuid: &str) -> Result<url::Url, Error> {
    let invalid = |why: &str| {
        Error::new(
            ErrorKind::InvalidUrl,
            format!("the server URL `{server_url}` cannot be used for realtime events: {why}"),
        )
    };
    let mut url = url::Url::parse(server_url).map_err(|e| invalid(&e.to_string()))?;
    let scheme = match url.scheme() {
        "https" => "wss",
        "http" => "ws",
        _ => return Err(invalid("it is neither http nor https")),
    };
    url.set_scheme(scheme)
        .map_err(|()| invalid("its scheme cannot change"))?;
    url.set_path("/api-gateway/socket.io/");
    url.set_fragment(None);
    url.query_pairs_mut()
        .clear()
        .append_pair("dtable_uuid", base_uuid)
        .append_pair("EIO", "4")
        .append_pair("transport", "websocket");
    Ok(url)
}

/// rustls with ring and the webpki roots, like the HTTP client; built once.
fn tls() -> Result<Connector, Error> {
    static CONFIG: OnceLock<Result<Arc<rustls::ClientConfig>, String>> = OnceLock::new();
    let config = CONFIG.get_or_init(|| {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map(|b| Arc::new(b.with_root_certificates(roots).with_no_client_auth()))
        .map_err(|e| e.to_string())
    });
    match config {
        Ok(config) => Ok(Connector::Rustls(Arc::clone(config))),
        Err(e) => Err(Error::new(
            ErrorKind::Transport,
            format!("TLS could not be set up for the realtime connection: {e}"),
        )
        .with_operation("realtime")),
    }
}

/// How a join ended.
#[derive(Debug)]
pub(crate) enum Join {
    Joined,
    /// The server's acknowledgement refused the token; the reason as it said it (tokens
    /// removed).
    Refused(String),
}

/// Why a connection ended.
#[derive(Debug)]
pub(crate) struct Lost {
    pub(crate) reason: String,
    /// The server ended it on purpose (a Socket.IO or Engine.IO disconnect), which SeaTable
    /// does for a token it no longer accepts: the token is renewed before rejoining.
    pub(crate) by_server: bool,
}

pub(crate) enum Next {
    Event(Event),
    Lost(Lost),
}

pub(crate) struct Session {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    heartbeat: Heartbeat,
    /// Events that arrived while waiting for the join's acknowledgement.
    early: Vec<Event>,
}

fn transport_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Transport, format!("{what}: {e}"))
        .with_operation("realtime")
        .with_retryable(true)
}

impl Session {
    /// Opens the websocket and connects to the default namespace.
    pub(crate) async fn open(url: &url::Url) -> Result<Session, Error> {
        let opening = async {
            let (ws, _) = tokio_tungstenite::connect_async_tls_with_config(
                url.as_str(),
                None,
                false,
                Some(tls()?),
            )
            .await
            .map_err(|e| transport_error("could not open the realtime websocket", e))?;
            let mut session = Session {
                ws,
                heartbeat: Heartbeat::from_open("{}"),
                early: Vec::new(),
            };
            session.connect().await?;
            Ok(session)
        };
        tokio::time::timeout(HANDSHAKE_TIMEOUT, opening)
            .await
            .unwrap_or_else(|_| {
                Err(transport_error(
                    "could not open the realtime connection",
                    format_args!("no answer within {} s", HANDSHAKE_TIMEOUT.as_secs()),
                ))
            })
    }

    async fn connect(&mut self) -> Result<(), Error> {
        loop {
            let text = self.read_text().await.map_err(|lost| {
                transport_error(
                    "the realtime connection closed during its handshake",
                    lost.reason,
                )
            })?;
            match protocol::engine_packet(&text) {
                EnginePacket::Open(json) => {
                    self.heartbeat = Heartbeat::from_open(json);
                    self.send(protocol::CONNECT).await?;
                }
                EnginePacket::Ping => self.send(protocol::PONG).await?,
                EnginePacket::Message(packet) => match protocol::socket_packet(packet) {
                    Ok(SocketPacket::Connected) => return Ok(()),
                    Ok(SocketPacket::ConnectError(data)) => {
                        return Err(Error::new(
                            ErrorKind::Api,
                            format!("the realtime service refused the connection: {data}"),
                        )
                        .with_operation("realtime"))
                    }
                    _ => {}
                },
                EnginePacket::Close => {
                    return Err(transport_error(
                        "the realtime connection closed during its handshake",
                        "the server closed the session",
                    ))
                }
                EnginePacket::Other => {}
            }
        }
    }

    /// Emits `join-room` with the base and its token and waits for the acknowledgement.
    /// A server that does not answer within the timeout is taken to have accepted: the
    /// official SDK never asks for an answer, so a server may not send one.
    pub(crate) async fn join(&mut self, base_uuid: &str, token: &BaseToken) -> Result<Join, Error> {
        let packet = protocol::event_with_ack(
            JOIN_ACK,
            &[
                Value::from("join-room"),
                Value::from(base_uuid),
                Value::from(token.expose_secret()),
            ],
        );
        self.send(&packet).await?;
        let secrets = Secrets::new([token.expose_secret()]);
        let deadline = tokio::time::Instant::now() + HANDSHAKE_TIMEOUT;
        loop {
            let text = match tokio::time::timeout_at(deadline, self.read_text()).await {
                Err(_) => {
                    tracing::warn!("the realtime service did not acknowledge join-room; going on");
                    return Ok(Join::Joined);
                }
                Ok(Err(lost)) => {
                    return Err(transport_error(
                        "the realtime connection closed while joining the base",
                        secrets.redact(&lost.reason),
                    ))
                }
                Ok(Ok(text)) => text,
            };
            match protocol::engine_packet(&text) {
                EnginePacket::Ping => self.send(protocol::PONG).await?,
                EnginePacket::Close => {
                    return Err(transport_error(
                        "the realtime connection closed while joining the base",
                        "the server closed the session",
                    ))
                }
                EnginePacket::Message(packet) => match protocol::socket_packet(packet) {
                    Ok(SocketPacket::Ack { id: JOIN_ACK, args }) => {
                        return Ok(match refusal(&args) {
                            None => Join::Joined,
                            Some(reason) => Join::Refused(secrets.redact(&reason)),
                        })
                    }
                    Ok(SocketPacket::Event(args)) => self.early.push(Event::from_socket_io(args)),
                    Ok(SocketPacket::Disconnected) => {
                        return Err(transport_error(
                            "the realtime connection closed while joining the base",
                            "the server disconnected the socket",
                        ))
                    }
                    _ => {}
                },
                EnginePacket::Open(_) | EnginePacket::Other => {}
            }
        }
    }

    /// The next event, or why the connection ended. Answers pings; a connection silent
    /// for longer than the heartbeat allows is lost.
    pub(crate) async fn next(&mut self) -> Next {
        if !self.early.is_empty() {
            return Next::Event(self.early.remove(0));
        }
        loop {
            let text = match tokio::time::timeout(self.heartbeat.deadline(), self.read_text()).await
            {
                Err(_) => {
                    return Next::Lost(Lost {
                        reason: "no heartbeat from the server".into(),
                        by_server: false,
                    })
                }
                Ok(Err(lost)) => return Next::Lost(lost),
                Ok(Ok(text)) => text,
            };
            match protocol::engine_packet(&text) {
                EnginePacket::Ping => {
                    if let Err(e) = self.send(protocol::PONG).await {
                        return Next::Lost(Lost {
                            reason: e.to_string(),
                            by_server: false,
                        });
                    }
                }
                EnginePacket::Close => {
                    return Next::Lost(Lost {
                        reason: "the server closed the session".into(),
                        by_server: true,
                    })
                }
                EnginePacket::Message(packet) => match protocol::socket_packet(packet) {
                    Ok(SocketPacket::Event(args)) => {
                        return Next::Event(Event::from_socket_io(args))
                    }
                    Ok(SocketPacket::Disconnected) => {
                        return Next::Lost(Lost {
                            reason: "the server disconnected the socket".into(),
                            by_server: true,
                        })
                    }
                    Ok(_) => {}
                    Err(why) => {
                        tracing::debug!(why, "skipped a realtime packet that does not parse");
                        return Next::Event(Event::Unknown {
                            name: String::new(),
                            data: vec![Value::String(packet.to_string())],
                        });
                    }
                },
                EnginePacket::Open(_) | EnginePacket::Other => {}
            }
        }
    }

    /// Leaves the namespace and closes the websocket, as a client that is done does.
    pub(crate) async fn close(mut self) {
        let closing = async {
            let _ = self.ws.send(Message::text(protocol::DISCONNECT)).await;
            let _ = self.ws.close(None).await;
        };
        let _ = tokio::time::timeout(Duration::from_secs(2), closing).await;
    }

    async fn send(&mut self, text: &str) -> Result<(), Error> {
        self.ws
            .send(Message::text(text))
            .await
            .map_err(|e| transport_error("could not send on the realtime connection", e))
    }

    /// The next text message; pings of the websocket layer are answered by tungstenite.
    async fn read_text(&mut self) -> Result<String, Lost> {
        loop {
            match self.ws.next().await {
                Some(Ok(Message::Text(text))) => return Ok(text.as_str().to_string()),
                Some(Ok(Message::Close(_))) | None => {
                    return Err(Lost {
                        reason: "the websocket was closed".into(),
                        by_server: false,
                    })
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    return Err(Lost {
                        reason: format!("websocket error: {e}"),
                        by_server: false,
                    })
                }
            }
        }
    }
}

/// Why the acknowledgement of `join-room` refuses, or `None` when it accepts. SeaTable's
/// realtime service answers with `Message.success(…)` or `Message.fail(error_type)`
/// (dtable-server's `join-room` handler); the exact fields are not published, so a
/// refusal is recognised by `success: false`, an `error_type`/`error` field, or a bare
/// `false`, and everything else is an acceptance.
fn refusal(args: &[Value]) -> Option<String> {
    let first = args.first()?;
    match first {
        Value::Bool(false) => Some("join-room was refused".into()),
        Value::Object(fields) => {
            let failed = fields.get("success") == Some(&Value::Bool(false))
                || fields.contains_key("error_type")
                || fields.contains_key("error");
            failed.then(|| {
                [
                    "error_message",
                    "error_msg",
                    "message",
                    "error_type",
                    "error",
                ]
                .iter()
                .find_map(|k| {
                    fields
                        .get(*k)
                        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                })
                .unwrap_or_else(|| first.to_string())
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn url_of_a_base() {
        let url = socket_url("https://cloud.seatable.io/some/path?x=1", "uuid-1").unwrap();
        assert_eq!(
            url.as_str(),
            "wss://cloud.seatable.io/api-gateway/socket.io/?dtable_uuid=uuid-1&EIO=4&transport=websocket"
        );
        let url = socket_url("http://127.0.0.1:8000", "u").unwrap();
        assert_eq!(url.scheme(), "ws");
        assert!(socket_url("ftp://x", "u").is_err());
        assert!(socket_url("not a url", "u").is_err());
    }

    #[test]
    fn refusals() {
        assert_eq!(refusal(&[]), None);
        assert_eq!(refusal(&[json!({"success": true, "version": 3})]), None);
        assert_eq!(refusal(&[json!("ok")]), None);
        assert_eq!(
            refusal(&[json!({"success": false, "error_type": "token_expired"})]).as_deref(),
            Some("token_expired")
        );
        assert_eq!(
            refusal(&[
                json!({"error_type": "dtable_not_found", "error_message": "Dtable not found"})
            ])
            .as_deref(),
            Some("Dtable not found")
        );
        assert!(refusal(&[json!(false)]).is_some());
    }
}

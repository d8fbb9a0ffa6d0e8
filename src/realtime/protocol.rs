//! The text framing of Engine.IO v4 and Socket.IO v5 over a websocket, as the npm
//! `socket.io` server (v3/v4) speaks it: one Engine.IO packet per websocket text message,
//! a Socket.IO packet inside each Engine.IO `message`. Only the default namespace `/` and
//! text packets are used by SeaTable; binary packets are recognised and skipped.

use std::time::Duration;

use serde_json::Value;

/// One Engine.IO packet (the first character of a websocket text message).
#[derive(Debug, PartialEq)]
pub(crate) enum EnginePacket<'a> {
    /// `0{…}`: the session's parameters.
    Open(&'a str),
    /// `1`: the server closes the session.
    Close,
    /// `2`: the server's heartbeat; answered with a pong.
    Ping,
    /// `4…`: a Socket.IO packet.
    Message(&'a str),
    /// Pong, upgrade, noop, or anything unknown: nothing to do.
    Other,
}

pub(crate) fn engine_packet(text: &str) -> EnginePacket<'_> {
    let mut chars = text.chars();
    match chars.next() {
        Some('0') => EnginePacket::Open(chars.as_str()),
        Some('1') => EnginePacket::Close,
        Some('2') => EnginePacket::Ping,
        Some('4') => EnginePacket::Message(chars.as_str()),
        _ => EnginePacket::Other,
    }
}

/// The Engine.IO pong answering a ping.
pub(crate) const PONG: &str = "3";
/// Connect to the default namespace.
pub(crate) const CONNECT: &str = "40";
/// Leave the default namespace (sent before closing the websocket).
pub(crate) const DISCONNECT: &str = "41";

/// The heartbeat the server announced in its open packet: a connection that hears no ping
/// for `ping_interval + ping_timeout` is dead.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Heartbeat {
    pub(crate) ping_interval: Duration,
    pub(crate) ping_timeout: Duration,
}

impl Heartbeat {
    /// From the open packet's JSON; the `socket.io` defaults (25 s and 20 s) for what it
    /// does not say.
    pub(crate) fn from_open(json: &str) -> Heartbeat {
        let value: Value = serde_json::from_str(json).unwrap_or(Value::Null);
        let millis = |name: &str, default: u64| {
            Duration::from_millis(value.get(name).and_then(Value::as_u64).unwrap_or(default))
        };
        Heartbeat {
            ping_interval: millis("pingInterval", 25_000),
            ping_timeout: millis("pingTimeout", 20_000),
        }
    }

    /// How long to wait for the next packet before calling the connection dead.
    pub(crate) fn deadline(&self) -> Duration {
        self.ping_interval + self.ping_timeout
    }
}

/// One Socket.IO packet of the default namespace.
#[derive(Debug, PartialEq)]
pub(crate) enum SocketPacket {
    /// `0{"sid":…}`: the namespace accepted the connection.
    Connected,
    /// `1`: the server removed this socket from the namespace.
    Disconnected,
    /// `2[name, args…]`: an event.
    Event(Vec<Value>),
    /// `3<id>[args…]`: the answer to the emitted event numbered `id`.
    Ack { id: u64, args: Vec<Value> },
    /// `4{…}`: the namespace refused the connection, with the server's data.
    ConnectError(Value),
    /// Binary packets and packets of other namespaces: not SeaTable's.
    Ignored,
}

/// A Socket.IO packet from the text of an Engine.IO message; `Err` says what is wrong.
pub(crate) fn socket_packet(text: &str) -> Result<SocketPacket, String> {
    let mut rest = text;
    let kind = take_char(&mut rest).ok_or("an empty Socket.IO packet")?;
    if matches!(kind, '5' | '6') {
        return Ok(SocketPacket::Ignored);
    }
    if rest.starts_with('/') {
        let end = rest.find(',').unwrap_or(rest.len());
        if &rest[..end] != "/" {
            return Ok(SocketPacket::Ignored);
        }
        rest = rest.get(end + 1..).unwrap_or("");
    }
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let id =
        if digits == 0 {
            None
        } else {
            Some(rest[..digits].parse::<u64>().map_err(|_| {
                format!("the acknowledgement id `{}` is too large", &rest[..digits])
            })?)
        };
    let payload = &rest[digits..];
    let json = |what: &str| -> Result<Value, String> {
        serde_json::from_str(payload)
            .map_err(|e| format!("the {what} packet's data is not JSON: {e}"))
    };
    match kind {
        '0' => Ok(SocketPacket::Connected),
        '1' => Ok(SocketPacket::Disconnected),
        '2' => match json("event")? {
            Value::Array(args) if !args.is_empty() => Ok(SocketPacket::Event(args)),
            _ => Err("an event packet whose data is not a non-empty array".to_string()),
        },
        '3' => {
            let id = id.ok_or("an acknowledgement without an id")?;
            match json("acknowledgement")? {
                Value::Array(args) => Ok(SocketPacket::Ack { id, args }),
                _ => Err("an acknowledgement whose data is not an array".to_string()),
            }
        }
        '4' => Ok(SocketPacket::ConnectError(
            json("connect error").unwrap_or(Value::Null),
        )),
        other => Err(format!("an unknown Socket.IO packet type `{other}`")),
    }
}

fn take_char(text: &mut &str) -> Option<char> {
    let mut chars = text.chars();
    let first = chars.next()?;
    *text = chars.as_str();
    Some(first)
}

/// The websocket text of an event emitted with acknowledgement id `id`:
/// Engine.IO `message` (`4`), Socket.IO `EVENT` (`2`), the id, the JSON array.
pub(crate) fn event_with_ack(id: u64, args: &[Value]) -> String {
    format!("42{id}{}", Value::Array(args.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn engine_packets() {
        assert_eq!(
            engine_packet("0{\"sid\":\"a\"}"),
            EnginePacket::Open("{\"sid\":\"a\"}")
        );
        assert_eq!(engine_packet("1"), EnginePacket::Close);
        assert_eq!(engine_packet("2"), EnginePacket::Ping);
        assert_eq!(
            engine_packet("42[\"x\"]"),
            EnginePacket::Message("2[\"x\"]")
        );
        assert_eq!(engine_packet(""), EnginePacket::Other);
        assert_eq!(engine_packet("6"), EnginePacket::Other);
        assert_eq!(engine_packet("é"), EnginePacket::Other);
    }

    #[test]
    fn heartbeat_from_open() {
        let h = Heartbeat::from_open(r#"{"sid":"x","pingInterval":300,"pingTimeout":200}"#);
        assert_eq!(h.deadline(), Duration::from_millis(500));
        assert_eq!(
            Heartbeat::from_open("garbage").deadline(),
            Duration::from_secs(45)
        );
    }

    #[test]
    fn socket_packets() {
        assert_eq!(
            socket_packet("0{\"sid\":\"s\"}"),
            Ok(SocketPacket::Connected)
        );
        assert_eq!(socket_packet("1"), Ok(SocketPacket::Disconnected));
        assert_eq!(
            socket_packet(r#"2["update-dtable","{}",3]"#),
            Ok(SocketPacket::Event(vec![
                json!("update-dtable"),
                json!("{}"),
                json!(3)
            ]))
        );
        assert_eq!(
            socket_packet(r#"312[{"success":true}]"#),
            Ok(SocketPacket::Ack {
                id: 12,
                args: vec![json!({"success": true})]
            })
        );
        assert_eq!(
            socket_packet(r#"2/,["a"]"#),
            Ok(SocketPacket::Event(vec![json!("a")]))
        );
        assert_eq!(
            socket_packet(r#"2/admin,1["a"]"#),
            Ok(SocketPacket::Ignored)
        );
        assert_eq!(
            socket_packet(r#"51-["a",{"_placeholder":true,"num":0}]"#),
            Ok(SocketPacket::Ignored)
        );
        assert_eq!(
            socket_packet(r#"4{"message":"no"}"#),
            Ok(SocketPacket::ConnectError(json!({"message": "no"})))
        );
        for bad in [
            "",
            "2",
            "2[]",
            "2{",
            "3[1]",
            "399999999999999999999999[]",
            "9",
            "3x",
        ] {
            assert!(socket_packet(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn emits_with_ack_id() {
        assert_eq!(
            event_with_ack(0, &[json!("join-room"), json!("uuid"), json!("tok")]),
            r#"420["join-room","uuid","tok"]"#
        );
    }
}

//! The HTTP side of the mock: accept loop (with refused connections), one hyper connection
//! per socket, and the path from a request to its logged answer, through the fault model
//! (`fault.rs`): another status, a delay, a reset, a truncated or trickled body.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;
use tokio::time::Sleep;

use super::exchange::Delivery;
use super::fault::{Action, Fault, Refusal};
use super::state::{Reply, Request};
use super::{Exchange, Shared};
use crate::server::Operation;

/// Larger bodies are refused with 413; uploads in tests are far smaller.
const MAX_BODY: usize = 256 * 1024 * 1024;

/// How long a truncated answer's first half is given to leave before the connection is
/// closed: closing at once could drop it from the send buffer along with the rest.
const TRUNCATION_FLUSH: Duration = Duration::from_millis(20);

/// Connection refusals in force, and the count of accepted connections.
pub(crate) struct Connections {
    refusal: Mutex<Option<(Refusal, Instant)>>,
    /// Bumped when a refusal starts, so that the accept loop and idle connections notice.
    changes: watch::Sender<u64>,
    accepted: AtomicU64,
}

impl Default for Connections {
    fn default() -> Connections {
        Connections {
            refusal: Mutex::new(None),
            changes: watch::Sender::new(0),
            accepted: AtomicU64::new(0),
        }
    }
}

impl Connections {
    pub fn refuse(&self, how: Refusal, duration: Duration) {
        *self.refusal.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((how, Instant::now() + duration));
        self.changes.send_modify(|n| *n += 1);
    }

    /// The refusal in force now, if any.
    fn current(&self) -> Option<(Refusal, Instant)> {
        let mut refusal = self.refusal.lock().unwrap_or_else(PoisonError::into_inner);
        match *refusal {
            Some((_, until)) if until <= Instant::now() => {
                *refusal = None;
                None
            }
            r => r,
        }
    }
}

/// Binds `addr` again after a refusal closed the port.
fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}

pub(crate) async fn serve(shared: Arc<Shared>, listener: TcpListener, addr: SocketAddr) {
    let mut listener = Some(listener);
    // Owning the connection tasks here means aborting this task ends them too.
    let mut connections = JoinSet::new();
    let mut changes = shared.connections.changes.subscribe();
    loop {
        if let Some((Refusal::Refuse, until)) = shared.connections.current() {
            // Without a listener the kernel refuses connections to the port.
            listener = None;
            tokio::select! {
                _ = tokio::time::sleep_until(until.into()) => {}
                _ = changes.changed() => {}
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
            continue;
        }
        let Some(open) = listener.as_ref() else {
            match bind(addr) {
                Ok(bound) => listener = Some(bound),
                // The port is briefly unavailable after closing; try again soon.
                Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            }
            continue;
        };
        tokio::select! {
            accepted = open.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                if matches!(shared.connections.current(), Some((Refusal::CloseOnAccept, _))) {
                    drop(stream);
                    continue;
                }
                let _ = stream.set_nodelay(true);
                let id = shared.connections.accepted.fetch_add(1, Ordering::SeqCst);
                connections.spawn(serve_connection(shared.clone(), stream, id));
            }
            _ = changes.changed() => {}
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
        while connections.try_join_next().is_some() {}
    }
}

/// A connection's reset switch: set by the request that is to be answered with a reset,
/// acted on by the connection's task.
#[derive(Default)]
struct ResetSwitch {
    on: AtomicBool,
    pulled: Notify,
}

/// The socket under hyper; when the connection's reset switch is on, dropping it resets
/// the connection (TCP RST) instead of closing it.
struct Socket {
    stream: TcpStream,
    reset: Arc<ResetSwitch>,
}

impl Drop for Socket {
    fn drop(&mut self) {
        if self.reset.on.load(Ordering::SeqCst) {
            // SO_LINGER 0: the close that follows sends RST instead of FIN.
            let _ = self.stream.set_zero_linger();
        }
    }
}

impl AsyncRead for Socket {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Socket {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

async fn serve_connection(shared: Arc<Shared>, stream: TcpStream, connection: u64) {
    let reset = Arc::new(ResetSwitch::default());
    let socket = Socket {
        stream,
        reset: reset.clone(),
    };
    let mut changes = shared.connections.changes.subscribe();
    let service = {
        let shared = shared.clone();
        let reset = reset.clone();
        service_fn(move |request| {
            let shared = shared.clone();
            let reset = reset.clone();
            async move { Ok::<_, Infallible>(answer(shared, reset, connection, request).await) }
        })
    };
    let conn = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(socket), service)
        // The realtime service's websocket (`realtime` feature) is an upgrade.
        .with_upgrades();
    tokio::pin!(conn);
    loop {
        tokio::select! {
            // A client that hangs up mid-request is its own business.
            _ = conn.as_mut() => return,
            // Dropping the connection drops the socket with the switch on.
            _ = reset.pulled.notified() => return,
            Ok(()) = changes.changed() => {
                if shared.connections.current().is_some() {
                    // Closes the connection when idle, or after the answer in progress.
                    conn.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

/// What to send for a request.
enum Plan {
    Whole(Reply),
    Reset,
    Truncated(Reply),
    Trickled(Reply, usize, Duration),
}

async fn answer(
    shared: Arc<Shared>,
    reset: Arc<ResetSwitch>,
    connection: u64,
    request: hyper::Request<Incoming>,
) -> hyper::Response<AnswerBody> {
    #[cfg(feature = "realtime")]
    if super::realtime::is_socket_io(&request) {
        return super::realtime::accept(shared, request).map(AnswerBody::Whole);
    }
    let (parts, body) = request.into_parts();
    let method = parts.method.as_str().to_string();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().map(str::to_string);
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) => Err(e.to_string()),
    };
    let operation = super::compat::route(&method, &path).map(|(op, _)| op);
    let seq = shared.log().push(Exchange {
        operation,
        method: method.clone(),
        path: path.clone(),
        query: query.clone(),
        request_headers: headers.clone(),
        request_body: body.as_ref().map(|b| b.to_vec()).unwrap_or_default(),
        status: 0,
        response_headers: Vec::new(),
        response_body: Vec::new(),
        processed: false,
        delivery: Delivery::Pending,
        fault: None,
        connection,
        received_at: Instant::now(),
        finished_at: None,
    });
    let mut abandoned = Abandoned {
        shared: shared.clone(),
        seq,
        armed: true,
    };
    let plan = match body {
        Err(why) => Plan::Whole(Reply::error_message(
            400,
            &format!("the request body could not be read: {why}"),
        )),
        Ok(body) => {
            let request = Request::new(method, path, query, headers, body);
            // In a task of its own, so that a delayed write still happens when the client
            // hangs up meanwhile (hyper then drops this future), as on a real server.
            let shared = shared.clone();
            let work = tokio::spawn(async move { decide(&shared, seq, operation, request).await });
            match work.await {
                Ok(plan) => plan,
                Err(e) => Plan::Whole(Reply::error_message(
                    500,
                    &format!("the mock failed while answering: {e}"),
                )),
            }
        }
    };
    abandoned.armed = false;
    match plan {
        Plan::Whole(reply) => {
            finish(&shared, seq, &reply, Delivery::Whole);
            reply.into_response().map(AnswerBody::Whole)
        }
        Plan::Reset => {
            reset.on.store(true, Ordering::SeqCst);
            reset.pulled.notify_one();
            // The connection task drops this future along with the connection.
            std::future::pending().await
        }
        Plan::Truncated(reply) => {
            finish(&shared, seq, &reply, Delivery::Truncated);
            let half = Bytes::copy_from_slice(&reply.body[..reply.body.len() / 2]);
            let full = reply.body.len() as u64;
            with_body(
                reply,
                AnswerBody::Truncated {
                    part: Some(half),
                    flush: None,
                    full,
                },
            )
        }
        Plan::Trickled(reply, chunk, pause) => {
            finish(&shared, seq, &reply, Delivery::Whole);
            let rest = Bytes::from(reply.body.clone());
            with_body(
                reply,
                AnswerBody::Trickle {
                    rest,
                    chunk,
                    pause,
                    wait: None,
                },
            )
        }
    }
}

/// Marks the exchange abandoned when hyper drops the answer before it is ready: the
/// client hung up (a timeout, say) while the request was processed or delayed.
struct Abandoned {
    shared: Arc<Shared>,
    seq: u64,
    armed: bool,
}

impl Drop for Abandoned {
    fn drop(&mut self) {
        if self.armed {
            self.shared.log().update(self.seq, |e| {
                if e.delivery == Delivery::Pending {
                    e.delivery = Delivery::Abandoned;
                    e.finished_at = Some(Instant::now());
                }
            });
        }
    }
}

/// Completes the logged exchange with the answer sent.
fn finish(shared: &Shared, seq: u64, reply: &Reply, delivery: Delivery) {
    shared.log().update(seq, |exchange| {
        exchange.status = reply.status;
        exchange.response_headers = reply.headers.clone();
        exchange.response_body = reply.body.clone();
        exchange.delivery = delivery;
        exchange.finished_at = Some(Instant::now());
    });
}

/// `reply`'s status and headers with another body, announcing the whole body's length.
fn with_body(reply: Reply, body: AnswerBody) -> hyper::Response<AnswerBody> {
    let length = reply.body.len();
    let head = Reply {
        body: Vec::new(),
        ..reply
    };
    let mut response = head.into_response().map(|_| body);
    response
        .headers_mut()
        .insert(hyper::header::CONTENT_LENGTH, length.into());
    response
}

/// Faults, delays and processing for one request; logs whether it was processed and
/// which fault fired (the answer itself is logged when it is sent).
async fn decide(
    shared: &Arc<Shared>,
    seq: u64,
    operation: Option<Operation>,
    request: Request,
) -> Plan {
    if shared.connections.current().is_some() {
        // A request arriving on a kept-alive connection while connections are turned
        // away is dropped too.
        shared.log().update(seq, |e| {
            e.delivery = Delivery::Reset;
            e.finished_at = Some(Instant::now());
        });
        return Plan::Reset;
    }
    let fault = operation.and_then(|op| shared.state().fault_for(op));
    let Some(fault) = fault else {
        let reply = process(shared, &request);
        shared.log().update(seq, |e| e.processed = true);
        return Plan::Whole(reply);
    };
    shared.log().update(seq, |e| e.fault = Some(fault.clone()));
    let plan = act(shared, &fault, &request, seq).await;
    if matches!(plan, Plan::Reset) {
        shared.log().update(seq, |e| {
            e.delivery = Delivery::Reset;
            e.finished_at = Some(Instant::now());
        });
    }
    plan
}

async fn act(shared: &Arc<Shared>, fault: &Fault, request: &Request, seq: u64) -> Plan {
    if !fault.process_first {
        if let Some(delay) = fault.delay {
            tokio::time::sleep(delay).await;
        }
    }
    if fault.action == Action::ExpireTokens {
        shared.state().expire_base_tokens();
    }
    let real = fault.processes().then(|| {
        let reply = process(shared, request);
        shared.log().update(seq, |e| e.processed = true);
        reply
    });
    if fault.process_first {
        if let Some(delay) = fault.delay {
            tokio::time::sleep(delay).await;
        }
    }
    // Truncated and trickled answers are the real one, which `processes()` made.
    let real_or_process = |real: Option<Reply>| match real {
        Some(reply) => reply,
        None => {
            shared.log().update(seq, |e| e.processed = true);
            process(shared, request)
        }
    };
    match &fault.action {
        Action::Status(status) => Plan::Whole(injected(shared, fault, *status, real)),
        Action::Pass | Action::ExpireTokens => Plan::Whole(real_or_process(real)),
        Action::Reset => Plan::Reset,
        Action::Refuse { how, duration } => {
            shared.connections.refuse(*how, *duration);
            Plan::Reset
        }
        Action::Truncate => Plan::Truncated(real_or_process(real)),
        Action::Trickle { chunk, pause } => Plan::Trickled(real_or_process(real), *chunk, *pause),
    }
}

/// The answer of a status fault: the mock's default for the status, with the fault's
/// headers and body; after processing, the real answer's rate headers where the fault
/// set none.
fn injected(shared: &Shared, fault: &Fault, status: u16, real: Option<Reply>) -> Reply {
    let mut reply = shared.state().injected(status);
    for (name, value) in &fault.headers {
        reply.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        reply.headers.push((name.clone(), value.clone()));
    }
    if let Some(body) = &fault.body {
        reply.body = body.clone();
    }
    if let Some(real) = real {
        if reply
            .headers
            .iter()
            .all(|(n, _)| !n.starts_with("x-ratelimit-"))
        {
            reply.headers.extend(
                real.headers
                    .into_iter()
                    .filter(|(n, _)| n.starts_with("x-ratelimit-")),
            );
        }
    }
    reply
}

/// Processes a request as SeaTable would, announcing its writes to the realtime sockets.
fn process(shared: &Arc<Shared>, request: &Request) -> Reply {
    #[cfg(feature = "realtime")]
    let written = super::realtime::written_base(&request.method, &request.path)
        .and_then(|uuid| Some((super::realtime::before(shared, &uuid)?, uuid)));
    let reply = shared.state().process(request);
    #[cfg(feature = "realtime")]
    if let Some((before, uuid)) = written {
        super::realtime::after(shared, &uuid, before);
    }
    reply
}

/// An answer's body: whole, or cut short or slowed down by a fault.
pub(crate) enum AnswerBody {
    Whole(Full<Bytes>),
    /// The first part, a short wait so that it leaves, then an error: hyper closes the
    /// connection short of the announced length.
    Truncated {
        part: Option<Bytes>,
        flush: Option<Pin<Box<Sleep>>>,
        full: u64,
    },
    /// `chunk` bytes at a time, `pause` between them.
    Trickle {
        rest: Bytes,
        chunk: usize,
        pause: Duration,
        wait: Option<Pin<Box<Sleep>>>,
    },
}

impl Body for AnswerBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match self.get_mut() {
            AnswerBody::Whole(full) => Pin::new(full)
                .poll_frame(cx)
                .map_err(|never| match never {}),
            AnswerBody::Truncated { part, flush, .. } => {
                if let Some(part) = part.take() {
                    return Poll::Ready(Some(Ok(Frame::data(part))));
                }
                let wait =
                    flush.get_or_insert_with(|| Box::pin(tokio::time::sleep(TRUNCATION_FLUSH)));
                if wait.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                Poll::Ready(Some(Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "the answer was truncated by an injected fault",
                ))))
            }
            AnswerBody::Trickle {
                rest,
                chunk,
                pause,
                wait,
            } => {
                if rest.is_empty() {
                    return Poll::Ready(None);
                }
                if let Some(sleep) = wait {
                    if sleep.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                }
                let piece = rest.split_to((*chunk).min(rest.len()));
                *wait = Some(Box::pin(tokio::time::sleep(*pause)));
                Poll::Ready(Some(Ok(Frame::data(piece))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            AnswerBody::Whole(full) => full.is_end_stream(),
            AnswerBody::Truncated { .. } => false,
            AnswerBody::Trickle { rest, .. } => rest.is_empty(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            AnswerBody::Whole(full) => full.size_hint(),
            AnswerBody::Truncated { full, .. } => SizeHint::with_exact(*full),
            AnswerBody::Trickle { rest, .. } => SizeHint::with_exact(rest.len() as u64),
        }
    }
}

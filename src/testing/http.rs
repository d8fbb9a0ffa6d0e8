//! The HTTP side of the mock: accept loop, one hyper connection per socket, and the path
//! from a request to its logged answer (faults, delays, processing).

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use super::state::{Reply, Request};
use super::{Exchange, Shared};
use crate::server::Operation;

/// Larger bodies are refused with 413; uploads in tests are far smaller.
const MAX_BODY: usize = 256 * 1024 * 1024;

pub(crate) async fn serve(shared: Arc<Shared>, listener: TcpListener) {
    // Owning the connection tasks here means aborting this task ends them too.
    let mut connections = JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        while connections.try_join_next().is_some() {}
        let shared = shared.clone();
        connections.spawn(async move {
            let service = service_fn(move |request| {
                let shared = shared.clone();
                async move { Ok::<_, Infallible>(answer(shared, request).await) }
            });
            // A client that hangs up mid-request is its own business.
            let _ = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                // The realtime service's websocket (`realtime` feature) is an upgrade.
                .with_upgrades()
                .await;
        });
    }
}

async fn answer(
    shared: Arc<Shared>,
    request: hyper::Request<Incoming>,
) -> hyper::Response<Full<Bytes>> {
    #[cfg(feature = "realtime")]
    if super::realtime::is_socket_io(&request) {
        return super::realtime::accept(shared, request);
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
    let (reply, request_body) = match body {
        Err(why) => (
            Reply::error_message(400, &format!("the request body could not be read: {why}")),
            Vec::new(),
        ),
        Ok(body) => {
            let request = Request::new(
                method.clone(),
                path.clone(),
                query.clone(),
                headers.clone(),
                body,
            );
            #[cfg(feature = "realtime")]
            let written = super::realtime::written_base(&method, &path)
                .and_then(|uuid| Some((super::realtime::before(&shared, &uuid)?, uuid)));
            let reply = run(&shared, operation, &request).await;
            #[cfg(feature = "realtime")]
            if let Some((before, uuid)) = written {
                super::realtime::after(&shared, &uuid, before);
            }
            (reply, request.body.to_vec())
        }
    };
    let exchange = Exchange {
        operation,
        method,
        path,
        query,
        request_headers: headers,
        request_body,
        status: reply.status,
        response_headers: reply.headers.clone(),
        response_body: reply.body.clone(),
    };
    shared.state().log.push(exchange);
    reply.into_response()
}

/// Faults, delays and processing for one request.
async fn run(shared: &Shared, operation: Option<Operation>, request: &Request) -> Reply {
    let fault = operation.and_then(|op| shared.state().fault_for(op));
    if let Some(delay) = fault.as_ref().and_then(|f| f.delay) {
        tokio::time::sleep(delay).await;
    }
    match fault {
        Some(fault) if !fault.process => match fault.status {
            Some(status) => shared.state().injected(status),
            None => shared.state().process(request),
        },
        Some(fault) => {
            let real = shared.state().process(request);
            match fault.status {
                Some(status) => {
                    let mut injected = shared.state().injected(status);
                    if injected
                        .headers
                        .iter()
                        .all(|(n, _)| !n.starts_with("x-ratelimit-"))
                    {
                        injected.headers.extend(
                            real.headers
                                .into_iter()
                                .filter(|(n, _)| n.starts_with("x-ratelimit-")),
                        );
                    }
                    injected
                }
                None => real,
            }
        }
        None => shared.state().process(request),
    }
}

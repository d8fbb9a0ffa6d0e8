//! Reading an answer's body in chunks, never further than the client needs: a 2xx body up
//! to the client's limit, an error body up to what the error keeps.

use bytes::{Bytes, BytesMut};

use crate::transport::error::{body_read_limit, Applied, Error, Secrets};

/// The limit on one answer's body when the builder is not told otherwise: far above any
/// SeaTable JSON answer (a page of 1000 wide rows is a few MiB), far below what would
/// exhaust a machine.
pub(crate) const DEFAULT_MAX_RESPONSE_BYTES: u64 = 256 * 1024 * 1024;

/// A first allocation no larger than this, whatever `Content-Length` claims.
const FIRST_CAPACITY: u64 = 1024 * 1024;

/// The whole body of a 2xx answer, refused with
/// [`ErrorKind::ResponseTooLarge`](crate::ErrorKind::ResponseTooLarge) as soon as it is
/// known to exceed `limit`: at once
/// when `Content-Length` says so, else when the bytes read pass it, whatever the header
/// claimed.
pub(crate) async fn read_success(
    mut response: reqwest::Response,
    operation: &str,
    limit: u64,
    secrets: &Secrets,
) -> Result<Bytes, Error> {
    let declared = response.content_length();
    if let Some(length) = declared.filter(|&length| length > limit) {
        return Err(Error::too_large(operation, limit, Some(length)));
    }
    let capacity = declared.unwrap_or(0).min(FIRST_CAPACITY).min(limit);
    let mut body = BytesMut::with_capacity(usize::try_from(capacity).unwrap_or(0));
    // A 2xx head means the server acted; a body cut off after it is a failure that only
    // an idempotent request may repeat.
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| Error::transport(operation, e, secrets).with_applied(Applied::Yes))?
    {
        let total = (body.len() as u64).saturating_add(chunk.len() as u64);
        if total > limit {
            return Err(Error::too_large(operation, limit, None));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The start of an error answer's body, as much as the error keeps (plus room to find a
/// secret that crosses the cut), and whether that is all of it. The rest is never read:
/// dropping the response closes the connection.
pub(crate) async fn read_error(
    response: &mut reqwest::Response,
    secrets: &Secrets,
) -> (Vec<u8>, bool) {
    let limit = body_read_limit(secrets);
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = limit - body.len();
                if chunk.len() > room {
                    body.extend_from_slice(&chunk[..room]);
                    return (body, false);
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return (body, true),
            // The status is the news; a body cut off adds nothing to it.
            Err(_) => return (body, false),
        }
    }
}

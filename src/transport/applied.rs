//! Whether a failed request may have changed data: shared by errors and batch reports.

/// Whether a failed request may have changed data on the server: what decides if a write
/// can be sent again without doing it twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// Certainly not: the request never reached the server, was refused before it was
    /// processed (429, 503, 4xx), or was never sent (a bad argument).
    No,
    /// Unknown: the connection broke or timed out after the request was sent, or the
    /// server failed with 500, 502 or 504 while processing it.
    Maybe,
    /// Yes: the server answered 2xx, but the answer could not be read.
    Yes,
}

//! Paging for blocking code: a [`PageStream`] read as an `Iterator`.

use futures_util::StreamExt;

use crate::bulk::paging::PageStream;
use crate::transport::error::Error;

/// Every item of a paged operation, page after page, for code without an async runtime;
/// what the generated `iter()` of a paged request returns. Each `next` that needs a new
/// page sends one request and waits for it; only one page is held at a time. The first
/// error is the last item.
///
/// ```no_run
/// # fn run(base: seatable_api::blocking::BaseClient) -> Result<(), seatable_api::Error> {
/// for row in base.list_rows("Table1").iter() {
///     println!("{:?}", row?.id);
/// }
/// # Ok(()) }
/// ```
#[must_use = "an iterator does nothing until it is iterated"]
#[derive(Debug)]
pub struct Pages<'a, T> {
    stream: PageStream<'a, T>,
    ended: bool,
}

impl<'a, T> Pages<'a, T> {
    /// The items of `stream`, read by blocking on each.
    pub fn new(stream: PageStream<'a, T>) -> Self {
        Pages {
            stream,
            ended: false,
        }
    }
}

impl<T> Iterator for Pages<'_, T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.ended {
            return None;
        }
        // `call` wants a `Result`: the stream's end is carried as `Ok(None)`.
        let next = super::call(async { self.stream.next().await.transpose() });
        match next {
            Ok(Some(item)) => Some(Ok(item)),
            Ok(None) => {
                self.ended = true;
                None
            }
            Err(error) => {
                self.ended = true;
                Some(Err(error))
            }
        }
    }
}

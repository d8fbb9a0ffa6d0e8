//! Paging: the streams behind the `stream()` and `all()` of every operation with
//! `x-paginate`. The generated code says how one page is requested (a closure that sets
//! the paging parameters on a copy of the request and sends it) and where its items are;
//! this module decides which page comes next, when to stop, and refuses to loop on a
//! server that does not page.
//!
//! Three styles, as the spec's `x-paginate` names them:
//! - offset (`start`/`limit`): pages start where the previous one ended;
//! - page (`page`/`per_page`): pages are numbered from 1;
//! - sql: the statement itself pages, with ` LIMIT n OFFSET m` appended.
//!
//! In each, the first page shorter than the page size is the last, and only one page is
//! held at a time.

use std::collections::hash_map::DefaultHasher;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::transport::error::{Error, ErrorKind};
use crate::transport::request::{decode_json, BoxFuture, Response};

/// The items of a paged list operation, one by one, page after page: what `stream()` of
/// every paging operation returns. Only one page is held at a time; the first error ends
/// the stream.
///
/// ```no_run
/// use futures_util::StreamExt;
/// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
/// let mut rows = base.list_rows("Table1").stream();
/// while let Some(row) = rows.next().await {
///     println!("{:?}", row?.id);
/// }
/// # Ok(()) }
/// ```
#[must_use = "a stream does nothing until it is polled"]
pub struct PageStream<'a, T> {
    inner: Pin<Box<dyn Stream<Item = Result<T, Error>> + Send + 'a>>,
    /// An error was yielded: nothing follows it.
    ended: bool,
}

impl<'a, T: 'a> PageStream<'a, T> {
    fn new(inner: impl Stream<Item = Result<T, Error>> + Send + 'a) -> Self {
        PageStream {
            inner: Box::pin(inner),
            ended: false,
        }
    }

    /// A stream that fails with `error` at once, before any request.
    fn failed(error: Error) -> Self
    where
        T: Send,
    {
        PageStream::new(futures_util::stream::once(async move { Err(error) }))
    }

    /// Every remaining item, collected; the first error is returned instead.
    ///
    /// ```no_run
    /// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
    /// let rows = base.list_rows("Table1").stream().all().await?;
    /// println!("{} rows", rows.len());
    /// # Ok(()) }
    /// ```
    pub async fn all(mut self) -> Result<Vec<T>, Error> {
        let mut out = Vec::new();
        while let Some(item) = self.next().await {
            out.push(item?);
        }
        Ok(out)
    }

    /// Each item converted by `f`, whose error ends the stream like a failed request.
    // Used by the typed rows of `base`.
    #[cfg_attr(not(feature = "base"), allow(dead_code))]
    pub(crate) fn try_map<U: 'a>(
        self,
        f: impl FnMut(T) -> Result<U, Error> + Send + 'a,
    ) -> PageStream<'a, U> {
        let mut f = f;
        PageStream::new(self.map(move |item| item.and_then(&mut f)))
    }
}

impl<T> Stream for PageStream<'_, T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.ended {
            return Poll::Ready(None);
        }
        let next = self.inner.as_mut().poll_next(cx);
        if let Poll::Ready(Some(Err(_))) = &next {
            self.ended = true;
        }
        next
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.ended {
            (0, Some(0))
        } else {
            self.inner.size_hint()
        }
    }
}

impl<T> fmt::Debug for PageStream<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PageStream")
    }
}

/// An integer type of a paging parameter (`start`, `limit`, `page`, `per_page`).
pub trait PageParam: Copy + Send + fmt::Display + 'static {
    /// The value as a count, `None` when it is negative.
    fn to_count(self) -> Option<u64>;
    /// A count as this type, `None` when it does not fit.
    fn from_count(n: u64) -> Option<Self>;
}

impl PageParam for i32 {
    fn to_count(self) -> Option<u64> {
        u64::try_from(self).ok()
    }
    fn from_count(n: u64) -> Option<Self> {
        i32::try_from(n).ok()
    }
}

impl PageParam for i64 {
    fn to_count(self) -> Option<u64> {
        u64::try_from(self).ok()
    }
    fn from_count(n: u64) -> Option<Self> {
        i64::try_from(n).ok()
    }
}

/// Sends the request for one page: (position, page size) for offset and page styles.
type FetchPage<'a> = Box<dyn FnMut(u64, u64) -> BoxFuture<'a, Result<Response, Error>> + Send + 'a>;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Offset,
    Page,
    Sql,
}

fn invalid(operation: &str, message: String) -> Error {
    Error::new(ErrorKind::InvalidArgument, message).with_operation(operation)
}

/// A caller's optional count: `None` gives `default`; below `min` is an error naming the
/// setting; above `max` is lowered to it.
fn count<P: PageParam>(
    operation: &str,
    name: &str,
    value: Option<P>,
    default: u64,
    min: u64,
    max: Option<u64>,
) -> Result<u64, Error> {
    let Some(value) = value else {
        return Ok(default);
    };
    match value.to_count() {
        Some(n) if n >= min => Ok(max.map_or(n, |m| n.min(m))),
        _ => Err(invalid(
            operation,
            format!("`{name}` must be at least {min} to page, not {value}; nothing was sent"),
        )),
    }
}

/// The adapter from the runtime's counts to the generated closure's parameter type.
fn numbered<'a, P: PageParam>(
    operation: &'static str,
    mut fetch: impl FnMut(P, P) -> BoxFuture<'a, Result<Response, Error>> + Send + 'a,
) -> FetchPage<'a> {
    Box::new(move |position, size| {
        match (P::from_count(position), P::from_count(size)) {
        (Some(position), Some(size)) => fetch(position, size),
        _ => Box::pin(std::future::ready(Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("the next page, at {position}, lies beyond what the paging parameters can hold; stopped there"),
        )
        .with_operation(operation)))),
    }
    })
}

/// The stream of an offset-style operation (`x-paginate` style `offset`): `start` items
/// skipped (default 0), pages of `limit` items (default and at most `max`).
///
/// ```no_run
/// # use seatable_api::__private as rt;
/// # fn run(base: &seatable_api::BaseClient) {
/// let rows = rt::paging::offset(
///     "listRows",
///     None::<i64>,
///     Some(500),
///     1000,
///     move |start, limit| {
///         let path = format!("/api-gateway/api/v2/dtables/{}/rows/", base.base_uuid());
///         let mut request = rt::Request::new("listRows", rt::Method::GET, path);
///         request.query("table_name", "Table1".into());
///         request.query("start", start.to_string());
///         request.query("limit", limit.to_string());
///         rt::Transport::execute(base, request)
///     },
///     |page: seatable_api::types::RowList| page.rows,
/// );
/// # }
/// ```
pub fn offset<'a, P, O, T>(
    operation: &'static str,
    start: Option<P>,
    limit: Option<P>,
    max: u64,
    fetch: impl FnMut(P, P) -> BoxFuture<'a, Result<Response, Error>> + Send + 'a,
    items: fn(O) -> Vec<T>,
) -> PageStream<'a, T>
where
    P: PageParam,
    O: DeserializeOwned + Send + 'a,
    T: Send + 'a,
{
    let first = count(operation, "start", start, 0, 0, None);
    let size = count(operation, "limit", limit, max, 1, Some(max));
    match (first, size) {
        (Ok(first), Ok(size)) => run(
            operation,
            Style::Offset,
            first,
            size,
            numbered(operation, fetch),
            items,
        ),
        (Err(e), _) | (_, Err(e)) => PageStream::failed(e),
    }
}

/// The stream of a page-style operation (`x-paginate` style `page`): from page `page`
/// (default 1) on, `per_page` items per page (default `size`).
///
/// ```no_run
/// # use seatable_api::__private as rt;
/// # fn run(account: &seatable_api::AccountClient) {
/// let entries = rt::paging::pages(
///     "listEntries",
///     None::<i64>,
///     None,
///     100,
///     move |page, per_page| {
///         let mut request = rt::Request::new("listEntries", rt::Method::GET, "/api/v2.1/entries/".into());
///         request.query("page", page.to_string());
///         request.query("per_page", per_page.to_string());
///         rt::Transport::execute(account, request)
///     },
///     |page: serde_json::Value| page["entries"].as_array().cloned().unwrap_or_default(),
/// );
/// # }
/// ```
pub fn pages<'a, P, O, T>(
    operation: &'static str,
    page: Option<P>,
    per_page: Option<P>,
    size: u64,
    fetch: impl FnMut(P, P) -> BoxFuture<'a, Result<Response, Error>> + Send + 'a,
    items: fn(O) -> Vec<T>,
) -> PageStream<'a, T>
where
    P: PageParam,
    O: DeserializeOwned + Send + 'a,
    T: Send + 'a,
{
    let first = count(operation, "page", page, 1, 1, None);
    let size = count(operation, "per_page", per_page, size, 1, None);
    match (first, size) {
        (Ok(first), Ok(size)) => run(
            operation,
            Style::Page,
            first,
            size,
            numbered(operation, fetch),
            items,
        ),
        (Err(e), _) | (_, Err(e)) => PageStream::failed(e),
    }
}

/// The stream of a SQL operation (`x-paginate` style `sql`): the `SELECT` in `statement`
/// sent with ` LIMIT n OFFSET m` appended, n = `page_size` (default and at most `max`).
/// A statement that cannot be paged fails the stream before anything is sent.
///
/// Each page is a statement of its own, and SQL promises no row order without `ORDER BY`:
/// pages cut from two different orders skip and repeat rows. So the stream makes the order
/// total first (see [`stable_order`]): ` ORDER BY _id` when the statement has no order,
/// `, _id` after an order of its own (ties broken by row id), the grouping columns for a
/// `GROUP BY`. Statements whose rows have no id to order by (`DISTINCT`, `UNION`, `JOIN`,
/// an aggregate over the whole table) are sent as written: give them an `ORDER BY` over
/// columns that tell every row apart.
///
/// ```no_run
/// # use seatable_api::__private as rt;
/// # fn run(base: &seatable_api::BaseClient) {
/// let rows = rt::paging::sql(
///     "querySql",
///     "SELECT Name FROM Table1",
///     None,
///     10000,
///     move |statement| {
///         let path = format!("/api-gateway/api/v2/dtables/{}/sql/", base.base_uuid());
///         let mut request = rt::Request::new("querySql", rt::Method::POST, path);
///         let body = request.json(&serde_json::json!({"sql": statement}));
///         Box::pin(async move {
///             body?;
///             rt::Transport::execute(base, request).await
///         })
///     },
///     |page: seatable_api::types::SqlResult| page.results,
/// );
/// # }
/// ```
pub fn sql<'a, O, T>(
    operation: &'static str,
    statement: &str,
    page_size: Option<u64>,
    max: u64,
    mut fetch: impl FnMut(String) -> BoxFuture<'a, Result<Response, Error>> + Send + 'a,
    items: fn(O) -> Vec<T>,
) -> PageStream<'a, T>
where
    O: DeserializeOwned + Send + 'a,
    T: Send + 'a,
{
    let size = match page_size {
        None => max,
        Some(0) => {
            return PageStream::failed(invalid(
                operation,
                "`page_size` must be at least 1; nothing was sent".to_string(),
            ))
        }
        Some(n) => n.min(max),
    };
    let base = match pageable_select(statement) {
        Ok(base) => format!("{base}{}", stable_order(base)),
        Err(problem) => {
            return PageStream::failed(invalid(
                operation,
                format!("cannot page this statement: {problem}; nothing was sent"),
            ))
        }
    };
    let fetch: FetchPage<'a> =
        Box::new(move |offset, size| fetch(format!("{base} LIMIT {size} OFFSET {offset}")));
    run(operation, Style::Sql, 0, size, fetch, items)
}

/// What the stream holds between two items: the rest of the current page and where the
/// next one starts.
struct State<'a, O, T> {
    operation: &'static str,
    style: Style,
    fetch: FetchPage<'a>,
    items: fn(O) -> Vec<T>,
    /// Offset (offset and sql styles) or page number (page style) of the next page.
    next: u64,
    size: u64,
    page: std::vec::IntoIter<T>,
    done: bool,
    /// Hash of the previous page's body, to notice a server that answers it again.
    previous: Option<u64>,
}

fn run<'a, O, T>(
    operation: &'static str,
    style: Style,
    first: u64,
    size: u64,
    fetch: FetchPage<'a>,
    items: fn(O) -> Vec<T>,
) -> PageStream<'a, T>
where
    O: DeserializeOwned + Send + 'a,
    T: Send + 'a,
{
    let state = State {
        operation,
        style,
        fetch,
        items,
        next: first,
        size,
        page: Vec::new().into_iter(),
        done: false,
        previous: None,
    };
    PageStream::new(futures_util::stream::unfold(
        state,
        |mut state| async move {
            loop {
                if let Some(item) = state.page.next() {
                    return Some((Ok(item), state));
                }
                if state.done {
                    return None;
                }
                if let Err(e) = state.next_page().await {
                    state.done = true;
                    return Some((Err(e), state));
                }
            }
        },
    ))
}

impl<O: DeserializeOwned, T> State<'_, O, T> {
    /// Fetches the next page into `self.page` and moves the position past it.
    async fn next_page(&mut self) -> Result<(), Error> {
        let response = (self.fetch)(self.next, self.size).await?;
        let secrets = response.secrets.clone();
        let body = response.bytes().await?;
        let items = (self.items)(decode_json::<O>(self.operation, &body, &secrets)?);
        let received = items.len() as u64;
        if received > self.size {
            return Err(self.not_paging(format!(
                "answered {received} items for a page of {}",
                self.size
            )));
        }
        // A SQL page may legitimately repeat the previous one (`SELECT Status …` over equal
        // rows); there the statement itself carries the offset.
        if self.style != Style::Sql && received > 0 {
            let mut hasher = DefaultHasher::new();
            body.hash(&mut hasher);
            let hash = hasher.finish();
            if self.previous == Some(hash) {
                return Err(self.not_paging(format!(
                    "answered the same {received} items again for the page at {}",
                    self.next
                )));
            }
            self.previous = Some(hash);
        }
        self.done = received < self.size;
        let step = match self.style {
            Style::Page => 1,
            Style::Offset | Style::Sql => received,
        };
        self.next = match self.next.checked_add(step) {
            Some(next) => next,
            None if self.done => self.next,
            None => return Err(self.not_paging("pages past the largest position".to_string())),
        };
        self.page = items.into_iter();
        Ok(())
    }

    fn not_paging(&self, what: String) -> Error {
        Error::new(
            ErrorKind::Decode,
            format!("the server does not page: it {what}; stopped to avoid reading the same items forever"),
        )
        .with_operation(self.operation)
    }
}

/// A plain SQL answer that may have been cut by the server, which drops rows beyond its
/// limits without saying so. Returned by the `send_with_truncation` of SQL operations.
///
/// ```no_run
/// # async fn run(base: seatable_api::BaseClient) -> Result<(), seatable_api::Error> {
/// let (result, truncation) = base.query_sql("SELECT * FROM Table1").send_with_truncation().await?;
/// if let Some(t) = truncation {
///     eprintln!("{t}"); // 100 rows came back, …
///     let every_row = base.query_sql("SELECT * FROM Table1").all().await?;
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Truncation {
    /// How many rows came back.
    pub rows: u64,
    /// The server's limit those rows reached.
    pub limit: u64,
    /// Whether the statement had its own `LIMIT` (then `limit` is the server's hard
    /// maximum; otherwise its default for a `SELECT` without `LIMIT`).
    pub statement_has_limit: bool,
}

impl fmt::Display for Truncation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let which = if self.statement_has_limit {
            "the most it returns for one statement"
        } else {
            "what it returns for a SELECT without LIMIT"
        };
        write!(
            f,
            "{} rows came back, {which} ({}); the server drops further rows without notice, so \
             the result may be incomplete: page it with `stream()` or `all()`",
            self.rows, self.limit
        )
    }
}

/// Whether `statement` only reads: one `SELECT`, nothing after it but comments and a
/// `;`. Such a `querySql` may be repeated after a failure whose outcome is unknown; any
/// other statement (or one that cannot be read) may have written, and is not.
///
/// ```no_run
/// use seatable_api::__private::paging::is_select;
/// assert!(is_select("  select * from T where a = ';' -- note"));
/// assert!(!is_select("SELECT 1; DELETE FROM T"));
/// assert!(!is_select("UPDATE T SET a = 1"));
/// ```
pub fn is_select(statement: &str) -> bool {
    let Ok(tokens) = lex(statement) else {
        return false;
    };
    let Some(first) = tokens.first() else {
        return false;
    };
    let mut after_semicolon = false;
    for t in &tokens {
        if t.kind == Kind::Semicolon {
            after_semicolon = true;
        } else if after_semicolon {
            return false;
        }
    }
    first.is_word("select")
}

/// The row count at which a plain answer to `statement` may have been cut, and whether
/// the statement had a `LIMIT`: `default` for a `SELECT` without `LIMIT`, `max` for one
/// whose `LIMIT` asks for more than `max` (or for a number only known to the server, a
/// `?`). `None` when no cut is possible (not a `SELECT`, or a `LIMIT` of at most `max`).
///
/// ```no_run
/// use seatable_api::__private::paging::sql_cap;
/// assert_eq!(sql_cap("SELECT * FROM T", 100, 10000), Some((100, false)));
/// assert_eq!(sql_cap("SELECT * FROM T LIMIT 50000", 100, 10000), Some((10000, true)));
/// assert_eq!(sql_cap("SELECT * FROM T LIMIT 100", 100, 10000), None);
/// ```
pub fn sql_cap(statement: &str, default: u64, max: u64) -> Option<(u64, bool)> {
    let tokens = lex(statement).ok()?;
    let words: Vec<&Token> = tokens
        .iter()
        .filter(|t| t.kind != Kind::Semicolon)
        .collect();
    if !words.first()?.is_word("select") {
        return None;
    }
    let Some(at) = words.iter().position(|t| t.is_word("limit")) else {
        return Some((default, false));
    };
    // `LIMIT n`, `LIMIT n OFFSET m` or MySQL's `LIMIT m, n`.
    let number = |i: usize| -> Option<u64> {
        let t = words.get(i)?;
        if t.kind == Kind::Number {
            t.text.parse().ok()
        } else {
            None
        }
    };
    let asked = match words.get(at + 2).map(|t| t.kind) {
        Some(Kind::Comma) => number(at + 3),
        _ => number(at + 1),
    };
    match asked {
        Some(n) if n <= max => None,
        _ => Some((max, true)),
    }
}

/// Whether a plain answer of `rows` rows reached `cap` (from [`sql_cap`]): then it is
/// logged with `tracing::warn!` (target `seatable_api`) and returned.
///
/// ```no_run
/// use seatable_api::__private::paging::{sql_cap, truncation};
/// let cap = sql_cap("SELECT * FROM T", 100, 10000);
/// assert!(truncation("querySql", cap, 100).is_some());
/// assert!(truncation("querySql", cap, 99).is_none());
/// ```
pub fn truncation(operation: &str, cap: Option<(u64, bool)>, rows: usize) -> Option<Truncation> {
    let (limit, statement_has_limit) = cap?;
    let rows = rows as u64;
    if rows < limit {
        return None;
    }
    let found = Truncation {
        rows,
        limit,
        statement_has_limit,
    };
    tracing::warn!(
        target: "seatable_api",
        operation,
        rows,
        limit,
        "possibly truncated SQL result: {found}"
    );
    Some(found)
}

/// The statement without its trailing `;`, comments and white space, when it is one
/// `SELECT` without `LIMIT` or `OFFSET` of its own; otherwise what is wrong with it.
fn pageable_select(statement: &str) -> Result<&str, String> {
    let tokens = lex(statement)?;
    let Some(first) = tokens.first() else {
        return Err("the statement is empty".to_string());
    };
    if !first.is_word("select") {
        let start = first.text;
        return Err(format!(
            "only a SELECT can be paged, and this statement starts with `{start}`"
        ));
    }
    let mut end = 0;
    let mut after_semicolon = false;
    for t in &tokens {
        if t.kind == Kind::Semicolon {
            after_semicolon = true;
            continue;
        }
        if after_semicolon {
            return Err("it holds more than one statement".to_string());
        }
        if t.is_word("limit") || t.is_word("offset") {
            let word = t.text.to_ascii_uppercase();
            return Err(format!(
                "it has its own {word} (at byte {}); remove it, the stream appends LIMIT and OFFSET itself",
                t.start
            ));
        }
        end = t.end;
    }
    Ok(&statement[..end])
}

/// What the SQL stream appends to a pageable `SELECT` (without its `;`, comments, `LIMIT` or `OFFSET`)
/// so that every page is cut from the same total order:
/// - no `ORDER BY`, no `GROUP BY`: ` ORDER BY _id` (every row has a distinct id);
/// - its own `ORDER BY`: `, _id`, so that rows equal in the user's order keep one order;
/// - `GROUP BY` without `ORDER BY`: ` ORDER BY` the grouping expressions (they tell the
///   groups apart); with one, those expressions after it;
/// - nothing for `DISTINCT`, `UNION`, `INTERSECT`, `EXCEPT`, `JOIN` or an aggregate without
///   `GROUP BY`: their rows carry no `_id` (or one row comes back), so the statement's own
///   order is all there is.
///
/// Only the statement's top level counts: a subquery's `ORDER BY` or `COUNT(` is not its order.
///
/// ```
/// use seatable_api::__private::paging::stable_order;
/// assert_eq!(stable_order("SELECT * FROM T"), " ORDER BY _id");
/// assert_eq!(stable_order("SELECT * FROM T ORDER BY Name DESC"), ", _id");
/// assert_eq!(stable_order("SELECT City, COUNT(*) FROM T GROUP BY City"), " ORDER BY City");
/// assert_eq!(stable_order("SELECT DISTINCT City FROM T"), "");
/// ```
pub fn stable_order(select: &str) -> String {
    const AGGREGATES: [&str; 6] = ["count", "sum", "avg", "min", "max", "group_concat"];
    const NO_ROW_ID: [&str; 5] = ["distinct", "union", "intersect", "except", "join"];
    let Ok(tokens) = lex(select) else {
        return String::new();
    };
    let mut depth = 0usize;
    let mut order_by = false;
    let mut aggregate = false;
    // Byte range of the top-level GROUP BY's expressions.
    let mut group: Option<(usize, usize)> = None;
    let mut in_group = false;
    for (i, t) in tokens.iter().enumerate() {
        match (t.kind, t.text) {
            (Kind::Other, "(") => depth += 1,
            (Kind::Other, ")") => depth = depth.saturating_sub(1),
            _ => {}
        }
        let opens_call =
            matches!(tokens.get(i + 1), Some(n) if n.kind == Kind::Other && n.text == "(");
        // The `(` of a call has been counted only on its own token, so the name is still at
        // the level it stands on.
        if depth > 0 {
            if in_group {
                if let Some((_, end)) = group.as_mut() {
                    *end = t.end;
                }
            }
            continue;
        }
        let followed_by_by = matches!(tokens.get(i + 1), Some(n) if n.is_word("by"));
        if NO_ROW_ID.iter().any(|w| t.is_word(w)) {
            return String::new();
        }
        if AGGREGATES.iter().any(|w| t.is_word(w)) && opens_call {
            aggregate = true;
        }
        if t.is_word("order") && followed_by_by {
            order_by = true;
            in_group = false;
        } else if t.is_word("group") && followed_by_by {
            in_group = true;
        } else if t.is_word("having") || t.is_word("window") {
            in_group = false;
        } else if in_group && !t.is_word("by") {
            group = Some(match group {
                Some((start, _)) => (start, t.end),
                None => (t.start, t.end),
            });
        } else if in_group && t.is_word("by") && group.is_some() {
            group = group.map(|(start, _)| (start, t.end));
        }
    }
    let keys = match group {
        Some((start, end)) => &select[start..end],
        None if aggregate => return String::new(),
        None => "_id",
    };
    if order_by {
        format!(", {keys}")
    } else {
        format!(" ORDER BY {keys}")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A keyword or an unquoted name.
    Word,
    Number,
    /// A string literal or a quoted name.
    Quoted,
    Semicolon,
    Comma,
    Other,
}

#[derive(Debug)]
struct Token<'s> {
    kind: Kind,
    /// Byte offset in the statement.
    start: usize,
    end: usize,
    text: &'s str,
}

impl Token<'_> {
    fn is_word(&self, word: &str) -> bool {
        self.kind == Kind::Word && self.text.eq_ignore_ascii_case(word)
    }
}

/// The significant tokens of a SQL statement: comments and white space left out, string
/// literals and quoted names kept whole (so a `'limit 5'` or a `` `limit` `` is no
/// keyword). An unterminated literal, quoted name or comment is an error.
fn lex(statement: &str) -> Result<Vec<Token<'_>>, String> {
    let bytes = statement.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let kind = match c {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => {
                i += 1;
                continue;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = line_end(bytes, i);
                continue;
            }
            b'#' => {
                i = line_end(bytes, i);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                match statement[i + 2..].find("*/") {
                    Some(close) => i += 2 + close + 2,
                    None => return Err(format!("the comment at byte {start} is not closed")),
                }
                continue;
            }
            b'\'' | b'"' | b'`' => {
                i = quoted_end(bytes, i).ok_or_else(|| {
                    let what = if c == b'`' {
                        "quoted name"
                    } else {
                        "string literal"
                    };
                    format!("the {what} at byte {start} is not closed")
                })?;
                Kind::Quoted
            }
            b';' => {
                i += 1;
                Kind::Semicolon
            }
            b',' => {
                i += 1;
                Kind::Comma
            }
            b'0'..=b'9' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                    i += 1;
                }
                Kind::Number
            }
            c if c == b'_' || c == b'$' || c.is_ascii_alphabetic() || c >= 0x80 => {
                while i < bytes.len()
                    && (bytes[i] == b'_'
                        || bytes[i] == b'$'
                        || bytes[i].is_ascii_alphanumeric()
                        || bytes[i] >= 0x80)
                {
                    i += 1;
                }
                Kind::Word
            }
            _ => {
                // One character (of any width) of punctuation.
                i += statement[i..].chars().next().map_or(1, char::len_utf8);
                Kind::Other
            }
        };
        tokens.push(Token {
            kind,
            start,
            end: i,
            text: &statement[start..i],
        });
    }
    Ok(tokens)
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |n| from + n)
}

/// The end of the literal or quoted name opening at `open`: a doubled quote stands for
/// itself, and in string literals a backslash escapes the next character.
fn quoted_end(bytes: &[u8], open: usize) -> Option<usize> {
    let quote = bytes[open];
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote != b'`' => i += 2,
            b if b == quote => {
                if bytes.get(i + 1) == Some(&quote) {
                    i += 2;
                } else {
                    return Some(i + 1);
                }
            }
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_is_cut_from_one_total_order() {
        let cases = [
            ("SELECT * FROM T", " ORDER BY _id"),
            ("SELECT Name FROM T WHERE Age > ?", " ORDER BY _id"),
            ("SELECT * FROM T order by Name DESC", ", _id"),
            ("SELECT * FROM T WHERE x IN (SELECT a FROM U ORDER BY a)", " ORDER BY _id"),
            ("SELECT City, COUNT(*) FROM T GROUP BY City", " ORDER BY City"),
            (
                "SELECT City, YEAR(Born), SUM(Pay) FROM T GROUP BY City, YEAR(Born) HAVING SUM(Pay) > 3",
                " ORDER BY City, YEAR(Born)",
            ),
            ("SELECT City, COUNT(*) FROM T GROUP BY City ORDER BY COUNT(*)", ", City"),
            ("SELECT COUNT(*) FROM T", ""),
            ("SELECT * FROM T WHERE Name = 'count(' ", " ORDER BY _id"),
            ("SELECT `max` FROM T", " ORDER BY _id"),
            ("SELECT DISTINCT City FROM T", ""),
            ("select a from T union select a from U", ""),
            ("SELECT * FROM T JOIN U ON T.a = U.a", ""),
        ];
        for (select, suffix) in cases {
            assert_eq!(stable_order(select), suffix, "{select}");
        }
    }

    #[test]
    fn a_select_is_cut_before_its_trailing_semicolon_and_comments() {
        let cases = [
            ("SELECT * FROM T", "SELECT * FROM T"),
            ("  select Name from T ;  ", "  select Name from T"),
            ("SELECT a FROM T -- all of them", "SELECT a FROM T"),
            ("SELECT a FROM T /* note */;\n", "SELECT a FROM T"),
            ("SELECT a FROM T # note", "SELECT a FROM T"),
            (
                "SELECT limit_x, `limit` FROM T",
                "SELECT limit_x, `limit` FROM T",
            ),
            (
                "SELECT * FROM T WHERE a = 'limit 5'",
                "SELECT * FROM T WHERE a = 'limit 5'",
            ),
            (
                "SELECT * FROM T WHERE a = 'it''s -- no comment'",
                "SELECT * FROM T WHERE a = 'it''s -- no comment'",
            ),
            (
                "SELECT * FROM T WHERE a = \"x\\\" limit 1\"",
                "SELECT * FROM T WHERE a = \"x\\\" limit 1\"",
            ),
            (
                "-- first\nSELECT Größe FROM T",
                "-- first\nSELECT Größe FROM T",
            ),
        ];
        for (statement, base) in cases {
            assert_eq!(pageable_select(statement), Ok(base), "{statement}");
        }
    }

    #[test]
    fn statements_that_cannot_be_paged_say_why() {
        let cases = [
            ("", "the statement is empty"),
            ("  -- nothing\n", "the statement is empty"),
            ("UPDATE T SET a = 1", "only a SELECT can be paged, and this statement starts with `UPDATE`"),
            ("'SELECT'", "only a SELECT can be paged, and this statement starts with `'SELECT'`"),
            ("SELECT * FROM T LIMIT 10", "it has its own LIMIT (at byte 16); remove it, the stream appends LIMIT and OFFSET itself"),
            ("SELECT * FROM T limit 10 offset 20", "it has its own LIMIT (at byte 16); remove it, the stream appends LIMIT and OFFSET itself"),
            ("SELECT * FROM T Offset 5", "it has its own OFFSET (at byte 16); remove it, the stream appends LIMIT and OFFSET itself"),
            ("SELECT * FROM T; DELETE FROM T", "it holds more than one statement"),
            ("SELECT * FROM T WHERE a = 'open", "the string literal at byte 26 is not closed"),
            ("SELECT `a FROM T", "the quoted name at byte 7 is not closed"),
            ("SELECT a /* FROM T", "the comment at byte 9 is not closed"),
        ];
        for (statement, problem) in cases {
            assert_eq!(
                pageable_select(statement),
                Err(problem.to_string()),
                "{statement}"
            );
        }
    }

    #[test]
    fn caps_follow_the_limit_clause() {
        let cases = [
            ("SELECT * FROM T", Some((100, false))),
            ("SELECT * FROM T WHERE a = 'limit 5'", Some((100, false))),
            ("select * from T limit 100", None),
            ("SELECT * FROM T LIMIT 10000", None),
            ("SELECT * FROM T LIMIT 10001", Some((10000, true))),
            ("SELECT * FROM T LIMIT 20, 10000", None),
            ("SELECT * FROM T LIMIT 20, 50000", Some((10000, true))),
            ("SELECT * FROM T LIMIT 5000 OFFSET 20000", None),
            ("SELECT * FROM T LIMIT ?", Some((10000, true))),
            ("UPDATE T SET a = 1", None),
            ("SELECT 'open", None),
        ];
        for (statement, cap) in cases {
            assert_eq!(sql_cap(statement, 100, 10000), cap, "{statement}");
        }
    }

    #[test]
    fn truncation_is_reported_at_the_cap_only() {
        assert_eq!(truncation("querySql", None, 10000), None);
        assert_eq!(truncation("querySql", Some((100, false)), 99), None);
        let t = truncation("querySql", Some((100, false)), 100).unwrap();
        assert_eq!(
            t,
            Truncation {
                rows: 100,
                limit: 100,
                statement_has_limit: false
            }
        );
        assert_eq!(
            t.to_string(),
            "100 rows came back, what it returns for a SELECT without LIMIT (100); the server \
             drops further rows without notice, so the result may be incomplete: page it with \
             `stream()` or `all()`"
        );
    }
}

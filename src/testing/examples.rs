//! The answer of an operation MockSeaTable has no behaviour for: the spec's example of its
//! success response (or a body built from its schema where the spec gives none), from the
//! table the generator writes (`answers.rs`), once the request's token is one the mock
//! knows for the operation.

use super::state::{Reply, Request, State};
use crate::generated::answers::{Answer, AnswerSource, ANSWERS};
use crate::server::Operation;

/// The answer MockSeaTable gives an operation it has no behaviour for (see
/// [`default_answer`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DefaultAnswer {
    /// The success status the spec declares for the operation.
    pub status: u16,
    /// The media type of the body; empty when the response has none.
    pub content_type: &'static str,
    /// The body: JSON text, or empty.
    pub body: &'static str,
    /// Where the body comes from.
    pub source: DefaultAnswerSource,
}

/// Where a [`DefaultAnswer`]'s body comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DefaultAnswerSource {
    /// The spec's example of the success response.
    SpecExample,
    /// Built from the response's schema by the generator: the spec gives no example.
    Schema,
    /// The success response has no JSON body (none, or a file of another media type).
    NoJson,
}

/// The answer `operation` gets when MockSeaTable has no behaviour for it (and a test set
/// none with [`respond`](super::MockSeaTable::respond)).
///
/// ```no_run
/// use seatable_api::testing::{default_answer, Operation};
/// let answer = default_answer(Operation::AccountListGroups);
/// assert_eq!(answer.status, 200);
/// ```
pub fn default_answer(operation: Operation) -> DefaultAnswer {
    let row: &Answer = &ANSWERS[operation as usize];
    DefaultAnswer {
        status: row.status,
        content_type: row.content_type,
        body: row.body,
        source: match row.source {
            AnswerSource::Spec => DefaultAnswerSource::SpecExample,
            AnswerSource::Schema => DefaultAnswerSource::Schema,
            AnswerSource::NoJson => DefaultAnswerSource::NoJson,
        },
    }
}

/// The default answer of `operation`, as its row of the generated table gives it.
pub(crate) fn answer(operation: Operation) -> Reply {
    let row: &Answer = &ANSWERS[operation as usize];
    let mut headers = Vec::new();
    if !row.content_type.is_empty() {
        headers.push(("content-type".to_string(), row.content_type.to_string()));
    }
    Reply {
        status: row.status,
        headers,
        body: row.body.as_bytes().to_vec(),
    }
}

impl State {
    /// The example answer, or 401 when the request lacks the token the operation needs.
    pub(crate) fn example_answer(&self, operation: Operation, request: &Request) -> Reply {
        let needs = ANSWERS[operation as usize].token;
        if needs == "none" {
            return answer(operation);
        }
        let Some(token) = request.credentials() else {
            return Reply::detail(401, "Authentication credentials were not provided.");
        };
        let known = match needs {
            // The mock has no roles: any account may act as a team or system admin.
            "account" | "team-admin" | "system-admin" => self.account_tokens.contains_key(token),
            "api" => self.knows_api_token(token),
            // The scheduler's own token is configured on the server, not issued: any.
            _ => true,
        };
        if known {
            answer(operation)
        } else {
            Reply::detail(401, "Invalid token")
        }
    }
}

//! `MockSeaTable::respond`: a test sets the answer of any operation, held to the spec's
//! schema for that status unless it says otherwise.

use serde_json::Value;

use super::spec_check::SpecCheck;
use super::state::Reply;
use super::MockSeaTable;
use crate::server::Operation;
use crate::{Error, ErrorKind};

impl MockSeaTable {
    /// From now on, answers every request for `operation` with `status` and `body`
    /// (`Value::Null` for a status the spec declares without a body), instead of what the
    /// mock would do; the request is not processed. Fails with
    /// [`ErrorKind::InvalidArgument`] naming each violation when the spec declares no such
    /// answer, so a test cannot make the mock say what SeaTable cannot; use
    /// [`respond_unchecked`](MockSeaTable::respond_unchecked) for that.
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable) -> Result<(), seatable_api::Error> {
    /// use seatable_api::testing::Operation;
    /// mock.respond(Operation::AccountListGroups, 200, serde_json::json!([]))?;
    /// # Ok(()) }
    /// ```
    pub fn respond(&self, operation: Operation, status: u16, body: Value) -> Result<(), Error> {
        let bytes = if body.is_null() {
            Vec::new()
        } else {
            serde_json::to_vec(&body).map_err(|e| invalid(format!("the body: {e}")))?
        };
        let check = SpecCheck::ours().check_response(
            operation.module(),
            operation.operation_id(),
            status,
            &bytes,
        );
        match check {
            Ok(violations) if violations.is_empty() => {}
            Ok(violations) => {
                let list: Vec<String> = violations.iter().map(ToString::to_string).collect();
                return Err(invalid(format!(
                    "the answer {status} of {} breaks the spec: {}",
                    operation.operation_id(),
                    list.join("; ")
                )));
            }
            Err(why) => return Err(invalid(why)),
        }
        let content_type = if bytes.is_empty() {
            Vec::new()
        } else {
            vec![("content-type".to_string(), "application/json".to_string())]
        };
        self.set_response(
            operation,
            Reply {
                status,
                headers: content_type,
                body: bytes,
            },
        );
        Ok(())
    }

    /// Like [`respond`](MockSeaTable::respond), with any body and headers and no check
    /// against the spec: for answers SeaTable gives that the spec does not describe.
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable) {
    /// use seatable_api::testing::Operation;
    /// mock.respond_unchecked(Operation::ListRows, 502, vec![("content-type".into(), "text/html".into())], b"<html>Bad Gateway</html>".to_vec());
    /// # }
    /// ```
    pub fn respond_unchecked(
        &self,
        operation: Operation,
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) {
        self.set_response(
            operation,
            Reply {
                status,
                headers,
                body,
            },
        );
    }

    /// Gives `operation` its own answers again, after [`respond`](MockSeaTable::respond).
    ///
    /// ```no_run
    /// # fn run(mock: &seatable_api::testing::MockSeaTable) {
    /// mock.clear_response(seatable_api::testing::Operation::AccountListGroups);
    /// # }
    /// ```
    pub fn clear_response(&self, operation: Operation) {
        self.shared.state().responses.remove(&operation);
    }

    fn set_response(&self, operation: Operation, reply: Reply) {
        self.shared.state().responses.insert(operation, reply);
    }
}

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidArgument, message)
}

//! Row comments: `listRowComments`, `createRowComment`, `getRowComment`,
//! `deleteRowComment`, `countRowComments`, `listCommentsWithinDays` and
//! `countCommentsPerRow`, in the shapes of the recorded answers (a bare array for a row's
//! comments, `resolved` as the integer 0, `rows_comments_num` leaving out rows without
//! comments).

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use serde_json::{json, Map, Value};

use super::records::{iso_utc, Comment};
use super::BaseData;
use crate::base::CreateRowCommentRequest;
use crate::testing::state::{Reply, Request};
use crate::types::SuccessResult;

/// SeaTable does not document the default of `days`; 3 is inferred.
const DEFAULT_DAYS: u64 = 3;

fn success() -> Reply {
    Reply::json(
        200,
        &SuccessResult {
            success: true,
            extra: Map::new(),
        },
    )
}

fn row_id(request: &Request) -> Result<&str, Reply> {
    request
        .query("row_id")
        .filter(|r| !r.is_empty())
        .ok_or_else(|| Reply::error_message(400, "row_id invalid"))
}

impl BaseData {
    fn comment_json(&self, comment: &Comment) -> Value {
        let at = iso_utc(comment.created_at);
        json!({
            "id": comment.id,
            "author": comment.author,
            "comment": comment.comment,
            "dtable_uuid": self.uuid,
            "row_id": comment.row_id,
            "created_at": at,
            "updated_at": at,
            "resolved": 0,
        })
    }

    fn comment_index(&self, id: &str) -> Result<usize, Reply> {
        id.parse::<i64>()
            .ok()
            .and_then(|id| self.records.comments.iter().position(|c| c.id == id))
            .ok_or_else(|| Reply::error_message(404, &format!("comment {id} not found")))
    }

    pub(crate) fn list_row_comments(&self, request: &Request) -> Result<Reply, Reply> {
        let row_id = row_id(request)?;
        let comments: Vec<Value> = self
            .records
            .comments
            .iter()
            .filter(|c| c.row_id == row_id)
            .map(|c| self.comment_json(c))
            .collect();
        Ok(Reply::json(200, &comments))
    }

    /// A comment on a row of the table named by its `_id`; 404 when either is unknown.
    pub(crate) fn create_row_comment(&mut self, request: &Request) -> Result<Reply, Reply> {
        let row_id = row_id(request)?.to_string();
        let table_id = request
            .query("table_id")
            .ok_or_else(|| Reply::error_message(400, "table_id invalid"))?;
        let table = self
            .table_by_id(table_id)
            .ok_or_else(|| Reply::error_message(404, &format!("table {table_id} not found")))?;
        if !table
            .rows
            .iter()
            .any(|r| r.get("_id").and_then(Value::as_str) == Some(row_id.as_str()))
        {
            return Err(Reply::error_message(
                404,
                &format!("row {row_id} not found"),
            ));
        }
        let body: CreateRowCommentRequest = request.json()?;
        if body.comment.trim().is_empty() {
            return Err(Reply::error_message(400, "comment invalid"));
        }
        let id = self.records.next_id();
        let author = self.records.actor.user();
        self.records.comments.push(Comment {
            id,
            author,
            comment: body.comment,
            row_id,
            created_at: SystemTime::now(),
        });
        Ok(success())
    }

    pub(crate) fn get_row_comment(&self, id: &str) -> Result<Reply, Reply> {
        let index = self.comment_index(id)?;
        Ok(Reply::json(
            200,
            &self.comment_json(&self.records.comments[index]),
        ))
    }

    pub(crate) fn delete_row_comment(&mut self, id: &str) -> Result<Reply, Reply> {
        let index = self.comment_index(id)?;
        self.records.comments.remove(index);
        Ok(success())
    }

    pub(crate) fn count_row_comments(&self, request: &Request) -> Result<Reply, Reply> {
        let row_id = row_id(request)?;
        let count = self
            .records
            .comments
            .iter()
            .filter(|c| c.row_id == row_id)
            .count();
        Ok(Reply::json(200, &json!({ "count": count })))
    }

    pub(crate) fn list_comments_within_days(&self, request: &Request) -> Result<Reply, Reply> {
        let days = match request.query("days") {
            None | Some("") => DEFAULT_DAYS,
            Some(text) => text
                .parse::<u64>()
                .ok()
                .filter(|d| *d >= 1)
                .ok_or_else(|| Reply::error_message(400, "days invalid"))?,
        };
        let since = SystemTime::now()
            .checked_sub(Duration::from_secs(days.saturating_mul(86_400)))
            .unwrap_or(SystemTime::UNIX_EPOCH);
        let comments: Vec<Value> = self
            .records
            .comments
            .iter()
            .filter(|c| c.created_at >= since)
            .map(|c| self.comment_json(c))
            .collect();
        Ok(Reply::json(200, &json!({ "comments": comments })))
    }

    pub(crate) fn count_comments_per_row(&self) -> Result<Reply, Reply> {
        let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
        for comment in &self.records.comments {
            *counts.entry(comment.row_id.as_str()).or_default() += 1;
        }
        Ok(Reply::json(200, &json!({ "rows_comments_num": counts })))
    }
}

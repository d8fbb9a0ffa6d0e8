//! `createSnapshot`: the base's state saved as a snapshot, answered as `created` with the
//! snapshot's commit id and time.
//!
//! SeaTable saves one only when the base changed since the last snapshot and ten minutes
//! have passed; what it answers otherwise is not recorded, so the stand-in always saves
//! one (inferred).

use std::time::SystemTime;

use serde_json::json;

use super::records::unix_millis;
use super::BaseData;
use crate::testing::state::Reply;

impl BaseData {
    pub(crate) fn create_snapshot(&mut self) -> Result<Reply, Reply> {
        let n = self.records.next_id();
        let ctime = unix_millis(SystemTime::now());
        let seed = self.uuid.replace('-', "");
        let commit_id = format!("{:0>24.24}{n:08x}{:08x}", seed, ctime & 0xffff_ffff);
        self.records.snapshots.push((commit_id.clone(), ctime));
        Ok(Reply::json(
            200,
            &json!({
                "status": "created",
                "snapshot": {
                    "dtable_uuid": self.uuid,
                    "dtable_name": format!("{}.dtable", self.name),
                    "commit_id": commit_id,
                    "ctime": ctime,
                },
            }),
        ))
    }
}

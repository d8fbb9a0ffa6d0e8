//! Links by table and column name against a server on 127.0.0.1: the ids looked up in the
//! metadata and sent from either side of a link, one metadata refresh on a miss, refusals
//! before anything is sent, and the paging of `listRowLinks`.

mod support;

use std::collections::BTreeMap;

use seatable_api::ErrorKind;
use serde_json::{json, Value};
use support::wiremock_base::{answer, base, GATEWAY};
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Two tables linked by `link_id` `lk01`: `Contacts` (`0000`) has the link column
/// `Projects`, `Projects` (`pr01`) the link column `Contacts`. SeaTable gives both columns
/// the same `data` (`table_id` is where the link was created) unless `swapped`, where each
/// column names its own table first.
fn metadata(swapped: bool, extra_contacts_column: Option<Value>) -> Value {
    let (from, to) = if swapped {
        ("pr01", "0000")
    } else {
        ("0000", "pr01")
    };
    let mut contacts_columns = vec![
        json!({"key": "0000", "name": "Name", "type": "text"}),
        json!({"key": "c1", "name": "Projects", "type": "link",
               "data": {"link_id": "lk01", "table_id": "0000", "other_table_id": "pr01",
                        "display_column_key": "0000", "is_multiple": true}}),
    ];
    contacts_columns.extend(extra_contacts_column);
    json!({"metadata": {"tables": [
        {"_id": "0000", "name": "Contacts", "views": [], "columns": contacts_columns},
        {"_id": "pr01", "name": "Projects", "views": [], "columns": [
            {"key": "0000", "name": "Title", "type": "text"},
            {"key": "p1", "name": "Contacts", "type": "link",
             "data": {"link_id": "lk01", "table_id": from, "other_table_id": to,
                      "display_column_key": "0000", "is_multiple": true}}
        ]}
    ]}})
}

async fn mount_metadata(server: &MockServer, metadata: Value, times: u64) {
    Mock::given(method("GET"))
        .and(path(format!("{GATEWAY}/metadata/")))
        .respond_with(answer(metadata))
        .expect(times)
        .mount(server)
        .await;
}

/// Every request to the link endpoints fails the test unless a mock above it matched.
async fn forbid_link_requests(server: &MockServer) {
    for endpoint in ["links/", "query-links/"] {
        Mock::given(path(format!("{GATEWAY}/{endpoint}")))
            .respond_with(ResponseTemplate::new(599))
            .expect(0)
            .mount(server)
            .await;
    }
}

fn ids_map(entries: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
    entries
        .iter()
        .map(|(row, others)| {
            (
                row.to_string(),
                others.iter().map(|s| s.to_string()).collect(),
            )
        })
        .collect()
}

#[tokio::test]
async fn ids_come_from_the_metadata_and_are_swapped_from_the_other_side() {
    for swapped in [false, true] {
        let server = MockServer::start().await;
        mount_metadata(&server, metadata(swapped, None), 1).await;
        Mock::given(method("POST"))
            .and(path(format!("{GATEWAY}/links/")))
            .and(body_json(json!({
                "link_id": "lk01",
                "table_id": "0000",
                "other_table_id": "pr01",
                "other_rows_ids_map": {"contact-1": ["project-1", "project-2"]}
            })))
            .respond_with(answer(json!({"success": true})))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("PUT"))
            .and(path(format!("{GATEWAY}/links/")))
            .and(body_json(json!({
                "link_id": "lk01",
                "table_id": "pr01",
                "other_table_id": "0000",
                "other_rows_ids_map": {"project-1": ["contact-1"], "project-2": []}
            })))
            .respond_with(answer(json!({"success": true})))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("DELETE"))
            .and(path(format!("{GATEWAY}/links/")))
            .and(body_json(json!({
                "link_id": "lk01",
                "table_id": "pr01",
                "other_table_id": "0000",
                "other_rows_ids_map": {"project-1": ["contact-1"]}
            })))
            .respond_with(answer(json!({"deleted_links_count": 1, "success": true})))
            .expect(1)
            .mount(&server)
            .await;
        forbid_link_requests(&server).await;

        let base = base(&server);
        let added = base
            .add_links(
                "Contacts",
                "Projects",
                "contact-1",
                ["project-1", "project-2"],
            )
            .await
            .unwrap();
        assert!(added.success);
        // From the Projects table, by its id, through its own link column.
        let set = base
            .set_links_map(
                "pr01",
                "Contacts",
                ids_map(&[("project-1", &["contact-1"]), ("project-2", &[])]),
            )
            .await
            .unwrap();
        assert!(set.success);
        let removed = base
            .remove_links("Projects", "Contacts", "project-1", ["contact-1"])
            .await
            .unwrap();
        assert_eq!(removed.deleted_links_count, 1, "swapped: {swapped}");
    }
}

#[tokio::test]
async fn an_unknown_column_refreshes_once_then_names_what_exists() {
    let server = MockServer::start().await;
    mount_metadata(&server, metadata(false, None), 2).await;
    forbid_link_requests(&server).await;
    let e = base(&server)
        .add_links("Contacts", "Companies", "contact-1", ["x"])
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert_eq!(
        e.to_string(),
        "createRowLinks: table `Contacts` has no column `Companies` (its columns: Name, \
         Projects); nothing was sent"
    );
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2, "the cached metadata, then one refresh");
}

#[tokio::test]
async fn an_unknown_table_refreshes_once_then_names_the_tables() {
    let server = MockServer::start().await;
    mount_metadata(&server, metadata(false, None), 2).await;
    forbid_link_requests(&server).await;
    let e = base(&server)
        .list_links("Companies", "Projects", ["contact-1"])
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "listRowLinks: the base has no table `Companies` (its tables: Contacts, Projects); \
         nothing was sent"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_column_added_meanwhile_is_found_by_the_refresh() {
    let server = MockServer::start().await;
    let new_column = json!({"key": "c2", "name": "Companies", "type": "link",
        "data": {"link_id": "lk02", "table_id": "0000", "other_table_id": "co01"}});
    // The first answer lacks the column; once served, the second one has it.
    Mock::given(method("GET"))
        .and(path(format!("{GATEWAY}/metadata/")))
        .respond_with(answer(metadata(false, None)))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    mount_metadata(&server, metadata(false, Some(new_column)), 1).await;
    Mock::given(method("POST"))
        .and(path(format!("{GATEWAY}/links/")))
        .and(body_json(json!({
            "link_id": "lk02",
            "table_id": "0000",
            "other_table_id": "co01",
            "other_rows_ids_map": {"contact-1": ["company-1"]}
        })))
        .respond_with(answer(json!({"success": true})))
        .expect(1)
        .mount(&server)
        .await;
    let base = base(&server);
    base.add_links("Contacts", "Companies", "contact-1", ["company-1"])
        .await
        .unwrap();
}

#[tokio::test]
async fn a_column_that_is_no_link_column_is_refused_without_a_refresh() {
    let server = MockServer::start().await;
    mount_metadata(&server, metadata(false, None), 1).await;
    forbid_link_requests(&server).await;
    let base = base(&server);
    let e = base
        .set_links("Contacts", "Name", "contact-1", ["project-1"])
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert_eq!(
        e.to_string(),
        "updateRowLinks: column `Name` of table `Contacts` is a `text` column, not a link \
         column; nothing was sent"
    );
    let e = base
        .remove_links_map("Contacts", "Projects", BTreeMap::new())
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "deleteRowLinks: no rows given; nothing was sent"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

fn linked(prefix: &str, range: std::ops::Range<usize>) -> Vec<Value> {
    range
        .map(
            |i| json!({"row_id": format!("{prefix}-{i}"), "display_value": format!("Project {i}")}),
        )
        .collect()
}

#[tokio::test]
async fn list_links_pages_each_row_until_a_short_page() {
    let server = MockServer::start().await;
    mount_metadata(&server, metadata(false, None), 1).await;
    Mock::given(method("POST"))
        .and(path(format!("{GATEWAY}/query-links/")))
        .and(body_json(json!({
            "table_name": "Contacts",
            "link_column_name": "Projects",
            "rows": [
                {"row_id": "contact-1", "offset": 0, "limit": 100},
                {"row_id": "contact-2", "offset": 0, "limit": 100},
                {"row_id": "contact-3", "offset": 0, "limit": 100}
            ]
        })))
        .respond_with(answer(json!({
            "contact-1": linked("p", 0..100),
            "contact-2": linked("q", 0..3),
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{GATEWAY}/query-links/")))
        .and(body_json(json!({
            "table_name": "Contacts",
            "link_column_name": "Projects",
            "rows": [{"row_id": "contact-1", "offset": 100, "limit": 100}]
        })))
        .respond_with(answer(json!({"contact-1": linked("p", 100..150)})))
        .expect(1)
        .mount(&server)
        .await;
    let all = base(&server)
        // The table by its id and the column by its key; the names go to the server.
        .list_links(
            "0000",
            "c1",
            ["contact-1", "contact-2", "contact-3", "contact-1"],
        )
        .await
        .unwrap();
    let ids = |row: &str| -> Vec<String> { all[row].iter().map(|l| l.row_id.clone()).collect() };
    assert_eq!(all.len(), 3);
    assert_eq!(
        ids("contact-1"),
        (0..150).map(|i| format!("p-{i}")).collect::<Vec<_>>()
    );
    assert_eq!(ids("contact-2"), ["q-0", "q-1", "q-2"]);
    assert!(all["contact-3"].is_empty(), "asked, not answered: no links");
    assert_eq!(all["contact-2"][1].display_value, Some(json!("Project 1")));
}

#[tokio::test]
async fn a_server_repeating_a_full_page_stops_the_paging() {
    let server = MockServer::start().await;
    mount_metadata(&server, metadata(false, None), 1).await;
    Mock::given(method("POST"))
        .and(path(format!("{GATEWAY}/query-links/")))
        .respond_with(answer(json!({"contact-1": linked("p", 0..100)})))
        .expect(2)
        .mount(&server)
        .await;
    let e = base(&server)
        .list_links("Contacts", "Projects", ["contact-1"])
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert_eq!(
        e.to_string(),
        "listRowLinks: the server answered the same linked rows of row `contact-1` again at \
         offset 100; stopped paging"
    );
}

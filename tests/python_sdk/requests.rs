//! The requests of the official Python SDK that differ from the spec, sent byte for byte
//! as `seatable_api/api_gateway.py` (4.0.0) builds them, without Python: the mock accepts
//! each, and routes it to the spec's operation.

use seatable_api::testing::{MockSeaTable, Operation};
use serde_json::{json, Value};

use super::binary::example_base_file;

#[tokio::test]
async fn the_python_sdks_own_request_forms_are_accepted() {
    let mock = MockSeaTable::start().await.unwrap();
    let document: Value =
        serde_json::from_slice(&std::fs::read(example_base_file()).unwrap()).unwrap();
    let base = mock.add_base("Demo", document["metadata"].clone()).unwrap();
    let ada = mock
        .add_rows(&base, "Contacts", vec![json!({"Name": "Ada", "Age": 36})])
        .unwrap();
    let engine = mock
        .add_rows(&base, "Projects", vec![json!({"Title": "Engine"})])
        .unwrap();
    let http = reqwest::Client::new();
    // `Token`, not `Bearer`: `parse_headers` in utils.py, for the API-Token and the JWT.
    let access: Value = http
        .get(format!("{}/api/v2.1/dtable/app-access-token/", mock.url()))
        .header("Authorization", format!("Token {}", base.api_token))
        .header("Content-Type", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jwt = access["access_token"].as_str().unwrap();
    let gateway = format!("{}/api-gateway/api/v2/dtables/{}", mock.url(), base.uuid);
    let token = format!("Token {jwt}");

    // `_dtable_db_query_url`: `/sql`, no trailing slash; `convert_keys` in the body.
    let answer = http
        .post(format!("{gateway}/sql"))
        .header("Authorization", &token)
        .json(&json!({"sql": "select Name from Contacts where Age > ?", "parameters": [30], "convert_keys": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["results"][0]["Name"], "Ada");

    // `add_link`: tables by name, no ids.
    let answer = http
        .post(format!("{gateway}/links/"))
        .header("Authorization", &token)
        .json(&json!({
            "link_id": "Lk01", "table_name": "Contacts", "other_table_name": "Projects",
            "other_rows_ids_map": {ada[0].clone(): [engine[0].clone()]}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200, "{}", answer.text().await.unwrap());
    assert_eq!(
        mock.rows(&base, "Contacts").unwrap()[0]["Projects"],
        json!([engine[0]])
    );

    // `get_linked_records`: `table_id` and `link_column_key`.
    let answer = http
        .post(format!("{gateway}/query-links/"))
        .header("Authorization", &token)
        .json(&json!({
            "table_id": "0000", "link_column_key": "Pr04",
            "rows": [{"row_id": ada[0], "offset": 0, "limit": 10}]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body[&ada[0]][0]["row_id"], engine[0].as_str());

    // `list_rows`: `convert_keys=True` as Python's requests spells a true boolean.
    let answer: Value = http
        .get(format!(
            "{gateway}/rows/?table_name=Contacts&convert_keys=True"
        ))
        .header("Authorization", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["rows"][0]["Name"], "Ada");

    // The exchange log names the spec's operation for the slash-less path.
    let sql = mock
        .requests()
        .into_iter()
        .find(|e| e.path.ends_with("/sql"))
        .unwrap();
    assert_eq!(sql.operation, Some(Operation::QuerySql));
}

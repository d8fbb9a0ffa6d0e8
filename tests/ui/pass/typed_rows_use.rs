// The row structs `seatable-codegen rows` generates from a base's metadata
// (codegen/tests/rows/metadata.json), used as an application would use them.
#![deny(warnings)]

#[allow(dead_code)]
mod rows {
    include!("../../../codegen/tests/rows/generated.rs");
}

use rows::{AllTypesInput, AllTypesRow, ProjectsInput, ProjectsRow};
use seatable_api::cells::{Date, Duration};
use seatable_api::{BaseClient, Error, TableInput, TableRow};
use serde_json::json;

async fn run(base: BaseClient) -> Result<(), Error> {
    let page: Vec<ProjectsRow> = base
        .list_typed_rows()
        .view_name("Default View")
        .start(0)
        .limit(100)
        .await?;
    let everything = base.list_typed_rows::<AllTypesRow>().all().await?;
    println!("{} rows, {} of every type", page.len(), everything.len());
    if let Some(first) = page.first() {
        let again: ProjectsRow = base.get_typed_row(first.row_id()).await?;
        let mut change = ProjectsInput::from(again);
        change.price = Some(19.5);
        base.update_typed_rows([(first.id.clone(), change)]).await?;
    }
    let ids = base
        .append_typed_rows([ProjectsInput {
            name: Some("Roof".into()),
            price: Some(9.5),
            due: Some(Date::parse("2030-06-20").expect("a date")),
            ..Default::default()
        }])
        .apply_default(true)
        .await?;
    let durations = ids.iter().map(|id| {
        (
            id.as_str(),
            AllTypesInput {
                duration: Some(Duration::from_secs(5430)),
                ..Default::default()
            },
        )
    });
    base.update_typed_rows(durations).await?;
    Ok(())
}

fn is_send<T: Send>(_: &T) {}

fn main() {
    let row: ProjectsRow = serde_json::from_value(json!({
        "_id": "Qm9vLx1TS2y9F1qdI4ZCwA",
        "_locked": null,
        "Name": "Roof",
        "Price": 499.99,
        "Total": 594.9881,
        "Done": null,
        "Unlisted": 1,
    }))
    .expect("a Projects row decodes");
    assert_eq!((row.price, row.done), (Some(499.99), None));
    assert_eq!(row.extra["Unlisted"], json!(1));
    assert_eq!(ProjectsRow::TABLE, "Projects");
    assert_eq!(<AllTypesInput as TableInput>::TABLE, "All Types");

    let input = ProjectsInput {
        price: Some(9.5),
        ..Default::default()
    };
    assert_eq!(serde_json::to_value(&input).unwrap(), json!({"Price": 9.5}));

    let base = BaseClient::new(
        seatable_api::Client::new("https://cloud.seatable.io").expect("a URL"),
        "650d8a0d-7e27-46a8-8b18-6cc6f3db2057",
        "jwt".into(),
    );
    let future = run(base);
    is_send(&future);
}

//! Lists the tables and columns of a base.
//!
//! `SEATABLE_SERVER_URL=https://cloud.seatable.io SEATABLE_API_TOKEN=… cargo run --example tables`

use seatable_api::types::Column;
use seatable_api::Client;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), seatable_api::Error> {
    let (Ok(server), Ok(token)) = (
        std::env::var("SEATABLE_SERVER_URL"),
        std::env::var("SEATABLE_API_TOKEN"),
    ) else {
        eprintln!("set SEATABLE_SERVER_URL and SEATABLE_API_TOKEN to list the tables of a base");
        return Ok(());
    };
    let base = Client::new(&server)?.base_with_api_token(token).await?;
    let metadata = base.get_metadata().await?;
    for table in &metadata.metadata.tables {
        println!("{} ({} views)", table.name, table.views.len());
        for column in &table.columns {
            let name = match column {
                Column::Unknown(raw) => raw
                    .get("name")
                    .and_then(|n| n.as_str())
                    .unwrap_or("?")
                    .to_string(),
                Column::Number(c) => format!(
                    "{} (precision {:?})",
                    c.name,
                    c.data.as_ref().and_then(|d| d.precision)
                ),
                other => other.tag().to_string(),
            };
            println!("  {name}");
        }
    }
    Ok(())
}

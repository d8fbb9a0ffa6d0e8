//! The page the decode benchmark reads, shared with the test that proves every way of
//! decoding it agrees (`tests/typed_rows.rs`).

use serde_json::{json, Value};

/// One row of table `All Types` of `codegen/tests/rows/metadata.json`, in the shapes a
/// SeaTable server sends with `convert_keys`; `i` varies the values so no two rows match.
pub fn row(i: usize) -> Value {
    json!({
        "_id": format!("Qtf7xPmoRaiFyQPO1a{i:04}"),
        "_ctime": "2025-01-02T10:00:00.000+00:00",
        "_mtime": "2025-03-04T11:12:13.456+00:00",
        "_creator": "8f3a2b1c4d5e6f708192a3b4c5d6e7f8@auth.local",
        "_last_modifier": "8f3a2b1c4d5e6f708192a3b4c5d6e7f8@auth.local",
        "_archived": false,
        "_locked": null,
        "_locked_by": null,
        "text": format!("Row number {i}"),
        "long-text": "# Notes\nSeveral lines of **Markdown** text,\nwith a list:\n- one\n- two",
        "number": 1234.5 + i as f64,
        "collaborator": ["8f3a2b1c4d5e6f708192a3b4c5d6e7f8@auth.local"],
        "date": "2030-06-20T14:30:00+02:00",
        "duration": 5430 + i,
        "single-select": "Open",
        "multiple-select": ["red", "blue"],
        "image": ["/workspace/42/asset/650d8a0d-7e27-46a8-8b18-6cc6f3db2057/images/2025-01/photo.png"],
        "file": [{"name": "report.pdf", "size": 48213, "type": "file",
                  "url": "/workspace/42/asset/650d8a0d-7e27-46a8-8b18-6cc6f3db2057/files/2025-01/report.pdf"}],
        "checkbox": i % 2 == 0,
        "rate": (i % 5) as i64,
        "geolocation": {"lat": 50.1109, "lng": 8.6821},
        "formula": i % 3 == 0,
        "link": [{"row_id": "Qtf7xPmoRaiFyQPO1aENTj", "display_value": "Linked row"}],
        "link-formula": [1.5, 2.5],
        "button": null,
        "digital-sign": {"username": "8f3a2b1c4d5e6f708192a3b4c5d6e7f8@auth.local",
                         "sign_image_url": "/digital-signs/2025-01/sign.png",
                         "sign_time": "2025-01-05T09:00:00+00:00"},
        "auto-number": format!("row-{i:04}"),
        "creator": "8f3a2b1c4d5e6f708192a3b4c5d6e7f8@auth.local",
        "ctime": "2025-01-02T10:00:00.000+00:00",
        "last-modifier": "8f3a2b1c4d5e6f708192a3b4c5d6e7f8@auth.local",
        "mtime": "2025-03-04T11:12:13.456+00:00",
        "email": "someone@example.com",
        "url": "https://seatable.io",
        "department-single-select": 12,
        "Größe (cm)": 181.5,
        "2024 Budget": 25000,
        "type": "kind",
        "Self": "self",
        "名前": "名前の値",
        "E-Mail": "other@example.com",
        "e mail": "text",
        "Name": "Upper",
        "name": "lower",
        "id": "an id",
        "extra": "a column named extra",
        "with \"quotes\" and \\ backslash": "q",
        "a`b": "tick",
        "Mood": 4
    })
}

/// The page: `{"rows": [...]}` with 1000 rows, as `list_rows` receives it.
pub fn page() -> String {
    let rows: Vec<Value> = (0..1000).map(row).collect();
    json!({ "rows": rows }).to_string()
}

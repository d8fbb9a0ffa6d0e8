//! The attachment helpers against servers on 127.0.0.1: the exact requests of an upload
//! (upload link, base token when needed, multipart upload), the cell values it returns,
//! and downloads streamed to a writer or a file, without a token on the download itself.

use std::path::{Path, PathBuf};

use seatable_api::{ApiTokenClient, AssetSource, Attachment, Client, ErrorKind, FileUpload};
use serde_json::{json, Value};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const UUID: &str = "650d8a0d-7e27-46a8-8b18-6cc6f3db2057";
const UPLOAD_PATH: &str = "/seafhttp/upload-api/83e701c8-84ba-498c-91b1-ddb3789edb7e";

fn api(server: &MockServer) -> ApiTokenClient {
    Client::new(&server.uri())
        .unwrap()
        .with_api_token("api-token")
}

fn answer(v: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(v)
}

/// A `getUploadLink` answer; recent servers name the workspace, older ones do not.
fn upload_link(server: &MockServer, workspace_id: Option<i64>) -> Value {
    let mut link = json!({
        "upload_link": format!("{}{UPLOAD_PATH}", server.uri()),
        "parent_path": format!("/asset/{UUID}"),
        "img_relative_path": "images/2025-03",
        "file_relative_path": "files/2025-03",
    });
    if let Some(id) = workspace_id {
        link["workspace_id"] = json!(id);
    }
    link
}

async fn mount_upload_link(server: &MockServer, workspace_id: Option<i64>) {
    Mock::given(method("GET"))
        .and(path("/api/v2.1/dtable/app-upload-link/"))
        .and(header("authorization", "Bearer api-token"))
        .respond_with(answer(upload_link(server, workspace_id)))
        .expect(1)
        .mount(server)
        .await;
}

async fn mount_upload(server: &MockServer, stored: Value) {
    Mock::given(method("POST"))
        .and(path(UPLOAD_PATH))
        .and(query_param("ret-json", "1"))
        .respond_with(answer(stored))
        .expect(1)
        .mount(server)
        .await;
}

async fn mount_base_token(server: &MockServer, times: u64) {
    Mock::given(method("GET"))
        .and(path("/api/v2.1/dtable/app-access-token/"))
        .and(header("authorization", "Bearer api-token"))
        .respond_with(answer(json!({
            "app_name": "importer",
            "access_token": "eyJhbGciOiJIUzI1NiJ9.e30.sig",
            "dtable_uuid": UUID,
            "dtable_server": "https://cloud.seatable.io/api-gateway/",
            "workspace_id": 24,
            "dtable_name": "Projects",
            "use_api_gateway": true
        })))
        .expect(times)
        .mount(server)
        .await;
}

/// One part of a multipart body: its name, file name, content type and content.
#[derive(Debug, PartialEq)]
struct Part {
    name: String,
    file_name: Option<String>,
    content_type: Option<String>,
    content: Vec<u8>,
}

/// The parts of a received `multipart/form-data` body, in order.
fn parts(request: &Request) -> Vec<Part> {
    let content_type = request
        .headers
        .get("content-type")
        .expect("a content type")
        .to_str()
        .unwrap()
        .to_string();
    let boundary = content_type
        .split("boundary=")
        .nth(1)
        .expect("a boundary")
        .trim_matches('"');
    let delimiter = format!("--{boundary}");
    let body = &request.body;
    let mut out = Vec::new();
    let mut starts = Vec::new();
    let mut at = 0;
    while let Some(found) = find(&body[at..], delimiter.as_bytes()) {
        starts.push(at + found);
        at += found + delimiter.len();
    }
    for pair in starts.windows(2) {
        // Between a delimiter's line end and the CRLF before the next delimiter.
        let raw = &body[pair[0] + delimiter.len() + 2..pair[1] - 2];
        let split = find(raw, b"\r\n\r\n").expect("part headers end");
        let headers = String::from_utf8_lossy(&raw[..split]).into_owned();
        let content = raw[split + 4..].to_vec();
        let mut part = Part {
            name: String::new(),
            file_name: None,
            content_type: None,
            content,
        };
        for line in headers.split("\r\n") {
            let lower = line.to_ascii_lowercase();
            if lower.starts_with("content-disposition:") {
                part.name = quoted(line, "name=").expect("a part name");
                part.file_name = quoted(line, "filename=");
            } else if lower.starts_with("content-type:") {
                part.content_type = Some(line["content-type:".len()..].trim().to_string());
            }
        }
        out.push(part);
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The quoted value after `key` (`name="file"`), skipping `filename=` when asked for `name=`.
fn quoted(line: &str, key: &str) -> Option<String> {
    let mut search = 0;
    while let Some(found) = line[search..].find(key) {
        let start = search + found;
        let preceded = line[..start].chars().last();
        if key == "name=" && preceded == Some('e') {
            search = start + key.len();
            continue;
        }
        let rest = &line[start + key.len()..];
        let rest = rest.strip_prefix('"')?;
        return Some(rest[..rest.find('"')?].to_string());
    }
    None
}

fn text_part(name: &str, value: &str) -> Part {
    Part {
        name: name.to_string(),
        file_name: None,
        content_type: None,
        content: value.as_bytes().to_vec(),
    }
}

/// A fresh, empty folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("files-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn an_upload_without_workspace_in_the_link_takes_three_requests_and_gives_a_file_cell() {
    let server = MockServer::start().await;
    mount_upload_link(&server, None).await;
    mount_base_token(&server, 1).await;
    mount_upload(
        &server,
        json!([{"name": "notes.txt", "id": "b4356e3000d01a37b458524b59cecb1a5d23d964", "size": 6}]),
    )
    .await;
    let stored = api(&server)
        .upload_attachment(
            FileUpload::new("notes.txt", b"hello\n".to_vec()),
            Attachment::File,
        )
        .await
        .unwrap();

    let requests = server.received_requests().await.unwrap();
    let sent: Vec<(String, String)> = requests
        .iter()
        .map(|r| (r.method.to_string(), r.url.path().to_string()))
        .collect();
    assert_eq!(
        sent,
        [
            ("GET".into(), "/api/v2.1/dtable/app-upload-link/".into()),
            ("GET".into(), "/api/v2.1/dtable/app-access-token/".into()),
            ("POST".into(), UPLOAD_PATH.into()),
        ]
    );
    assert_eq!(requests[2].url.query(), Some("ret-json=1"));
    assert_eq!(
        parts(&requests[2]),
        [
            Part {
                name: "file".into(),
                file_name: Some("notes.txt".into()),
                content_type: Some("application/octet-stream".into()),
                content: b"hello\n".to_vec(),
            },
            text_part("parent_dir", &format!("/asset/{UUID}")),
            text_part("relative_path", "files/2025-03"),
            text_part("replace", "0"),
        ]
    );

    let url = format!(
        "{}/workspace/24/asset/{UUID}/files/2025-03/notes.txt",
        server.uri()
    );
    assert_eq!(stored.name(), "notes.txt");
    assert_eq!(stored.size(), 6);
    assert_eq!(stored.url(), url);
    assert_eq!(stored.asset_path(), "/files/2025-03/notes.txt");
    assert_eq!(
        stored.cell_value(),
        json!({"name": "notes.txt", "size": 6, "type": "file", "url": url})
    );
    assert_eq!(
        json!({"Files": [stored]}),
        json!({"Files": [{"name": "notes.txt", "size": 6, "type": "file", "url": url}]}),
        "the value serialises into a row as the cell entry"
    );
}

#[tokio::test]
async fn an_image_upload_gives_the_url_with_the_stored_name_encoded() {
    let server = MockServer::start().await;
    mount_upload_link(&server, Some(42)).await;
    mount_base_token(&server, 0).await;
    mount_upload(
        &server,
        json!([{"name": "party photo (1).png", "id": "b4356e3000d01a37b458524b59cecb1a5d23d964", "size": 67646}]),
    )
    .await;
    let stored = api(&server)
        .upload_attachment(
            FileUpload::new("party photo.png", vec![0x89, b'P', b'N', b'G']).mime_type("image/png"),
            Attachment::Image,
        )
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2, "the link named the workspace");
    let sent = parts(&requests[1]);
    assert_eq!(sent[0].file_name.as_deref(), Some("party photo.png"));
    assert_eq!(sent[0].content_type.as_deref(), Some("image/png"));
    assert_eq!(sent[2], text_part("relative_path", "images/2025-03"));

    let url = format!(
        "{}/workspace/42/asset/{UUID}/images/2025-03/party%20photo%20%281%29.png",
        server.uri()
    );
    assert_eq!(
        stored.name(),
        "party photo (1).png",
        "the server's name wins"
    );
    assert_eq!(stored.url(), url);
    assert_eq!(stored.cell_value(), json!(url));
    assert_eq!(stored.cell().to_json(), json!([url]));
    assert_eq!(stored.asset_path(), "/images/2025-03/party photo (1).png");
}

#[tokio::test]
async fn a_file_from_a_path_goes_to_a_chosen_folder_and_may_replace() {
    let dir = scratch("upload-from-path");
    let file = dir.join("Report Q1.pdf");
    std::fs::write(&file, b"%PDF-1.7 fake").unwrap();
    let server = MockServer::start().await;
    mount_upload_link(&server, Some(42)).await;
    mount_upload(
        &server,
        json!([{"name": "Report Q1.pdf", "id": "b4356e3000d01a37b458524b59cecb1a5d23d964", "size": 13}]),
    )
    .await;
    let stored = api(&server)
        .upload_attachment_from_path(&file, Attachment::File)
        .relative_path("/files/reports/2025/")
        .replace(true)
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        parts(&requests[1]),
        [
            Part {
                name: "file".into(),
                file_name: Some("Report Q1.pdf".into()),
                content_type: Some("application/pdf".into()),
                content: b"%PDF-1.7 fake".to_vec(),
            },
            text_part("parent_dir", &format!("/asset/{UUID}")),
            text_part("relative_path", "files/reports/2025"),
            text_part("replace", "1"),
        ]
    );
    assert_eq!(
        stored.url(),
        format!(
            "{}/workspace/42/asset/{UUID}/files/reports/2025/Report%20Q1.pdf",
            server.uri()
        )
    );
    assert_eq!(stored.asset_path(), "/files/reports/2025/Report Q1.pdf");
}

#[tokio::test]
async fn a_missing_local_file_fails_before_any_request() {
    let server = MockServer::start().await;
    let missing = scratch("missing-file").join("nope.txt");
    let e = api(&server)
        .upload_attachment_from_path(&missing, Attachment::File)
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with(&format!("cannot read `{}`: ", missing.display())),
        "{e}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_malformed_upload_link_stops_before_uploading() {
    let server = MockServer::start().await;
    let mut link = upload_link(&server, Some(42));
    link["upload_link"] = json!(format!("{}/seafhttp/files/", server.uri()));
    Mock::given(method("GET"))
        .and(path("/api/v2.1/dtable/app-upload-link/"))
        .respond_with(answer(link))
        .expect(1)
        .mount(&server)
        .await;
    let e = api(&server)
        .upload_attachment(FileUpload::new("a.txt", b"a".to_vec()), Attachment::File)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert_eq!(
        e.to_string(),
        "getUploadLink: the upload link is malformed: its path does not end in \
         `/upload-api/<upload id>` (expected `<server>/seafhttp/upload-api/<upload id>`); \
         nothing was uploaded"
    );
    assert_eq!(e.applied(), seatable_api::Applied::No);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_refused_upload_is_an_error_with_status_and_operation() {
    let server = MockServer::start().await;
    mount_upload_link(&server, Some(42)).await;
    Mock::given(method("POST"))
        .and(path(UPLOAD_PATH))
        .respond_with(ResponseTemplate::new(403).set_body_string("Access denied"))
        .expect(1)
        .mount(&server)
        .await;
    let e = api(&server)
        .upload_attachment(FileUpload::new("a.txt", b"a".to_vec()), Attachment::File)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Api);
    assert_eq!(e.status(), Some(403));
    assert_eq!(e.operation(), Some("uploadFile"));
    assert_eq!(e.body(), Some("Access denied"));
    assert_eq!(e.to_string(), "uploadFile: HTTP 403");
}

#[tokio::test]
async fn an_upload_answer_without_a_file_is_an_error() {
    let server = MockServer::start().await;
    mount_upload_link(&server, Some(42)).await;
    mount_upload(&server, json!([])).await;
    let e = api(&server)
        .upload_attachment(FileUpload::new("a.txt", b"a".to_vec()), Attachment::File)
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "uploadFile: the file server answered with 0 stored files instead of one"
    );
    assert_eq!(e.applied(), seatable_api::Applied::Maybe);
}

/// A file of `len` bytes that is not one byte repeated, so order errors show.
fn content(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

/// The download link points to a second server: the file server, another host.
async fn mount_download(
    api_server: &MockServer,
    file_server: &MockServer,
    asset_path: &str,
    body: ResponseTemplate,
) {
    Mock::given(method("GET"))
        .and(path("/api/v2.1/dtable/app-download-link/"))
        .and(query_param("path", asset_path))
        .and(header("authorization", "Bearer api-token"))
        .respond_with(answer(json!({
            "download_link": format!("{}/seafhttp/files/12345678-1234-4672-834c-4eca40dc104b/report.pdf", file_server.uri())
        })))
        .expect(1)
        .mount(api_server)
        .await;
    Mock::given(method("GET"))
        .and(path(
            "/seafhttp/files/12345678-1234-4672-834c-4eca40dc104b/report.pdf",
        ))
        .respond_with(body)
        .expect(1)
        .mount(file_server)
        .await;
}

async fn assert_no_token_sent(file_server: &MockServer) {
    let requests = file_server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert!(
        !requests[0].headers.contains_key("authorization"),
        "the download link carries its own token: {:?}",
        requests[0].headers
    );
}

#[tokio::test]
async fn a_download_streams_into_a_writer_without_a_token() {
    let (api_server, file_server) = (MockServer::start().await, MockServer::start().await);
    let expected = content(300_000);
    mount_download(
        &api_server,
        &file_server,
        "/files/2025-03/report.pdf",
        ResponseTemplate::new(200).set_body_bytes(expected.clone()),
    )
    .await;
    let mut received = Vec::new();
    let n = api(&api_server)
        .download_to_writer(AssetSource::path("files/2025-03/report.pdf"), &mut received)
        .await
        .unwrap();
    assert_eq!(n, 300_000);
    assert!(received == expected, "the bytes arrive whole and in order");
    assert_no_token_sent(&file_server).await;
}

#[tokio::test]
async fn a_download_by_cell_url_checks_the_base_once_and_decodes_the_path() {
    let (api_server, file_server) = (MockServer::start().await, MockServer::start().await);
    mount_base_token(&api_server, 1).await;
    mount_download(
        &api_server,
        &file_server,
        "/files/2025-03/report (1).pdf",
        ResponseTemplate::new(200).set_body_bytes(b"pdf".to_vec()),
    )
    .await;
    let api = api(&api_server);
    let url = format!(
        "{}/workspace/24/asset/{UUID}/files/2025-03/report%20%281%29.pdf",
        api_server.uri()
    );
    let item: seatable_api::types::FileCellItem = serde_json::from_value(
        json!({"name": "report (1).pdf", "size": 3, "type": "file", "url": url}),
    )
    .unwrap();
    let mut received = Vec::new();
    api.download_to_writer(&item, &mut received).await.unwrap();
    assert_eq!(received, b"pdf");
    assert_no_token_sent(&file_server).await;
    // The base is known now: no second getBaseToken (the mock expects exactly one).
    assert_eq!(
        api.asset_path(&url).await.unwrap(),
        "/files/2025-03/report (1).pdf"
    );
}

#[tokio::test]
async fn a_url_of_another_server_or_base_is_refused() {
    let server = MockServer::start().await;
    mount_base_token(&server, 1).await;
    let api = api(&server);
    let foreign = format!("https://elsewhere.example/workspace/24/asset/{UUID}/files/a.txt");
    let e = api
        .download_to_writer(AssetSource::url(foreign.clone()), &mut Vec::new())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert_eq!(
        e.to_string(),
        format!(
            "getFileDownloadLink: `{foreign}` is not an asset URL of this base: it is not on \
             the server {}",
            server.uri()
        )
    );
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "refused without a request"
    );
    let other_base = format!(
        "{}/workspace/24/asset/11111111-2222-3333-4444-555555555555/files/a.txt",
        server.uri()
    );
    let e = api
        .download_to_writer(AssetSource::url(other_base.clone()), &mut Vec::new())
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "getFileDownloadLink: `{other_base}` is not an asset URL of this base: it belongs \
             to base 11111111-2222-3333-4444-555555555555, and this API-Token to base {UUID}"
        )
    );
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "only the base was looked up");
    assert_eq!(requests[0].url.path(), "/api/v2.1/dtable/app-access-token/");
}

#[tokio::test]
async fn a_download_to_a_path_replaces_the_target_only_when_complete() {
    let dir = scratch("download-ok");
    let target = dir.join("report.pdf");
    std::fs::write(&target, b"old version").unwrap();
    let (api_server, file_server) = (MockServer::start().await, MockServer::start().await);
    let expected = content(200_000);
    mount_download(
        &api_server,
        &file_server,
        "/files/2025-03/report.pdf",
        ResponseTemplate::new(200).set_body_bytes(expected.clone()),
    )
    .await;
    let n = api(&api_server)
        .download_to_path(AssetSource::path("/files/2025-03/report.pdf"), &target)
        .await
        .unwrap();
    assert_eq!(n, 200_000);
    assert!(std::fs::read(&target).unwrap() == expected);
    assert_eq!(entries(&dir), ["report.pdf"], "no temporary file left");
    assert_no_token_sent(&file_server).await;
}

#[tokio::test]
async fn a_failed_download_leaves_no_file_and_keeps_an_old_one() {
    let dir = scratch("download-failed");
    let (api_server, file_server) = (MockServer::start().await, MockServer::start().await);
    mount_download(
        &api_server,
        &file_server,
        "/files/2025-03/report.pdf",
        ResponseTemplate::new(404).set_body_string("File not found"),
    )
    .await;
    let api = api(&api_server);
    let target = dir.join("report.pdf");
    let e = api
        .download_to_path(AssetSource::path("/files/2025-03/report.pdf"), &target)
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(404));
    assert_eq!(e.operation(), Some("downloadFile"));
    assert_eq!(e.body(), Some("File not found"));
    assert!(!target.exists());
    assert!(entries(&dir).is_empty(), "{:?}", entries(&dir));

    // The same failure with a file in place leaves that file as it was.
    let (api_server, file_server) = (MockServer::start().await, MockServer::start().await);
    mount_download(
        &api_server,
        &file_server,
        "/files/2025-03/report.pdf",
        ResponseTemplate::new(500),
    )
    .await;
    std::fs::write(&target, b"old version").unwrap();
    // Not repeated, so that the failure is the answer.
    let e = Client::builder(&api_server.uri())
        .retry_policy(seatable_api::RetryPolicy::none())
        .build()
        .unwrap()
        .with_api_token("api-token")
        .download_to_path(AssetSource::path("/files/2025-03/report.pdf"), &target)
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "downloadFile: HTTP 500");
    assert_eq!(std::fs::read(&target).unwrap(), b"old version");
    assert_eq!(entries(&dir), ["report.pdf"]);
}

#[tokio::test]
async fn a_failed_download_link_request_writes_nothing() {
    let dir = scratch("download-link-failed");
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2.1/dtable/app-download-link/"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"error_msg": "path /files/x.pdf not found."})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let e = api(&server)
        .download_to_path(AssetSource::path("/files/x.pdf"), dir.join("x.pdf"))
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "getFileDownloadLink: HTTP 404: path /files/x.pdf not found."
    );
    assert!(entries(&dir).is_empty());
}

/// A file server that promises `promised` bytes, sends `sent` of them and hangs up.
fn cut_off_file_server(promised: usize, sent: usize) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut request = Vec::new();
        let mut buffer = [0u8; 1024];
        while find(&request, b"\r\n\r\n").is_none() {
            let n = stream.read(&mut buffer).unwrap();
            if n == 0 {
                return;
            }
            request.extend_from_slice(&buffer[..n]);
        }
        let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {promised}\r\n\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(&content(sent)).unwrap();
        stream.flush().unwrap();
        // Dropping the stream closes the connection mid-body.
    });
    format!("http://{address}/seafhttp/files/12345678-1234-4672-834c-4eca40dc104b/report.pdf")
}

#[tokio::test]
async fn a_download_cut_off_mid_body_leaves_no_half_file() {
    let dir = scratch("download-cut-off");
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2.1/dtable/app-download-link/"))
        .respond_with(answer(
            json!({"download_link": cut_off_file_server(100_000, 10_000)}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let target = dir.join("report.pdf");
    let e = api(&server)
        .download_to_path(AssetSource::path("/files/2025-03/report.pdf"), &target)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport);
    assert_eq!(e.operation(), Some("downloadFile"));
    assert!(
        !e.to_string().contains("12345678-1234"),
        "the link stays out of the message: {e}"
    );
    assert!(!target.exists());
    assert!(entries(&dir).is_empty(), "{:?}", entries(&dir));
}

#[tokio::test]
async fn a_download_that_fails_before_its_first_byte_is_repeated() {
    let (api_server, file_server) = (MockServer::start().await, MockServer::start().await);
    let expected = content(1000);
    Mock::given(method("GET"))
        .and(path("/api/v2.1/dtable/app-download-link/"))
        .respond_with(answer(json!({
            "download_link": format!("{}/seafhttp/files/12345678-1234-4672-834c-4eca40dc104b/report.pdf", file_server.uri())
        })))
        .expect(1)
        .mount(&api_server)
        .await;
    // The file server answers 503, then 502, then the file.
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&file_server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&file_server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(expected.clone()))
        .with_priority(3)
        .mount(&file_server)
        .await;
    let api = Client::builder(&api_server.uri())
        .retry_policy(
            seatable_api::RetryPolicy::default()
                .initial_backoff(std::time::Duration::from_millis(1))
                .max_backoff(std::time::Duration::from_millis(5)),
        )
        .build()
        .unwrap()
        .with_api_token("api-token");
    let mut received = Vec::new();
    let n = api
        .download_to_writer(
            AssetSource::path("/files/2025-03/report.pdf"),
            &mut received,
        )
        .await
        .unwrap();
    assert_eq!(n, 1000);
    assert!(received == expected);
    assert_eq!(file_server.received_requests().await.unwrap().len(), 3);

    // With repetitions off, the first failure is the answer.
    let strict = Client::builder(&api_server.uri())
        .retry_policy(seatable_api::RetryPolicy::none())
        .build()
        .unwrap()
        .with_api_token("api-token");
    file_server.reset().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&file_server)
        .await;
    api_server.reset().await;
    Mock::given(method("GET"))
        .and(path("/api/v2.1/dtable/app-download-link/"))
        .respond_with(answer(json!({
            "download_link": format!("{}/seafhttp/files/x/report.pdf", file_server.uri())
        })))
        .mount(&api_server)
        .await;
    let err = strict
        .download_to_writer(
            AssetSource::path("/files/2025-03/report.pdf"),
            &mut Vec::new(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(file_server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_upload_goes_to_the_host_of_the_upload_link_without_the_api_token() {
    let (api_server, file_server) = (MockServer::start().await, MockServer::start().await);
    // A file server on a host (and below a path) of its own, as separate installations have.
    let link = json!({
        "upload_link": format!("{}/fs{UPLOAD_PATH}", file_server.uri()),
        "parent_path": format!("/asset/{UUID}"),
        "img_relative_path": "images/2025-03",
        "file_relative_path": "files/2025-03",
        "workspace_id": 42,
    });
    Mock::given(method("GET"))
        .and(path("/api/v2.1/dtable/app-upload-link/"))
        .and(header("authorization", "Bearer api-token"))
        .respond_with(answer(link))
        .expect(1)
        .mount(&api_server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/fs{UPLOAD_PATH}")))
        .and(query_param("ret-json", "1"))
        .respond_with(answer(json!([{"name": "a.txt", "id": "f1", "size": 1}])))
        .expect(1)
        .mount(&file_server)
        .await;
    let stored = api(&api_server)
        .upload_attachment(FileUpload::new("a.txt", b"a".to_vec()), Attachment::File)
        .await
        .unwrap();
    assert_eq!(stored.name(), "a.txt");
    let at_api = api_server.received_requests().await.unwrap();
    assert_eq!(
        at_api.len(),
        1,
        "only the upload link was asked of the API server"
    );
    let at_files = file_server.received_requests().await.unwrap();
    assert_eq!(at_files.len(), 1, "the upload reached the link's host");
    assert!(
        !at_files[0].headers.contains_key("authorization"),
        "the API-Token does not go to another host: {:?}",
        at_files[0].headers
    );
    assert_eq!(parts(&at_files[0])[0].content, b"a");
    // The cell URL is the API server's, where SeaTable serves assets.
    assert_eq!(
        stored.url(),
        format!(
            "{}/workspace/42/asset/{UUID}/files/2025-03/a.txt",
            api_server.uri()
        )
    );

    // The same host keeps the header; a link without `/seafhttp/` is refused unsent.
    let same = api(&api_server)
        .with_upload_link(&format!("{}{UPLOAD_PATH}", api_server.uri()))
        .unwrap();
    Mock::given(method("POST"))
        .and(path(UPLOAD_PATH))
        .and(header("authorization", "Bearer api-token"))
        .respond_with(answer(json!([{"name": "b.txt", "id": "f2", "size": 1}])))
        .expect(1)
        .mount(&api_server)
        .await;
    same.upload_file(
        "83e701c8-84ba-498c-91b1-ddb3789edb7e",
        FileUpload::new("b.txt", b"b".to_vec()),
        format!("/asset/{UUID}"),
        "files",
    )
    .await
    .unwrap();
    let e = api(&api_server)
        .with_upload_link("https://files.example/upload/abc")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert_eq!(
        e.to_string(),
        "uploadFile: the upload link has no `/seafhttp/` in its path; expected \
         `<server>/seafhttp/upload-api/<id>`"
    );
}

#[tokio::test]
async fn a_download_by_cell_url_after_opening_the_base_needs_no_second_token_exchange() {
    let (api_server, file_server) = (MockServer::start().await, MockServer::start().await);
    mount_base_token(&api_server, 1).await;
    mount_download(
        &api_server,
        &file_server,
        "/files/2025-03/report.pdf",
        ResponseTemplate::new(200).set_body_bytes(b"pdf".to_vec()),
    )
    .await;
    let api = api(&api_server);
    let base = api.base().await.unwrap();
    assert_eq!(base.base_uuid(), UUID);
    let url = format!(
        "{}/workspace/24/asset/{UUID}/files/2025-03/report.pdf",
        api_server.uri()
    );
    let mut received = Vec::new();
    api.download_to_writer(AssetSource::url(url), &mut received)
        .await
        .unwrap();
    assert_eq!(received, b"pdf");
    let paths: Vec<String> = api_server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.url.path().to_string())
        .collect();
    assert_eq!(
        paths,
        [
            "/api/v2.1/dtable/app-access-token/",
            "/api/v2.1/dtable/app-download-link/"
        ],
        "the exchange that opened the base told the client its UUID"
    );
    assert_no_token_sent(&file_server).await;
}

//! A `multipart/form-data` reader for whole bodies in memory, enough for what the file
//! server receives: named fields and file parts.

/// One part: its field name, file name when it is a file, and content.
pub(crate) struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub data: Vec<u8>,
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > haystack.len() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// The value of `key=` in a header's parameters (`form-data; name="file"`), unquoted.
fn parameter(header: &str, key: &str) -> Option<String> {
    for piece in header.split(';').skip(1) {
        let (k, v) = piece.split_once('=')?;
        if k.trim().eq_ignore_ascii_case(key) {
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(v);
            return Some(v.replace("\\\"", "\""));
        }
    }
    None
}

/// Splits `body` by the boundary named in `content_type`; a message for the 400 otherwise.
pub(crate) fn parse(content_type: &str, body: &[u8]) -> Result<Vec<Part>, String> {
    let (essence, _) = content_type.split_once(';').unwrap_or((content_type, ""));
    if !essence.trim().eq_ignore_ascii_case("multipart/form-data") {
        return Err(format!(
            "the body must be multipart/form-data, not `{content_type}`"
        ));
    }
    let boundary = parameter(content_type, "boundary")
        .filter(|b| !b.is_empty())
        .ok_or("the multipart content type names no boundary")?;
    let delimiter = format!("--{boundary}").into_bytes();
    let mut parts = Vec::new();
    let mut at = find(body, &delimiter, 0).ok_or("the multipart body has no boundary line")?;
    loop {
        at += delimiter.len();
        if body.get(at..at + 2) == Some(b"--") {
            return Ok(parts);
        }
        if body.get(at..at + 2) != Some(b"\r\n") {
            return Err("a multipart boundary line is not followed by CRLF".into());
        }
        at += 2;
        let head_end = find(body, b"\r\n\r\n", at).ok_or("a multipart part has no header end")?;
        let head = String::from_utf8_lossy(&body[at..head_end]).into_owned();
        let data_start = head_end + 4;
        let mut closing = b"\r\n".to_vec();
        closing.extend_from_slice(&delimiter);
        let data_end =
            find(body, &closing, data_start).ok_or("a multipart part is not terminated")?;
        let disposition = head
            .split("\r\n")
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.trim()
                    .eq_ignore_ascii_case("content-disposition")
                    .then(|| value.trim().to_string())
            })
            .ok_or("a multipart part has no Content-Disposition")?;
        let name = parameter(&disposition, "name").ok_or("a multipart part has no name")?;
        parts.push(Part {
            name,
            file_name: parameter(&disposition, "filename"),
            data: body[data_start..data_end].to_vec(),
        });
        at = data_end + 2;
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn fields_and_files_are_split_and_bad_bodies_refused() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"parent_dir\"\r\n\r\n/asset/1\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a b.txt\"\r\nContent-Type: text/plain\r\n\r\nline1\r\nline2\r\n--XyZ--\r\n";
        let parts = parse("multipart/form-data; boundary=XyZ", body).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "parent_dir");
        assert_eq!(parts[0].data, b"/asset/1");
        assert_eq!(parts[0].file_name, None);
        assert_eq!(parts[1].file_name.as_deref(), Some("a b.txt"));
        assert_eq!(parts[1].data, b"line1\r\nline2");
        assert_eq!(
            parse("application/json", body).err().unwrap(),
            "the body must be multipart/form-data, not `application/json`"
        );
        assert_eq!(
            parse("multipart/form-data", body).err().unwrap(),
            "the multipart content type names no boundary"
        );
        assert_eq!(
            parse(
                "multipart/form-data; boundary=XyZ",
                b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end"
            )
            .err()
            .unwrap(),
            "a multipart part is not terminated"
        );
    }
}

//! The generated route table (`seatable_api::server`, `testing` feature): every path
//! template of the spec routes back to its own operation, with its parameters.

use seatable_api::server::Operation;

/// `template` with each `{name}` replaced by `v-name`.
fn instantiate(template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = start
            + rest[start..]
                .find('}')
                .expect("templates close their braces");
        out.push_str(&format!("v-{}", &rest[start + 1..end]));
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn every_template_routes_to_its_operation() {
    assert_eq!(Operation::ALL.len(), 387);
    for &op in Operation::ALL {
        let path = instantiate(op.path());
        let (found, params) = Operation::route(op.method(), &path)
            .unwrap_or_else(|| panic!("{op:?}: {} {path} routes nowhere", op.method()));
        assert_eq!(found, op, "{} {path}", op.method());
        let expected: Vec<(String, String)> = op
            .path()
            .split('{')
            .skip(1)
            .map(|s| {
                let name = &s[..s.find('}').expect("closed")];
                (name.to_string(), format!("v-{name}"))
            })
            .collect();
        let got: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(got, expected, "{op:?}");
    }
}

#[test]
fn names_and_lookups() {
    let (op, params) = Operation::route(
        "GET",
        "/api-gateway/api/v2/dtables/650d8a0d-7e27-46a8-8b18-6cc6f3db2057/rows/",
    )
    .expect("list rows is in the spec");
    assert_eq!(op, Operation::ListRows);
    assert_eq!(
        params,
        [("base_uuid", "650d8a0d-7e27-46a8-8b18-6cc6f3db2057")]
    );
    assert_eq!(op.operation_id(), "listRows");
    assert_eq!(op.module(), "base");
    assert_eq!(op.method(), "GET");
    assert_eq!(op.path(), "/api-gateway/api/v2/dtables/{base_uuid}/rows/");
    // The same path with another method is another operation, or none.
    let (append, _) = Operation::route(
        "post",
        "/api-gateway/api/v2/dtables/650d8a0d-7e27-46a8-8b18-6cc6f3db2057/rows/",
    )
    .expect("append rows is in the spec");
    assert_eq!(append, Operation::AppendRows);
    assert_eq!(
        Operation::route("PATCH", "/api-gateway/api/v2/dtables/x/rows/"),
        None
    );
    // Ids shared by several spec files carry their area.
    assert_eq!(Operation::SystemAdminListUsers.module(), "system_admin");
    assert_eq!(Operation::SystemAdminListUsers.operation_id(), "listUsers");
}

#[test]
fn paths_outside_the_spec_route_nowhere() {
    for (method, path) in [
        ("GET", "/"),
        ("GET", ""),
        ("GET", "no-leading-slash/"),
        ("GET", "/api-gateway/api/v2/dtables//rows/"),
        ("GET", "/api-gateway/api/v2/dtables/x/rows"),
        ("GET", "/api-gateway/api/v2/dtables/x/rows/r1/extra/"),
        ("BREW", "/api2/account/info/"),
    ] {
        assert_eq!(Operation::route(method, path), None, "{method} {path}");
    }
}

#[test]
fn a_literal_segment_beats_a_parameter() {
    // Every pair of templates of one method that both match a path: the route chosen is
    // the one whose first literal-versus-parameter difference is a literal.
    let mut overlapping = 0;
    for &a in Operation::ALL {
        for &b in Operation::ALL {
            if a == b || a.method() != b.method() {
                continue;
            }
            // `a`'s path with b's parameters filled from a's literal text, when it fits b.
            let path = instantiate(a.path());
            let pa: Vec<&str> = a.path().split('/').collect();
            let pb: Vec<&str> = b.path().split('/').collect();
            if pa.len() != pb.len() {
                continue;
            }
            let b_fits = pa
                .iter()
                .zip(&pb)
                .all(|(x, y)| x == y || y.starts_with('{'));
            if !b_fits {
                continue;
            }
            overlapping += 1;
            let (found, _) = Operation::route(a.method(), &path).expect("a's own path");
            assert_eq!(
                found,
                a,
                "{} {path}: {a:?} is more literal than {b:?}",
                a.method()
            );
        }
    }
    assert!(
        overlapping > 0,
        "the spec has overlapping templates to test"
    );
}

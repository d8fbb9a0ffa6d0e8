//! A stand-in for the generated route table, covering the operations the mock serves.
// Replaced by `crate::generated::server` once that exists.

/// A SeaTable operation, named after its spec `operationId`.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operation {
    /// `login`
    Login,
    /// `getBaseToken`
    GetBaseToken,
    /// `getBaseTokenForBase`
    GetBaseTokenForBase,
    /// `getMetadata`
    GetMetadata,
    /// `listRows`
    ListRows,
    /// `appendRows`
    AppendRows,
    /// `updateRows`
    UpdateRows,
    /// `deleteRows`
    DeleteRows,
    /// `getRow`
    GetRow,
    /// `querySql`
    QuerySql,
    /// `listRowLinks`
    ListRowLinks,
    /// `createRowLinks`
    CreateRowLinks,
    /// `updateRowLinks`
    UpdateRowLinks,
    /// `deleteRowLinks`
    DeleteRowLinks,
    /// `createTable`
    CreateTable,
    /// `renameTable`
    RenameTable,
    /// `deleteTable`
    DeleteTable,
    /// `listViews`
    ListViews,
    /// `createView`
    CreateView,
    /// `getView`
    GetView,
    /// `listColumns`
    ListColumns,
    /// `insertColumn`
    InsertColumn,
    /// `updateColumn`
    UpdateColumn,
    /// `deleteColumn`
    DeleteColumn,
    /// `appendColumns`
    AppendColumns,
    /// `getUploadLink`
    GetUploadLink,
    /// `uploadFile`
    UploadFile,
    /// `getFileDownloadLink`
    GetFileDownloadLink,
    /// `ping`
    Ping,
    /// `lockRows`
    LockRows,
}

const G: &str = "/api-gateway/api/v2/dtables/{base_uuid}";

impl Operation {
    fn entry(self) -> (&'static str, &'static str, &'static str, &'static str) {
        use Operation::*;
        match self {
            Login => ("login", "auth", "POST", "/api2/auth-token/"),
            GetBaseToken => ("getBaseToken", "auth", "GET", "/api/v2.1/dtable/app-access-token/"),
            GetBaseTokenForBase => (
                "getBaseTokenForBase",
                "auth",
                "GET",
                "/api/v2.1/workspace/{workspace_id}/dtable/{base_name}/access-token/",
            ),
            GetMetadata => ("getMetadata", "base", "GET", "/api-gateway/api/v2/dtables/{base_uuid}/metadata/"),
            ListRows => ("listRows", "base", "GET", "/api-gateway/api/v2/dtables/{base_uuid}/rows/"),
            AppendRows => ("appendRows", "base", "POST", "/api-gateway/api/v2/dtables/{base_uuid}/rows/"),
            UpdateRows => ("updateRows", "base", "PUT", "/api-gateway/api/v2/dtables/{base_uuid}/rows/"),
            DeleteRows => ("deleteRows", "base", "DELETE", "/api-gateway/api/v2/dtables/{base_uuid}/rows/"),
            GetRow => ("getRow", "base", "GET", "/api-gateway/api/v2/dtables/{base_uuid}/rows/{row_id}/"),
            QuerySql => ("querySql", "base", "POST", "/api-gateway/api/v2/dtables/{base_uuid}/sql/"),
            ListRowLinks => ("listRowLinks", "base", "POST", "/api-gateway/api/v2/dtables/{base_uuid}/query-links/"),
            CreateRowLinks => ("createRowLinks", "base", "POST", "/api-gateway/api/v2/dtables/{base_uuid}/links/"),
            UpdateRowLinks => ("updateRowLinks", "base", "PUT", "/api-gateway/api/v2/dtables/{base_uuid}/links/"),
            DeleteRowLinks => ("deleteRowLinks", "base", "DELETE", "/api-gateway/api/v2/dtables/{base_uuid}/links/"),
            CreateTable => ("createTable", "base", "POST", "/api-gateway/api/v2/dtables/{base_uuid}/tables/"),
            RenameTable => ("renameTable", "base", "PUT", "/api-gateway/api/v2/dtables/{base_uuid}/tables/"),
            DeleteTable => ("deleteTable", "base", "DELETE", "/api-gateway/api/v2/dtables/{base_uuid}/tables/"),
            ListViews => ("listViews", "base", "GET", "/api-gateway/api/v2/dtables/{base_uuid}/views/"),
            CreateView => ("createView", "base", "POST", "/api-gateway/api/v2/dtables/{base_uuid}/views/"),
            GetView => ("getView", "base", "GET", "/api-gateway/api/v2/dtables/{base_uuid}/views/{view_name}/"),
            ListColumns => ("listColumns", "base", "GET", "/api-gateway/api/v2/dtables/{base_uuid}/columns/"),
            InsertColumn => ("insertColumn", "base", "POST", "/api-gateway/api/v2/dtables/{base_uuid}/columns/"),
            UpdateColumn => ("updateColumn", "base", "PUT", "/api-gateway/api/v2/dtables/{base_uuid}/columns/"),
            DeleteColumn => ("deleteColumn", "base", "DELETE", "/api-gateway/api/v2/dtables/{base_uuid}/columns/"),
            AppendColumns => ("appendColumns", "base", "POST", "/api-gateway/api/v2/dtables/{base_uuid}/batch-append-columns/"),
            GetUploadLink => ("getUploadLink", "files", "GET", "/api/v2.1/dtable/app-upload-link/"),
            UploadFile => ("uploadFile", "files", "POST", "/seafhttp/upload-api/{upload_link}"),
            GetFileDownloadLink => ("getFileDownloadLink", "files", "GET", "/api/v2.1/dtable/app-download-link/"),
            Ping => ("ping", "auth", "GET", "/api2/ping/"),
            LockRows => ("lockRows", "base", "PUT", "/api-gateway/api/v2/dtables/{base_uuid}/lock-rows/"),
        }
    }

    /// Every operation.
    pub const ALL: &'static [Operation] = &[
        Operation::Login, Operation::GetBaseToken, Operation::GetBaseTokenForBase,
        Operation::GetMetadata, Operation::ListRows, Operation::AppendRows,
        Operation::UpdateRows, Operation::DeleteRows, Operation::GetRow, Operation::QuerySql,
        Operation::ListRowLinks, Operation::CreateRowLinks, Operation::UpdateRowLinks,
        Operation::DeleteRowLinks, Operation::CreateTable, Operation::RenameTable,
        Operation::DeleteTable, Operation::ListViews, Operation::CreateView, Operation::GetView,
        Operation::ListColumns, Operation::InsertColumn, Operation::UpdateColumn,
        Operation::DeleteColumn, Operation::AppendColumns, Operation::GetUploadLink,
        Operation::UploadFile, Operation::GetFileDownloadLink, Operation::Ping,
        Operation::LockRows,
    ];

    /// The spec `operationId`.
    pub fn operation_id(self) -> &'static str {
        self.entry().0
    }
    /// The spec file's module.
    pub fn module(self) -> &'static str {
        self.entry().1
    }
    /// The HTTP method.
    pub fn method(self) -> &'static str {
        self.entry().2
    }
    /// The path template.
    pub fn path(self) -> &'static str {
        self.entry().3
    }

    /// The operation a request is for, with the path parameters.
    pub fn route<'a>(method: &str, path: &'a str) -> Option<(Operation, Vec<(&'static str, &'a str)>)> {
        let _ = G;
        for op in Operation::ALL {
            if !op.method().eq_ignore_ascii_case(method) {
                continue;
            }
            if let Some(params) = match_template(op.path(), path) {
                return Some((*op, params));
            }
        }
        None
    }
}

fn match_template<'a>(template: &'static str, path: &'a str) -> Option<Vec<(&'static str, &'a str)>> {
    let mut t = template.split('/');
    let mut p = path.split('/');
    let mut params = Vec::new();
    loop {
        match (t.next(), p.next()) {
            (None, None) => return Some(params),
            (Some(ts), Some(ps)) => {
                if let Some(name) = ts.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    if ps.is_empty() {
                        return None;
                    }
                    params.push((name, ps));
                } else if ts != ps {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

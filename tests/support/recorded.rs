//! Which operation of our spec each recorded SeaTable answer belongs to.
//!
//! The recordings (SeaTable's own API test suite, see `tests/recorded/README.md`) are named
//! by SeaTable's test module (folder) and test name (file). The copies in `tests/recorded/`
//! are named by our operationId instead; [`operation_of_copy`] maps those.

/// Which operation of our spec each recorded answer belongs to, by its folder and file
/// name (SeaTable's test names); `Err` says why a file is skipped. A file that is neither
/// mapped nor skipped fails the test, so a new recording is always looked at.
#[allow(clippy::type_complexity)]
pub fn recorded_operation(
    folder: &str,
    file: &str,
) -> Result<(&'static str, &'static str, Option<&'static str>), String> {
    if file.contains("Deprecated]") {
        return Err(
            "an answer of the /dtable-server or /dtable-db paths, removed in SeaTable 5.3".into(),
        );
    }
    let name = file.trim_end_matches(".json");
    let test = name.split('[').next().unwrap_or(name);
    let test = test.trim_start_matches("test_");
    if let Some((_, _, why)) = SKIPPED
        .iter()
        .find(|(f, t, _)| *f == folder && (t.is_empty() || *t == test))
    {
        return Err((*why).into());
    }
    RECORDED
        .iter()
        .find(|(f, t, ..)| *f == folder && *t == test)
        .map(|(_, _, m, o, list)| (*m, *o, *list))
        .ok_or_else(|| format!("{folder}/{file} is neither mapped to an operation nor skipped"))
}

/// `(folder, test name, module, operationId, list)`: with `list`, the recording is one item
/// of the answer's list property of that name (SeaTable's test kept only the item it checked).
pub const RECORDED: &[(&str, &str, &str, &str, Option<&str>)] = &[
    (
        "test_account",
        "getAccountInfo",
        "account",
        "getAccountInfo",
        None,
    ),
    (
        "test_activities",
        "getBaseActivityLog",
        "base",
        "listOperationLog",
        None,
    ),
    (
        "test_activities",
        "listRowActivities",
        "base",
        "listRowActivities",
        None,
    ),
    (
        "test_api_tokens",
        "createApiToken",
        "auth",
        "createApiToken",
        None,
    ),
    (
        "test_api_tokens",
        "listApiTokens",
        "auth",
        "listApiTokens",
        Some("api_tokens"),
    ),
    (
        "test_authentication",
        "getAccountTokenfromUsername",
        "auth",
        "login",
        None,
    ),
    (
        "test_authentication",
        "getBaseTokenWithApiToken",
        "auth",
        "getBaseToken",
        None,
    ),
    (
        "test_base_operations",
        "appendRows",
        "base",
        "appendRows",
        None,
    ),
    (
        "test_base_operations",
        "createBase",
        "account",
        "createBase",
        None,
    ),
    (
        "test_base_operations",
        "createTable",
        "base",
        "createTable",
        None,
    ),
    ("test_base_operations", "getRow", "base", "getRow", None),
    ("test_base_operations", "listRows", "base", "listRows", None),
    (
        "test_base_operations",
        "listRows_files_images",
        "base",
        "listRows",
        None,
    ),
    (
        "test_base_operations",
        "listRows_links",
        "base",
        "listRows",
        None,
    ),
    ("test_base_operations", "querySQL", "base", "querySql", None),
    (
        "test_columns",
        "appendColumns",
        "base",
        "appendColumns",
        None,
    ),
    ("test_columns", "insertColumn", "base", "insertColumn", None),
    ("test_columns", "listColumns", "base", "listColumns", None),
    ("test_comments", "getComment", "base", "getRowComment", None),
    (
        "test_comments",
        "getNumberOfComments",
        "base",
        "countCommentsPerRow",
        None,
    ),
    (
        "test_comments",
        "listCommentsWithinDays_multiple_comments",
        "base",
        "listCommentsWithinDays",
        None,
    ),
    (
        "test_comments",
        "listRowComments_multiple_comments",
        "base",
        "listRowComments",
        None,
    ),
    ("test_metadata", "getMetadata", "base", "getMetadata", None),
    (
        "test_metadata",
        "listCollaborators",
        "base",
        "listCollaborators",
        None,
    ),
    (
        "test_notifications",
        "listBaseNotifications",
        "base",
        "listNotifications",
        None,
    ),
    (
        "test_notifications",
        "listBaseNotifications_selected_collaborator",
        "base",
        "listNotifications",
        None,
    ),
    (
        "test_notifications",
        "markBaseNotificationsAsSeen",
        "base",
        "markNotificationsSeen",
        None,
    ),
    // The test read the notifications back after marking them.
    (
        "test_notifications",
        "markBaseNotificationsAsSeen.1",
        "base",
        "listNotifications",
        None,
    ),
    // The test read the row back after updating it.
    ("test_row_crud", "updateRow", "base", "getRow", None),
    (
        "test_system_admin",
        "getSystemInformation",
        "system_admin",
        "getSystemInfo",
        None,
    ),
    (
        "test_system_admin",
        "getUser",
        "system_admin",
        "getUser",
        None,
    ),
    (
        "test_system_admin",
        "listUsers",
        "system_admin",
        "listUsers",
        None,
    ),
    (
        "test_tables",
        "duplicateTable",
        "base",
        "duplicateTable",
        None,
    ),
    (
        "test_team_bases",
        "listBasesSharedToUser",
        "system_admin",
        "listBasesSharedToUser",
        None,
    ),
    (
        "test_team_info",
        "getTeamInfo",
        "team_admin",
        "getInfo",
        None,
    ),
    (
        "test_team_info",
        "listGroupMembers",
        "team_admin",
        "listGroupMembers",
        Some("members"),
    ),
    (
        "test_team_info",
        "listGroups",
        "team_admin",
        "listGroups",
        Some("groups"),
    ),
    ("test_views", "createView", "base", "createView", None),
    ("test_views", "getView", "base", "getView", None),
    ("test_views", "listViews", "base", "listViews", None),
];

/// `(folder, test name or "" for the whole folder, why)`.
pub const SKIPPED: &[(&str, &str, &str)] = &[
    ("test_websocket", "", "a websocket event, not an HTTP answer"),
    ("test_departments", "", "the department API of a newer server (`department_list`, `id_in_org`), not in SeaTable 6.2's published API"),
    ("test_user_departments", "", "the address-book-v2 API of a newer server (`id_in_org`, `parent_id`), not in SeaTable 6.2's published API"),
    ("test_team_apps", "", "app lists of a newer server (`managed_apps`, `count`), not in SeaTable 6.2's published API"),
];

/// The `(module, operationId)` of a copy in `tests/recorded/` (`getRow.json`): the first
/// mapping of [`RECORDED`] to that operationId.
pub fn operation_of_copy(file: &str) -> Option<(&'static str, &'static str)> {
    let operation = file.trim_end_matches(".json");
    RECORDED
        .iter()
        .find(|(_, _, _, o, _)| *o == operation)
        .map(|(_, _, m, o, _)| (*m, *o))
}

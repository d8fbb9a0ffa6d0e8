"""SeaTable's official Python SDK (seatable-api 4.0.0) against seatable-mock.

Run by tests/python_sdk/run.rs with the environment:
  SEATABLE_URL       the mock's URL (http://127.0.0.1:PORT)
  SEATABLE_API_TOKEN the API-Token of the base `Demo` (tests/mock_server/base.json)
  SEATABLE_EMAIL, SEATABLE_PASSWORD  a user of the mock
  SEATABLE_SCRATCH   a directory for downloaded and uploaded files

Every call is made as a user of the SDK makes it and its result asserted. At the end it
prints one line `SUMMARY <json>` with what the Rust side checks in the mock's saved state,
and exits 1 when any call failed.
"""

import json
import os
import sys
import traceback

from seatable_api import Account, Base
from seatable_api.constants import ColumnTypes

URL = os.environ["SEATABLE_URL"]
API_TOKEN = os.environ["SEATABLE_API_TOKEN"]
EMAIL = os.environ["SEATABLE_EMAIL"]
PASSWORD = os.environ["SEATABLE_PASSWORD"]
SCRATCH = os.environ["SEATABLE_SCRATCH"]

passed = []
failed = []
summary = {}


def check(name, call):
    """Runs one SDK call (with its assertions); records the outcome."""
    try:
        result = call()
    except Exception:  # noqa: BLE001 - every failure is reported with its traceback
        failed.append(name)
        print("FAILED %s:\n%s" % (name, traceback.format_exc(limit=3)))
        return None
    passed.append(name)
    print("ok %s" % name)
    return result


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


base = Base(API_TOKEN, URL)


def auth():
    base.auth()
    expect(base.use_api_gateway, "the Base-Token answer names the API gateway")
    expect(base.jwt_token and base.jwt_token.count(".") == 2, "a JWT Base-Token")
    expect(base.dtable_name == "Demo", "dtable_name %r" % base.dtable_name)


check("auth", auth)


# ------------------------------------------------------------------ tables and metadata
def get_metadata():
    metadata = base.get_metadata()
    names = [t["name"] for t in metadata["tables"]]
    expect(names == ["Contacts", "Projects"], names)
    return metadata


check("get_metadata", get_metadata)
check("list_tables", lambda: expect(len(base.list_tables()) == 2, "two tables"))
check(
    "get_table_by_name",
    lambda: expect(base.get_table_by_name("Projects")["_id"] == "Pj00", "Projects is Pj00"),
)


def add_table():
    answer = base.add_table("Scratch", lang="en")
    expect(answer["name"] == "Scratch", answer)
    expect(any(t["name"] == "Scratch" for t in base.list_tables()), "Scratch listed")


check("add_table", add_table)


def rename_table():
    base.rename_table("Scratch", "Scratchpad")
    names = [t["name"] for t in base.list_tables()]
    expect("Scratchpad" in names and "Scratch" not in names, names)


check("rename_table", rename_table)


def delete_table():
    base.delete_table("Scratchpad")
    expect(all(t["name"] != "Scratchpad" for t in base.list_tables()), "Scratchpad deleted")


check("delete_table", delete_table)


# ------------------------------------------------------------------------------ views
def list_views():
    views = base.list_views("Contacts")["views"]
    expect([v["name"] for v in views] == ["Default View"], views)


check("list_views", list_views)


def add_view():
    view = base.add_view("Contacts", "Adults")
    expect(view["name"] == "Adults", view)


check("add_view", add_view)
check(
    "get_view_by_name",
    lambda: expect(base.get_view_by_name("Contacts", "Adults")["name"] == "Adults", "Adults"),
)


def rename_view():
    base.rename_view("Contacts", "Adults", "Grown-ups")
    names = [v["name"] for v in base.list_views("Contacts")["views"]]
    expect("Grown-ups" in names and "Adults" not in names, names)


check("rename_view", rename_view)


def delete_view():
    base.delete_view("Contacts", "Grown-ups")
    names = [v["name"] for v in base.list_views("Contacts")["views"]]
    expect(names == ["Default View"], names)


check("delete_view", delete_view)


# ------------------------------------------------------------------------------- rows
def list_rows():
    rows = base.list_rows("Contacts")
    expect([r["Name"] for r in rows] == ["Ada Lovelace", "Alan Turing"], rows)
    return rows


seeded = check("list_rows", list_rows) or []


def get_row():
    row = base.get_row("Contacts", seeded[0]["_id"])
    expect(row["Name"] == "Ada Lovelace" and row["Age"] == 36, row)


check("get_row", get_row)


def append_row():
    row = base.append_row("Contacts", {"Name": "Grace Hopper", "Age": 85})
    expect(row and len(row["_id"]) == 22, row)
    return row["_id"]


grace = check("append_row", append_row)


def batch_append_rows():
    answer = base.batch_append_rows(
        "Contacts",
        [{"Name": "Edsger Dijkstra", "Age": 72}, {"Name": "Barbara Liskov", "Age": 30}],
    )
    expect(answer["inserted_row_count"] == 2, answer)
    expect(len(answer["row_ids"]) == 2, answer)
    return [r["_id"] for r in answer["row_ids"]]


batch = check("batch_append_rows", batch_append_rows) or []


def insert_row():
    row = base.insert_row("Contacts", {"Name": "Temp", "Age": 1}, seeded[0]["_id"])
    expect(row["_id"], row)
    return row["_id"]


temp = check("insert_row", insert_row)


def update_row():
    answer = base.update_row("Contacts", grace, {"Note": "COBOL"})
    expect(answer.get("success") is True, answer)
    expect(base.get_row("Contacts", grace)["Note"] == "COBOL", "Note written")


check("update_row", update_row)


def batch_update_rows():
    base.batch_update_rows(
        "Contacts",
        [{"row_id": rid, "row": {"Note": "batch"}} for rid in batch],
    )
    notes = [base.get_row("Contacts", rid)["Note"] for rid in batch]
    expect(notes == ["batch", "batch"], notes)


check("batch_update_rows", batch_update_rows)


def delete_row():
    answer = base.delete_row("Contacts", temp)
    expect(answer.get("success") is True, answer)
    expect(all(r["_id"] != temp for r in base.list_rows("Contacts")), "Temp deleted")


check("delete_row", delete_row)


def batch_delete_rows():
    extra = base.batch_append_rows("Contacts", [{"Name": "x"}, {"Name": "y"}])
    ids = [r["_id"] for r in extra["row_ids"]]
    answer = base.batch_delete_rows("Contacts", ids)
    expect(answer.get("success") is True, answer)
    names = [r["Name"] for r in base.list_rows("Contacts")]
    expect("x" not in names and "y" not in names, names)


check("batch_delete_rows", batch_delete_rows)


def filter_rows():
    rows = base.filter_rows(
        "Contacts",
        [{"column_name": "Age", "filter_predicate": "greater", "filter_term": 40}],
    )
    names = sorted(r["Name"] for r in rows)
    expect(names == ["Alan Turing", "Edsger Dijkstra", "Grace Hopper"], names)


check("filter_rows", filter_rows)


def queryset_filter():
    young = base.filter("Contacts", "Age < 40")
    expect(sorted(r["Name"] for r in young) == ["Ada Lovelace", "Barbara Liskov"], list(young))


check("filter", queryset_filter)


# ------------------------------------------------------------------------------ links
projects = [r["_id"] for r in base.list_rows("Projects")] if "list_rows" in passed else []


def get_column_link_id():
    link_id = base.get_column_link_id("Contacts", "Projects")
    expect(link_id == "Lk01", link_id)
    return link_id


link_id = check("get_column_link_id", get_column_link_id) or "Lk01"


def add_link():
    base.add_link(link_id, "Contacts", "Projects", seeded[0]["_id"], projects[0])
    row = base.get_row("Contacts", seeded[0]["_id"])
    expect([c["row_id"] for c in row["Projects"]] == [projects[0]], row["Projects"])


check("add_link", add_link)


def batch_add_links():
    more = base.batch_append_rows("Projects", [{"Title": "Bombe"}, {"Title": "ACE"}])
    ids = [r["_id"] for r in more["row_ids"]]
    projects.extend(ids)
    base.batch_add_links(link_id, "Contacts", "Projects", {seeded[1]["_id"]: ids})
    row = base.get_row("Contacts", seeded[1]["_id"])
    expect(sorted(c["row_id"] for c in row["Projects"]) == sorted(ids), row["Projects"])


check("batch_add_links", batch_add_links)


def update_link():
    base.update_link(link_id, "Contacts", "Projects", grace, [projects[0], projects[2]])
    row = base.get_row("Contacts", grace)
    expect(sorted(c["row_id"] for c in row["Projects"]) == sorted([projects[0], projects[2]]), row)


check("update_link", update_link)


def batch_update_links():
    base.batch_update_links(
        link_id, "Contacts", "Projects", [grace], {grace: [projects[1]]}
    )
    row = base.get_row("Contacts", grace)
    expect([c["row_id"] for c in row["Projects"]] == [projects[1]], row["Projects"])


check("batch_update_links", batch_update_links)


def remove_link():
    base.remove_link(link_id, "Contacts", "Projects", grace, projects[1])
    expect(not base.get_row("Contacts", grace)["Projects"], "Grace has no project")


check("remove_link", remove_link)


def batch_remove_links():
    base.batch_remove_links(link_id, "Contacts", "Projects", {seeded[1]["_id"]: [projects[1]]})
    row = base.get_row("Contacts", seeded[1]["_id"])
    expect([c["row_id"] for c in row["Projects"]] == [projects[2]], row["Projects"])


check("batch_remove_links", batch_remove_links)


def get_linked_records():
    column = base.get_column_by_name("Contacts", "Projects")
    answer = base.get_linked_records(
        "0000", column["key"], [{"row_id": seeded[0]["_id"], "offset": 0, "limit": 10}]
    )
    expect([c["row_id"] for c in answer[seeded[0]["_id"]]] == [projects[0]], answer)


check("get_linked_records", get_linked_records)


# ---------------------------------------------------------------------------- columns
def list_columns():
    names = [c["name"] for c in base.list_columns("Contacts")]
    expect(names[:3] == ["Name", "Age", "Note"], names)


check("list_columns", list_columns)
check(
    "get_column_by_name",
    lambda: expect(base.get_column_by_name("Contacts", "Age")["type"] == "number", "Age"),
)
check(
    "get_columns_by_type",
    lambda: expect(
        [c["name"] for c in base.get_columns_by_type("Contacts", ColumnTypes.LINK)] == ["Projects"],
        "one link column",
    ),
)


def insert_column():
    column = base.insert_column("Contacts", "Email", ColumnTypes.EMAIL)
    expect(column["name"] == "Email" and column["type"] == "email", column)
    return column["key"]


email_key = check("insert_column", insert_column)


def rename_column():
    column = base.rename_column("Contacts", email_key, "Mail")
    expect(base.get_column_by_name("Contacts", "Mail")["key"] == email_key, column)


check("rename_column", rename_column)


def resize_column():
    base.resize_column("Contacts", email_key, 300)
    expect(base.get_column_by_name("Contacts", "Mail")["width"] == 300, "width 300")


check("resize_column", resize_column)


def freeze_column():
    base.freeze_column("Contacts", email_key, True)
    expect(base.get_column_by_name("Contacts", "Mail")["frozen"] is True, "frozen")


check("freeze_column", freeze_column)


def move_column():
    base.move_column("Contacts", email_key, "0000")
    names = [c["name"] for c in base.list_columns("Contacts")]
    expect(names.index("Mail") == names.index("Name") + 1, names)


check("move_column", move_column)


def modify_column_type():
    column = base.modify_column_type("Contacts", email_key, ColumnTypes.TEXT)
    expect(base.get_column_by_name("Contacts", "Mail")["type"] == "text", column)


check("modify_column_type", modify_column_type)


def add_column_options():
    base.add_column_options(
        "Contacts", "Status", [{"name": "Closed", "color": "#aaa", "textColor": "#000"}]
    )
    options = base.get_column_by_name("Contacts", "Status")["data"]["options"]
    expect([o["name"] for o in options] == ["Open", "Closed"], options)


check("add_column_options", add_column_options)


def add_column_cascade_settings():
    base.insert_column(
        "Contacts",
        "Sub",
        ColumnTypes.SINGLE_SELECT,
        column_data={"options": [{"name": "a", "id": "11", "color": "#aaa"}]},
    )
    base.add_column_cascade_settings("Contacts", "Sub", "Status", {"Open": ["a"]})
    data = base.get_column_by_name("Contacts", "Sub")["data"]
    expect(data.get("cascade_column_key"), data)


check("add_column_cascade_settings", add_column_cascade_settings)


def delete_column():
    base.delete_column("Contacts", email_key)
    expect(base.get_column_by_name("Contacts", "Mail") is None, "Mail deleted")


check("delete_column", delete_column)


# -------------------------------------------------------------------------------- SQL
def query():
    rows = base.query("select Name, Age from Contacts where Age > ? order by Age desc", parameters=[40])
    expect([r["Name"] for r in rows] == ["Grace Hopper", "Edsger Dijkstra", "Alan Turing"], rows)


check("query", query)


# ------------------------------------------------------------------------------ files
def get_file_upload_link():
    link = base.get_file_upload_link()
    expect(link["upload_link"].startswith(URL), link)
    expect(link["parent_path"].endswith(base.dtable_uuid), link)


check("get_file_upload_link", get_file_upload_link)


def upload_bytes_file():
    info = base.upload_bytes_file("hello.txt", b"hello from python")
    expect(info["name"] == "hello.txt" and info["size"] == 17, info)
    base.update_row("Contacts", grace, {"Files": [info]})
    return info


uploaded = check("upload_bytes_file", upload_bytes_file)


def upload_local_file():
    path = os.path.join(SCRATCH, "local.bin")
    with open(path, "wb") as f:
        f.write(bytes(range(256)) * 40)
    info = base.upload_local_file(path, name="local.bin", file_type="image")
    expect(info["name"] == "local.bin" and info["size"] == 10240, info)
    expect("/images/" in info["url"], info)
    return info


local = check("upload_local_file", upload_local_file)


def get_file_download_link():
    path = uploaded["url"].split(base.dtable_uuid)[-1]
    link = base.get_file_download_link(path)
    expect(link.startswith(URL), link)


check("get_file_download_link", get_file_download_link)


def download_file():
    target = os.path.join(SCRATCH, "downloaded.txt")
    base.download_file(uploaded["url"], target)
    with open(target, "rb") as f:
        expect(f.read() == b"hello from python", "the same bytes")
    target = os.path.join(SCRATCH, "downloaded.bin")
    base.download_file(local["url"], target)
    with open(target, "rb") as f:
        expect(f.read() == bytes(range(256)) * 40, "the same bytes")


check("download_file", download_file)


def get_custom_file_upload_link():
    # `/reports` does not exist yet: the link is given all the same and the upload makes
    # the folder (SeaTable has no call that creates a custom folder, so the upload's
    # `relative_path` is the only way one comes to be).
    link = base.get_custom_file_upload_link("/reports")
    expect(link["upload_link"].startswith(URL), link)
    expect(link["parent_path"] == "/asset/%s/custom" % base.dtable_uuid, link)
    expect(link["relative_path"] == "reports", link)


check("get_custom_file_upload_link", get_custom_file_upload_link)


def upload_local_file_to_custom_folder():
    path = os.path.join(SCRATCH, "q3.csv")
    with open(path, "wb") as f:
        f.write(b"quarter,total\n3,42\n")
    info = base.upload_local_file_to_custom_folder(path, "/reports")
    expect(info["name"] == "q3.csv" and info["size"] == 19, info)
    expect(info["url"].startswith("custom-asset://") and info["url"].endswith(".csv"), info)


check("upload_local_file_to_custom_folder", upload_local_file_to_custom_folder)


def list_custom_assets():
    answer = base.list_custom_assets("/reports")
    expect([f["name"] for f in answer["file"]] == ["q3.csv"], answer)


check("list_custom_assets", list_custom_assets)


def download_custom_file():
    target = os.path.join(SCRATCH, "q3-downloaded.csv")
    base.download_custom_file("/reports/q3.csv", target)
    with open(target, "rb") as f:
        expect(f.read() == b"quarter,total\n3,42\n", "the same bytes")


check("download_custom_file", download_custom_file)


def get_related_users():
    users = base.get_related_users()
    expect(users and users[0]["email"].endswith("@auth.local"), users)
    return users


related = check("get_related_users", get_related_users) or [{}]


def get_user_info():
    # `username` is a user id (`…@auth.local`, as in `_creator` and `get_related_users`),
    # not a login email: the base's owner is looked up, as a script resolving `_creator`.
    creator = base.get_row("Contacts", grace)["_creator"]
    expect(creator == related[0].get("email"), (creator, related))
    info = base.get_user_info(creator)
    expect(info["email"] == creator and info["name"] == related[0]["name"], info)


check("get_user_info", get_user_info)


# --------------------------------------------------------------------------- big data
def big_data_insert_rows():
    answer = base.big_data_insert_rows("Contacts", [{"Name": "Archived %d" % i} for i in range(3)])
    expect(answer.get("inserted_row_count") == 3, answer)


check("big_data_insert_rows", big_data_insert_rows)


# ---------------------------------------------------------------------------- account
account = Account(EMAIL, PASSWORD, URL)
check("account.auth", lambda: (account.auth(), expect(len(account.token) == 40, account.token)))


def load_account_info():
    account.load_account_info()
    expect(account.username, "a username")


check("account.load_account_info", load_account_info)


def list_workspaces():
    answer = account.list_workspaces()
    expect(answer["workspace_list"], answer)


check("account.list_workspaces", list_workspaces)


def get_base():
    other = account.get_base(1, "Demo")
    names = [r["Name"] for r in other.list_rows("Contacts")]
    expect("Grace Hopper" in names, names)


check("account.get_base", get_base)


def add_base():
    table = account.add_base("From Python")
    expect(table["name"] == "From Python", table)


check("account.add_base", add_base)


def copy_base():
    copied = account.copy_base(1, "Demo", 1)
    expect(copied["name"].startswith("Demo"), copied)


check("account.copy_base", copy_base)


# ---------------------------------------------------------------------------- summary
base_methods = [n for n in passed if not n.startswith("account.")]
print(
    "SUMMARY "
    + json.dumps(
        {
            "passed": passed,
            "failed": failed,
            "base_methods_passed": len(base_methods),
            "grace": grace,
            "uploaded": uploaded and uploaded["url"].split(base.dtable_uuid)[-1],
            "linked": {"ada": seeded[0]["_id"] if seeded else None, "project": projects[0] if projects else None},
        }
    )
)
sys.exit(1 if failed else 0)

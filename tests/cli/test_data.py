"""`posjobs data`: list, show, export, import (pos-cli's JSON shape) and reset, through the
real CLI on a real `.posjobs/data.db`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from posjobs.project import Project
from posjobs.store.data import open_data_store
from tests.conftest import T0, CliResult, run_cli, write_project

HOUSE = """
name: house
properties:
  - name: color
  - name: size
  - name: buyer_id
    type: integer
  - name: beach_house_id
    type: integer
  - name: driver_licence
    type: upload
  - name: headshot
    type: upload
"""
USER = """
properties:
  - name: age
    type: integer
"""

# The example file of developer-guide/data-import-export/json-import.liquid, as it is there.
DOCS_EXAMPLE = {
    "users": [
        {"id": 1000, "email": "tom@example.com", "first_name": "Tom", "slug": "tom"},
        {"id": 1001, "email": "mike@example.com", "first_name": "mike", "slug": "mike",
         "created_at": "2010-10-10 10:00:00",
         "profiles": [{"type_name": "student", "id": 2001, "properties": {"age": 21},
                       "attachments": [{"name": "document", "url": "files/document.pdf"}],
                       "images": [{"name": "avatar", "url": "files/avatar.png"}]}]},
    ],
    "records": [
        {"id": 1, "user_id": 1000, "type_name": "house", "customizable_id": 1000,
         "customizable_type": "User", "properties": {"color": "red"}},
        {"id": 2, "user_id": 1001, "type_name": "house", "customizable_id": 1001,
         "customizable_type": "User",
         "properties": {"color": "green", "buyer_id": 1000, "beach_house_id": 1},
         "addresses": [{"name": "foo_address", "address": "Warsaw", "postcode": "01-001"}]},
        {"id": 3, "user_id": 1001, "type_name": "house",
         "properties": {"buyer_id": 1000, "beach_house_id": 2},
         "attachments": [{"name": "driver_licence", "url": "files/licence.pdf"}],
         "images": [{"name": "headshot", "url": "files/headshot.png"}]},
    ],
}


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return write_project(tmp_path / "project", {"app/schema/house.yml": HOUSE,
                                                "app/user.yml": USER})


def data(project: Project, *args: str) -> CliResult:
    return run_cli(["-p", str(project.root), "data", *args])


def data_file(project: Project) -> Path:
    return project.root / ".posjobs" / "data.db"


def seed(project: Project, count: int) -> list[int]:
    store = open_data_store(data_file(project))
    ids = [store.insert_record("house", {"color": f"c{i}", "size": "large"}, T0 + i).id
           for i in range(count)]
    store.close()
    return ids


def write_json(path: Path, value: object) -> Path:
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


# --- list and show -------------------------------------------------------------------------
def test_list_shows_a_tables_records_newest_first_and_limit_cuts(project):
    seed(project, 3)
    shown = data(project, "list", "house", "-n", "2")
    assert shown.exit_code == 0
    lines = shown.stdout.splitlines()
    assert lines[0].split() == ["id", "created_at", "properties"]
    assert [line.split()[0] for line in lines[1:]] == ["3", "2"]
    assert '{"color": "c2", "size": "large"}' in lines[1]
    assert "2 of 3 record(s) in house" in shown.stderr


def test_list_json_has_every_field(project):
    seed(project, 1)
    [record] = json.loads(data(project, "list", "house", "--json").stdout)
    assert record == {"id": 1, "table": "house", "created_at": "2026-11-18T11:06:40.000Z",
                      "updated_at": "2026-11-18T11:06:40.000Z", "user_id": None,
                      "external_id": None, "properties": {"color": "c0", "size": "large"}}


def test_list_without_a_table_shows_the_tables_and_their_counts(project):
    seed(project, 2)
    tables = json.loads(data(project, "list", "--json").stdout)
    assert tables == [{"table": "house", "records": 2, "file": "app/schema/house.yml"}]


def test_an_unknown_table_is_exit_3_naming_the_known_ones(project):
    missing = data(project, "list", "houses")
    assert missing.exit_code == 3
    assert "table 'houses' does not exist (tables: house)" in missing.stderr
    assert missing.stdout == ""


def test_show_prints_one_record_and_json_is_the_same_data(project):
    [record_id] = seed(project, 1)
    shown = data(project, "show", str(record_id))
    assert shown.exit_code == 0
    assert "table        house" in shown.stdout
    assert "  color      c0" in shown.stdout
    as_json = json.loads(data(project, "show", str(record_id), "--json").stdout)
    assert as_json["properties"] == {"color": "c0", "size": "large"}


def test_show_of_an_unknown_id_is_exit_3(project):
    missing = data(project, "show", "42")
    assert missing.exit_code == 3
    assert "no record 42" in missing.stderr


def test_text_from_records_is_printed_literally(project):
    store = open_data_store(data_file(project))
    store.insert_record("house", {"color": "[bold]\x1b[31mred"}, T0)
    store.close()
    out = data(project, "list", "house").stdout + data(project, "show", "1").stdout
    assert "[bold]\\x1b[31mred" in out
    assert "\x1b" not in out


# --- import --------------------------------------------------------------------------------
def test_the_docs_example_imports_with_its_ids_and_says_what_it_ignored(project, tmp_path):
    imported = data(project, "import", str(write_json(tmp_path / "data.json", DOCS_EXAMPLE)))
    assert imported.exit_code == 0, imported.stderr
    assert "3 record(s) created" in imported.stderr
    assert "2 user(s) created" in imported.stderr
    for ignored in ("addresses", "customizable_id", "profiles"):
        assert f"ignored {ignored}" in imported.stderr
    store = open_data_store(data_file(project))
    third = store.get_record(3)
    mike = store.get_user(1001)
    store.close()
    assert third is not None and mike is not None
    assert third.user_id == 1001
    # Relations in properties stay true because ids are kept.
    assert third.properties == {"buyer_id": 1000, "beach_house_id": 2,
                                "driver_licence": "files/licence.pdf",
                                "headshot": "files/headshot.png"}
    assert (mike.email, mike.fields) == ("mike@example.com", {"first_name": "mike",
                                                              "slug": "mike"})
    assert data(project, "show", "2", "--json").stdout.count('"created_at"') == 1


def test_a_second_import_updates_what_it_names_and_keeps_the_rest(project, tmp_path):
    # The docs' own example: shirt {color: red}; a user sets color green and size large;
    # the same import again gives {color: red, size: large}.
    first = write_json(tmp_path / "data.json", {"records": [
        {"id": 1, "type_name": "house", "properties": {"color": "red"}}]})
    assert data(project, "import", str(first)).exit_code == 0
    store = open_data_store(data_file(project))
    store.update_record(1, {"color": "green", "size": "large"}, T0)
    store.close()
    again = data(project, "import", str(first))
    assert "0 record(s) created, 1 updated" in again.stderr
    shown = json.loads(data(project, "show", "1", "--json").stdout)
    assert shown["properties"] == {"color": "red", "size": "large"}


def test_export_then_import_into_another_project_gives_the_same_data(project, tmp_path):
    assert data(project, "import",
                str(write_json(tmp_path / "in.json", DOCS_EXAMPLE))).exit_code == 0
    store = open_data_store(data_file(project))
    store.update_user(1000, T0, password_hash="$2a$10$abc")
    store.close()
    exported = data(project, "export", str(tmp_path / "out.json"))
    assert exported.exit_code == 0
    assert "exported 3 record(s) and 2 user(s)" in exported.stderr
    text = (tmp_path / "out.json").read_text()
    assert json.loads(text)["users"][0]["encrypted_password"] == "$2a$10$abc"
    assert data(project, "export").stdout == text  # stdout without a FILE

    other = write_project(tmp_path / "other", {"app/schema/house.yml": HOUSE,
                                               "app/user.yml": USER})
    assert data(other, "import", str(tmp_path / "out.json")).exit_code == 0
    assert data(other, "export").stdout == text


def test_export_records_have_the_platforms_import_shape(project):
    seed(project, 1)
    [record] = json.loads(data(project, "export").stdout)["records"]
    # CustomizationImport: id, type_name, user_id, created_at, updated_at, properties.
    assert record == {"id": 1, "type_name": "house", "user_id": None,
                      "created_at": "2026-11-18T11:06:40.000Z",
                      "updated_at": "2026-11-18T11:06:40.000Z",
                      "properties": {"color": "c0", "size": "large"}}


def test_invalid_json_is_exit_2_with_line_and_column_and_writes_nothing(project, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"records": [\n  {"id": 1, "type_name": "house",}\n]}')
    failed = data(project, "import", str(bad))
    assert failed.exit_code == 2
    assert f"{bad}:2:34: not valid JSON" in failed.stderr
    assert "Traceback" not in failed.stderr


@pytest.mark.parametrize(("record", "message"), [
    ({"id": 7, "type_name": "house", "properties": {"colour": "red"}},
     "records[1] (id 7): table 'house' has no property 'colour' (defined in "
     "app/schema/house.yml)"),
    ({"id": 7, "type_name": "house", "properties": {"buyer_id": "many"}},
     "records[1] (id 7): property 'buyer_id': 'many' is not a valid integer"),
    ({"type_name": "car", "properties": {}},
     "records[1]: table 'car' does not exist (tables: house)"),
    ({"id": 1, "type_name": "house"}, "records[1]: id 1 appears twice (also records[0])"),
    ({"id": "x", "type_name": "house"}, "records[1]: id must be a positive integer, got 'x'"),
    ({"type_name": "house", "colour": "red"}, "records[1]: unknown key 'colour'"),
    ({"type_name": "house", "created_at": "yesterday-ish"},
     "records[1]: created_at: 'yesterday-ish' is not a time"),
    ("house", "records[1]: expected a record (an object), got a string"),
])
def test_an_entry_that_does_not_fit_names_itself_and_nothing_is_written(
        project, tmp_path, record, message):
    seed(project, 0)
    path = write_json(tmp_path / "data.json", {"records": [
        {"id": 1, "type_name": "house", "properties": {"color": "red"}}, record]})
    failed = data(project, "import", str(path))
    assert failed.exit_code == 2
    assert f"data.json: {message}" in failed.stderr
    # The first record was valid and written before the second failed: rolled back.
    assert json.loads(data(project, "list", "house", "--json").stdout) == []


def test_an_existing_id_in_another_table_is_refused(tmp_path):
    project = write_project(tmp_path / "p", {"app/schema/house.yml": HOUSE,
                                             "app/schema/car.yml": "properties: []\n"})
    store = open_data_store(data_file(project))
    store.insert_record("car", {}, T0)
    store.close()
    failed = data(project, "import", str(write_json(tmp_path / "d.json", {"records": [
        {"id": 1, "type_name": "house"}]})))
    assert failed.exit_code == 2
    assert "record 1 exists in table 'car', not 'house'" in failed.stderr


def test_user_emails_are_unique_ignoring_case_and_properties_are_checked(project, tmp_path):
    taken = data(project, "import", str(write_json(tmp_path / "u.json", {"users": [
        {"id": 1, "email": "Ada@Example.com", "slug": "ada"},
        {"id": 2, "email": "ada@example.com", "slug": "ada2"}]})))
    assert taken.exit_code == 2
    assert "users[1] (id 2): email 'ada@example.com' is already taken by user 1" in taken.stderr
    typed = data(project, "import", str(write_json(tmp_path / "u.json", {"users": [
        {"email": "ada@example.com", "properties": {"age": "old"}}]})))
    assert "users[0]: property 'age': 'old' is not a valid integer" in typed.stderr
    bad = data(project, "import", str(write_json(tmp_path / "u.json", {"users": [
        {"email": "ada at example.com"}]})))
    assert bad.exit_code == 2
    assert "users[0]: email is required, as name@domain (got 'ada at example.com')" in (
        bad.stderr)


def test_a_users_password_is_imported_hashed_and_signs_in(project, tmp_path):
    from posjobs.data.users import check_password

    imported = data(project, "import", str(write_json(tmp_path / "u.json", {"users": [
        {"id": 3, "email": " Ada@Example.COM ", "password": "s3cret", "slug": "ada",
         "language": "pl"}]})))
    assert imported.exit_code == 0, imported.stderr
    store = open_data_store(data_file(project))
    ada = store.get_user(3)
    store.close()
    assert ada is not None and ada.email == "ada@example.com"  # as user_create keeps it
    assert ada.password_hash is not None and "s3cret" not in ada.password_hash
    assert check_password(ada.password_hash, "s3cret")
    exported = json.loads(data(project, "export").stdout)["users"][0]
    assert exported["encrypted_password"] == ada.password_hash
    assert "password" not in exported
    assert (exported["slug"], exported["language"]) == ("ada", "pl")


@pytest.mark.parametrize(("document", "message"), [
    ([], "expected an object with \"users\" and \"records\" arrays, got an array"),
    ({"records": {}}, "'records' must be an array, got an object"),
    ({"things": []}, "unknown key 'things'"),
])
def test_a_file_of_the_wrong_shape_is_exit_2(project, tmp_path, document, message):
    failed = data(project, "import", str(write_json(tmp_path / "d.json", document)))
    assert failed.exit_code == 2
    assert message in failed.stderr


def test_a_missing_file_is_exit_2(project, tmp_path):
    failed = data(project, "import", str(tmp_path / "nope.json"))
    assert failed.exit_code == 2
    assert "nope.json: no such file" in failed.stderr


def test_models_from_older_pos_cli_exports_are_records(project, tmp_path):
    path = write_json(tmp_path / "d.json", {"users": [], "transactables": [], "models": [
        {"id": 5, "type_name": "house", "properties": {"color": "blue"}}]})
    assert data(project, "import", str(path)).exit_code == 0
    assert json.loads(data(project, "show", "5", "--json").stdout)["properties"] == {
        "color": "blue"}


# --- reset ---------------------------------------------------------------------------------
def test_reset_asks_first_and_yes_deletes_everything(project):
    seed(project, 2)
    store = open_data_store(data_file(project))
    store.insert_user("ada@example.com", None, {}, T0)
    store.set_constant("KEY", "v", T0)
    store.add_message("email", "welcome", {"to": "ada@example.com"}, T0)
    store.add_activity({"type": "x"}, T0)
    store.close()

    refused = data(project, "reset")  # no terminal to ask on
    assert refused.exit_code == 2
    assert "--yes" in refused.stderr
    assert len(json.loads(data(project, "list", "house", "--json").stdout)) == 2

    done = data(project, "reset", "--yes")
    assert done.exit_code == 0
    assert "2 record(s) and 1 user(s) deleted" in done.stderr
    store = open_data_store(data_file(project))
    try:
        assert store.tables_in_use() == {}
        assert store.constants() == {}
        assert store.messages()[1] == 0
        assert store.activities()[1] == 0
    finally:
        store.close()


# --- files and schemas that are not right -----------------------------------------------------
def test_a_schema_file_with_bad_yaml_is_a_clear_error(project):
    (project.root / "app/schema/broken.yml").write_text("name: broken\nproperties: [\n")
    failed = data(project, "list")
    assert failed.exit_code == 1
    assert "app/schema/broken.yml:3: the table schema is not valid YAML" in failed.stderr
    assert "Traceback" not in failed.stderr


def test_a_data_file_that_is_not_a_data_store_is_exit_5_and_left_alone(project):
    path = data_file(project)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a database at all" * 100)
    for args in (("list", "house"), ("export",), ("reset", "--yes")):
        failed = data(project, *args)
        assert failed.exit_code == 5, args
        assert "is not an SQLite database" in failed.stderr
    assert path.read_bytes() == b"not a database at all" * 100


class Terminal(io.StringIO):
    """Standard input as a person at a terminal typing `text`."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "left"), [("n\n", 2), ("y\n", 0)])
def test_reset_at_a_terminal_asks_and_does_what_the_answer_says(
        project, monkeypatch, capsys, answer, left):
    seed(project, 2)
    monkeypatch.setattr("sys.stdin", Terminal(answer))
    asked = data(project, "reset")
    assert asked.exit_code == 0
    question = capsys.readouterr().err  # the prompt goes to the process's own stderr
    assert "Delete all data of" in question and "(2 record(s), 0 user(s)" in question
    assert len(json.loads(data(project, "list", "house", "--json").stdout)) == left


def test_export_into_a_folder_that_does_not_exist_is_a_clear_error(project, tmp_path):
    failed = data(project, "export", str(tmp_path / "no" / "such" / "data.json"))
    assert failed.exit_code == 1
    assert "cannot write the export: No such file or directory" in failed.stderr

"""Loading a platformOS project: pages, layouts and partials by their platform names."""

from pathlib import Path

import pytest

from posjobs.errors import PageNotFound, ProjectNotFound, TemplateError
from posjobs.project import Project


@pytest.fixture
def project(make_project):
    return make_project({
        "app/views/pages/index.liquid": "home",
        "app/views/pages/orders/create.html.liquid": "---\nlayout: shop\nmethod: post\n---\nok",
        "app/views/pages/about.liquid": "---\nslug: about-us\nlayout: ''\n---\nabout",
        "app/views/layouts/shop.liquid": "<main>{{ content_for_layout }}</main>",
        "app/views/layouts/application.liquid": "{{ content_for_layout }}",
        "app/views/partials/emails/welcome.liquid": "hi",
        "app/lib/commands/sync.liquid": "sync",
        "modules/crm/public/views/partials/card.liquid": "card",
        "modules/crm/private/lib/queries/find.liquid": "find",
        "app/modules/crm/public/views/partials/card.liquid": "overridden card",
    })


def test_locate_finds_the_nearest_ancestor_with_app(project, tmp_path):
    deep = project.root / "app" / "views" / "pages" / "orders"
    assert Project.locate(None, cwd=deep).root == project.root


def test_locate_without_a_project_says_how_to_name_one(tmp_path):
    with pytest.raises(ProjectNotFound) as err:
        Project.locate(None, cwd=tmp_path)
    assert "--project" in (err.value.hint or "")


def test_an_explicit_project_must_look_like_one(tmp_path):
    with pytest.raises(ProjectNotFound, match="not a platformOS project"):
        Project.locate(str(tmp_path))
    with pytest.raises(ProjectNotFound, match="does not exist"):
        Project.locate(str(tmp_path / "nope"))


@pytest.mark.parametrize(("name", "path"), [
    ("/", "app/views/pages/index.liquid"),
    ("orders/create", "app/views/pages/orders/create.html.liquid"),
    ("/orders/create/", "app/views/pages/orders/create.html.liquid"),
    ("about-us", "app/views/pages/about.liquid"),
    ("app/views/pages/about.liquid", "app/views/pages/about.liquid"),
])
def test_a_page_is_found_by_slug_or_path(project, name, path):
    assert project.find_page(name, cwd=project.root).file.name == path


def test_a_page_by_path_relative_to_the_current_directory(project):
    cwd = project.root / "app" / "views"
    assert project.find_page("pages/index.liquid", cwd=cwd).slug == "/"


def test_front_matter_is_parsed_and_blanked_keeping_line_numbers(project):
    page = project.find_page("orders/create")
    assert page.layout == "shop"
    assert page.method == "post"
    assert page.format == "html"
    assert page.file.source.splitlines()[4] == "ok"  # still on line 5
    assert "layout" not in page.file.source


def test_layout_defaults_to_application_and_empty_means_none(project):
    assert project.find_page("/").layout == "application"
    assert project.find_page("about-us").layout is None


def test_unknown_page_suggests_near_names(project):
    with pytest.raises(PageNotFound) as err:
        project.find_page("orders/creat")
    assert "orders/create" in (err.value.hint or "")


def test_partials_resolve_in_views_partials_then_lib(project):
    assert project.find_partial("emails/welcome").name == "welcome.liquid"
    assert project.find_partial("commands/sync") == project.root / "app/lib/commands/sync.liquid"


def test_module_partials_resolve_public_and_private_with_app_overrides(project):
    card = project.find_partial("modules/crm/card")
    assert card == project.root / "app/modules/crm/public/views/partials/card.liquid"
    find = project.find_partial("modules/crm/queries/find")
    assert find == project.root / "modules/crm/private/lib/queries/find.liquid"


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "emails/../../x", ""])
def test_no_name_reaches_outside_the_project(project, name):
    assert project.find_partial(name) is None


def test_bad_front_matter_is_a_template_error_with_its_line(make_project):
    project = make_project({"app/views/pages/x.liquid": "---\nslug: [oops\n---\nbody"})
    with pytest.raises(TemplateError) as err:
        project.find_page("app/views/pages/x.liquid")
    assert err.value.path == "app/views/pages/x.liquid"
    assert err.value.line is not None and err.value.line >= 2


def test_partial_names_lists_app_and_module_partials(project):
    names = project.partial_names()
    assert "emails/welcome" in names
    assert "modules/crm/card" in names
    assert "modules/crm/queries/find" in names


def test_relative_names_paths_inside_the_project(project):
    assert project.relative(project.root / "app" / "x.liquid") == "app/x.liquid"
    assert project.relative(Path("/elsewhere/y")) == "/elsewhere/y"


def test_one_broken_page_does_not_hide_the_others(make_project):
    project = make_project({
        "app/views/pages/good.liquid": "ok",
        "app/views/pages/bad.liquid": "---\nslug: [oops\n---\nbody",
    })
    assert project.find_page("good").file.name == "app/views/pages/good.liquid"
    with pytest.raises(TemplateError, match="front matter"):
        project.find_page("bad")


def test_a_symbolic_link_out_of_the_project_is_not_followed(make_project, tmp_path):
    outside = tmp_path / "outside.liquid"
    outside.write_text("secret")
    project = make_project({"app/views/partials/ok.liquid": "ok"})
    (project.root / "app/views/partials/leak.liquid").symlink_to(outside)
    assert project.find_partial("ok") is not None
    assert project.find_partial("leak") is None


"""include, render and theme_render_rc resolve partials the platform's way."""

from __future__ import annotations

import pytest

from tests.liquid.tag_helpers import PAGE, Pages


@pytest.fixture
def page(tmp_path):
    return Pages(tmp_path, {
        "app/views/partials/card.liquid": "card {{ title }}",
        "app/lib/helpers/shout.liquid": "{{ text | upcase }}",
        "modules/shop/public/views/partials/price.liquid": "price {{ amount }}",
        "modules/shop/private/views/partials/secret.liquid": "secret {{ amount }}",
        "modules/shop/public/lib/helpers/tax.liquid": "tax {{ amount }}",
        "modules/core/public/lib/helpers/redirect_to.liquid": """
            {% liquid
              redirect_to url
              break
            %}""",
        "app/views/partials/theme/custom/product.liquid": "custom {{ product }}",
        "app/views/partials/theme/simple/product.liquid": "simple {{ product }}",
        "app/views/partials/theme/simple/badge.liquid": "badge",
        "app/config.yml": """
            theme_search_paths:
              - theme/{{ context.constants.MY_THEME | default: "custom" }}
              - theme/simple
        """,
    })


def test_app_partials_from_views_partials_and_lib(page):
    out = page("{% render 'card', title: 'A' %}|{% include 'helpers/shout', text: 'hi' %}")
    assert out.html == "card A|HI"


@pytest.mark.parametrize("tag", ["render", "include"])
def test_module_partials_public_and_private(page, tag):
    out = page(f"{{% {tag} 'modules/shop/price', amount: 1 %}}|"
               f"{{% {tag} 'modules/shop/secret', amount: 2 %}}|"
               f"{{% {tag} 'modules/shop/helpers/tax', amount: 3 %}}")
    assert out.html == "price 1|secret 2|tax 3"


def test_app_modules_override_the_module_file(page, tmp_path):
    override = tmp_path / "project/app/modules/shop/public/views/partials/price.liquid"
    override.parent.mkdir(parents=True)
    override.write_text("our price {{ amount }}")
    assert page("{% render 'modules/shop/price', amount: 1 %}").html == "our price 1"
    private = tmp_path / "project/app/modules/shop/private/views/partials/secret.liquid"
    private.parent.mkdir(parents=True)
    private.write_text("our secret")
    assert page("{% include 'modules/shop/secret' %}").html == "our secret"


def test_a_missing_partial_names_it(page):
    err = page.error("{% render 'modules/shop/nope' %}")
    assert "partial 'modules/shop/nope' not found" in err.message
    assert err.path == PAGE


def test_break_in_an_included_helper_ends_the_page_as_on_the_platform(page):
    out = page("before{% include 'modules/core/helpers/redirect_to', url: '/done' %}after")
    assert out.html == "before"
    assert out.run.response["redirect_to"] == "/done"


def test_break_in_an_included_partial_still_breaks_the_callers_loop(page, tmp_path):
    (tmp_path / "project/app/views/partials/stop.liquid").write_text(
        "{% if i == 2 %}{% break %}{% endif %}"
    )
    assert page("{% for i in (1..4) %}{{ i }}{% include 'stop' %}{% endfor %}").html == "12"


def test_theme_render_rc_searches_the_configured_paths(page):
    assert page("{% theme_render_rc 'product' with name %}", name='p').html == "custom p"
    assert page("{% theme_render_rc 'product', product: 'q' %}",
                context={"constants": {"MY_THEME": "simple"}}).html == "simple q"
    assert page("{% theme_render_rc 'badge' %}").html == "badge"  # falls through the paths
    assert page("{% theme_render_rc 'card', title: 'T' %}").html == "card T"  # then the name


def test_theme_render_rc_reports_where_it_looked(page):
    err = page.error("{% theme_render_rc 'nope' %}")
    assert "can't find partial 'nope'" in err.message
    assert "theme/custom/nope, theme/simple/nope" in err.message

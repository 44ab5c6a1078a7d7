"""content_for/yield, print, spam_protection, form and include_form."""

from __future__ import annotations

import pytest

from tests.liquid.tag_helpers import Pages


@pytest.fixture
def page(tmp_path):
    return Pages(tmp_path, {
        "app/views/layouts/application.liquid": "<head>{% yield 'header' %}</head>"
                                                "{{ content_for_layout }}",
        "app/forms/signup_form.liquid": """
            ---
            name: signup_form
            resource: User
            ---
            {% form html-id: 'signup' -%}
              <input name="email" value="{{ form.email }}">
            {%- endform %}""",
        "app/forms/bare.liquid": "---\nname: bare\n---\n",
    })


def test_content_for_is_printed_by_yield_in_the_layout(page):
    out = page("{% content_for 'header' %}Hello world{% endcontent_for %}body")
    assert out.html == "body"
    layout = page.dialect.layout("application", "app/views/pages/t.liquid")
    html = page.dialect.render(layout, out.run, context={},
                               variables={"content_for_layout": out.html})
    assert html == "<head>Hello world</head>body"


def test_content_for_appends_unless_flushed(page):
    out = page("{% content_for 'a' %}1{% endcontent_for %}"
               "{% content_for 'a' %}2{% endcontent_for %}[{% yield 'a' %}]"
               "{% content_for 'a', flush: true %}3{% endcontent_for %}[{% yield 'a' %}]")
    assert out.html == "[12][3]"


def test_yield_prints_the_default_when_nothing_was_stored(page):
    assert page("[{% yield 'none' %}][{% yield 'none', default: 'd' %}]").html == "[][d]"


def test_print_outputs_like_echo(page):
    out = page("""
        {%- liquid
          assign invokable_script = "<script>alert('I will be executed')</script>"
        -%}
        {% print invokable_script %}|{% print 'x' | upcase %}""")
    assert out.html == "<script>alert('I will be executed')</script>|X"


@pytest.mark.parametrize(("strategy", "expected"), [
    ('"recaptcha_v2"', 'class="g-recaptcha"'),
    ('"recaptcha_v3", action: "signup"', 'data-action="signup"'),
    ('"hcaptcha"', 'class="h-captcha"'),
    ("", 'class="g-recaptcha"'),
])
def test_spam_protection_renders_the_captchas_placeholder(page, strategy, expected):
    out = page(f"{{% form %}}{{% spam_protection {strategy} %}}{{% endform %}}")
    assert expected in out.html


def test_spam_protection_rejects_unknown_strategies(page):
    assert "unknown strategy 'nope'" in page.error("{% spam_protection 'nope' %}").message


def test_form_renders_a_form_element_around_its_body(page):
    out = page("{% form html-id: 'someid', html-novalidate: true, "
               "html-class: 'big-form green-form', html-data-user-id: '12345', "
               "html-multipart: false %}{{ form_builder.name }}"
               "{% endform %}")
    assert out.html.startswith('<form method="post" id="someid" class="big-form green-form" '
                               'data-user-id="12345" novalidate>')
    assert 'name="authenticity_token"' in out.html
    assert out.html.endswith(">form</form>")


def test_form_with_another_method_and_a_url(page):
    out = page("{% form method: 'put', url: '/users/1' %}{% endform %}")
    assert 'action="/users/1"' in out.html
    assert '<input type="hidden" name="_method" value="put">' in out.html
    assert 'enctype="multipart/form-data"' in out.html


def test_include_form_renders_the_form_configuration(page):
    out = page("{% include_form 'signup_form', email: 'a@example.com' %}")
    assert out.html.lstrip("\n").startswith('<form method="post" id="signup"')
    assert '<input name="email" value="a@example.com">' in out.html


def test_include_form_of_a_configuration_without_body_renders_an_empty_form(page):
    out = page("{% render_form 'bare' %}")
    assert out.html.strip().startswith("<form") and out.html.endswith("</form>")


def test_include_form_of_a_missing_form_is_an_error(page):
    assert "form 'nope' not found" in page.error("{% include_form 'nope' %}").message


def test_include_form_finds_a_form_by_the_name_in_its_front_matter(tmp_path):
    # platformos-docs, creating-sign-up-form: app/forms/developer/developer_sign_up.liquid
    # declares `name: developer_sign_up`, and `include_form 'developer_sign_up'` embeds it.
    out = Pages(tmp_path, {
        "app/forms/developer/developer_sign_up.liquid": "---\nname: developer_sign_up\n---\n"
                                                        "DEV {{ form_name }}",
        "app/form_configurations/legacy.liquid": "---\nname: old_style\n---\nLEGACY",
    })("{% include_form 'developer_sign_up' %}|{% include_form 'old_style' %}")
    assert out.html == "DEV developer_sign_up|LEGACY"


def test_a_missing_form_says_where_it_was_looked_for(page):
    message = page.error("{% include_form 'nope' %}").message
    assert "`name: nope`" in message and "app/form_configurations/" in message

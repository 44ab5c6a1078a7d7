"""Filters backed by platform services, and what they answer locally."""

from __future__ import annotations

TRANSLATIONS = {
    "app/translations/en.yml": """
        en:
          beer: beer
          user-greeting: Hello %{username}!
          drinks:
            alcoholic:
              beer: piwo
          apples:
            one: one apple
            other: "%{count} apples"
    """,
    "app/translations/es.yml": """
        es:
          beer: cerveza
    """,
    "modules/shop/public/translations/en.yml": """
        en:
          cart:
            title: Your cart
    """,
}


def test_t_reads_the_project_translations(render):
    render.with_files(TRANSLATIONS)
    assert render("{{ 'drinks.alcoholic.beer' | t }}") == "piwo"
    assert render("{{ 'beer' | t: scope: 'drinks.alcoholic' }}") == "piwo"
    assert render("{{ 'user-greeting' | t: username: 'Mike' }}") == "Hello Mike!"
    assert render("{{ 'apples' | t: count: 1 }}, {{ 'apples' | translate: count: 3 }}") == (
        "one apple, 3 apples")
    assert render("{{ 'modules/shop/cart.title' | t }}") == "Your cart"
    assert render("{{ 'beer' | t: locale: 'es' }}") == "cerveza"


def test_t_language_fallback_and_defaults(render):
    render.with_files(TRANSLATIONS)
    render.language = "es"
    assert render("{{ 'beer' | t }} {{ 'user-greeting' | t: username: 'Ana' }}") == (
        "cerveza Hello Ana!")
    assert render("{{ 'non_existing' | t: default: 'Missing', fallback: false }}") == "Missing"
    assert render("{{ 'non_existing' | t }}") == "translation missing: es.non_existing"


def test_t_escape_escapes_the_values(render):
    render.with_files(TRANSLATIONS)
    out = render("{{ 'user-greeting' | t_escape: username: '<script>x</script>Mike' }}")
    assert out == "Hello &lt;script&gt;x&lt;/script&gt;Mike!"


def test_t_sees_translation_changes(render):
    render.with_files(TRANSLATIONS)
    assert render("{{ 'beer' | t }}") == "beer"
    path = render.dialect.project.root / "app" / "translations" / "en.yml"
    path.write_text("en:\n  beer: ale\n", encoding="utf-8")
    import os
    os.utime(path, (1, 1))
    assert render("{{ 'beer' | t }}") == "ale"


def test_broken_translation_file_is_a_liquid_error(render):
    render.with_files({"app/translations/en.yml": "en: [unclosed\n"})
    err = render.error("{{ 'x' | t }}")
    assert "app/translations/en.yml cannot be read" in err.message


def test_assets(render):
    render.with_files({"app/assets/logo.png": "png"})
    assert render("{{ 'valid/file.jpg' | asset_url }} {{ 'valid/file.jpg' | asset_path }}") == (
        "/assets/valid/file.jpg /assets/valid/file.jpg")
    assert render("{{ 'logo.png' | asset_name_to_raw_url }}[{{ 'x.png' | asset_name_to_raw_url }}]"
                  ) == "/assets/logo.png[]"
    assert "leaves the assets directory" in render.error("{{ '../secret' | asset_url }}").message


def test_services_with_a_documented_local_answer(render):
    assert render("{{ p | hcaptcha }} {{ q | hcaptcha }}", p={"h-captcha-response": "tok"},
                  q={}) == "true false"
    assert render("{{ '12345' | verify_access_key }} {{ '1234' | is_token_valid: 1 }}") == (
        "false false")
    svg = render("{{ 'https://example.com' | url_to_qrcode_svg: module_size: 4 }}")
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">')
    assert "QR code for https://example.com" in svg


def test_services_that_are_not_available_locally(render):
    for name in ("download_file", "useragent", "to_mobile_number"):
        err = render.error(f"{{{{ 'x' | {name} }}}}")
        assert err.message.startswith(f"{name} is not available locally"), err.message

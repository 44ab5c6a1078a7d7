"""URL filters: RFC 6570 templates, query strings, form encoding and videos."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("template", "expected"), [
    ("/search/{city}/{street}", "/search/Sydney/BlueRoad"),
    ("/search{?city,street}", "/search?city=Sydney&street=BlueRoad"),
    ("/search{?city,missing}", "/search?city=Sydney"),
    ("{/city,street}", "/Sydney/BlueRoad"),
])
def test_expand_url_template(render, template, expected):
    assert render("{{ t | expand_url_template: city: 'Sydney', street: 'BlueRoad' }}",
                  t=template) == expected


def test_expand_url_template_encodes_and_explodes(render):
    assert render("{{ '/s{?q,tags*}' | expand_url_template: p }}",
                  p={"q": "a b&c", "tags": ["x", "y"]}) == "/s?q=a%20b%26c&tags=x&tags=y"
    assert render("{{ '/files{+path}' | expand_url_template: path: '/a/b c' }}") == (
        "/files/a/b%20c")


@pytest.mark.parametrize(("url", "template", "expected"), [
    ("/search/Sydney/BlueRoad", "/search/{city}/{street}", '{"city":"Sydney","street":"BlueRoad"}'),
    ("/a/b/c/", "/{first}{/second*}", '{"first":"a","second":["b","c"]}'),
    ("/my/path?limit=10&offset=0", "/{first}/{second}{?limit,offset}",
     '{"first":"my","second":"path","limit":"10","offset":"0"}'),
    ("/search/this+is+my+query", "/search/{+query}", '{"query":"this+is+my+query"}'),
    ("/Warsaw/Poland/listings", "{+location}/listings", '{"location":"/Warsaw/Poland"}'),
    ("/other", "/search/{city}", "null"),
])
def test_extract_url_params(render, url, template, expected):
    assert render("{{ u | extract_url_params: t | json }}", u=url, t=template) == expected


def test_extract_url_params_first_matching_template_wins(render):
    assert render("{{ '/b/7' | extract_url_params: t | json }}",
                  t=["/a/{id}", "/b/{id}", "/{x}/{y}"]) == '{"id":"7"}'


def test_querify_and_www_form_encode(render):
    assert render("{{ h | querify }}", h={"name": "Dan", "id": 1}) == "name=Dan&id=1"
    assert render("{{ h | querify }}", h={"q": "a b", "f": {"x": 1}, "t": [1, 2]}) == (
        "q=a+b&f[x]=1&t[]=1&t[]=2")
    out = render("{% assign o = '{\"foo\": \"bar\", \"zoo\": [{ \"xoo\": 1 }, {\"xoo\": 2}]}'"
                 " | parse_json %}{{ o | www_form_encode }}")
    assert out == "foo=bar&zoo[0][xoo]=1&zoo[1][xoo]=2"
    assert "expected a hash" in render.error("{{ 'x' | www_form_encode }}").message


def test_video_params_and_videoify(render):
    out = render("{% assign v = 'https://www.youtube.com/watch?v=8N_tupPBtWQ' | video_params %}"
                 "{{ v.provider }} {{ v.video_id }} {{ v.embed_url }}")
    assert out == "YouTube 8N_tupPBtWQ https://www.youtube.com/embed/8N_tupPBtWQ"
    assert render("{{ 'https://vimeo.com/76979871' | videoify: width: 320 }}") == (
        '<iframe src="https://player.vimeo.com/video/76979871" width="320" height="315" '
        'frameborder="0" allowfullscreen></iframe>')
    assert render("[{{ 'https://example.com/v.mp4' | videoify }}]") == "[]"

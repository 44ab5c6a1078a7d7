"""CSV and XML filters."""

from __future__ import annotations

CSV = "name,description\nname-1,description-1\nname-2,description-2\n"


def test_parse_csv(render):
    assert render("{{ csv | parse_csv | json }}", csv=CSV) == (
        '[["name","description"],["name-1","description-1"],["name-2","description-2"]]')
    assert render("{{ csv | parse_csv: convert_to_hash: true | json }}", csv=CSV) == (
        '[{"name":"name-1","description":"description-1"},'
        '{"name":"name-2","description":"description-2"}]')
    assert render("{{ csv | parse_csv_rc: col_sep: ';' | json }}", csv='a;"b;c"\n') == (
        '[["a","b;c"]]')
    assert "malformed CSV" in render.error("{{ csv | parse_csv }}", csv='a,"b\n').message


def test_to_csv(render):
    out = render("""
        {%- liquid
          assign arr = '' | split: ','
          assign headers = 'id,header1,header2' | split: ','
          assign row1 = '1,example,value' | split: ','
          assign row2 = '2,another,val2' | split: ','
          assign arr = arr | array_add: headers | array_add: row1 | array_add: row2
        -%}
        {{ arr | to_csv }}|{{ arr | to_csv: force_quotes: true }}
    """)
    assert out == ('"id","header1","header2"\n1,"example","value"\n2,"another","val2"\n|'
                   '"id","header1","header2"\n"1","example","value"\n"2","another","val2"\n')
    assert render("{{ rows | to_csv }}", rows=[["=SUM(A1)", 'say "hi"', None]]) == (
        '"\'=SUM(A1)","say ""hi""",\n')
    assert "must be an array" in render.error("{{ rows | to_csv }}", rows=["a"]).message


def test_parse_xml_and_to_xml(render):
    xml = ('<?xml version="1.0" encoding="UTF-8"?>'
           '<letter><title maxlength="10"> Quote Letter </title></letter>')
    assert render("{{ x | parse_xml | json }}", x=xml) == (
        '{"letter":[{"title":[{"maxlength":"10","content":" Quote Letter "}]}]}')
    assert render("{{ x | xml_to_hash: attr_prefix: true, force_array: false | json }}",
                  x=xml) == '{"letter":{"title":{"@maxlength":"10","content":" Quote Letter "}}}'
    assert render("{{ x | parse_xml | to_xml }}", x=xml) == (
        '<letter>\n  <title maxlength="10"> Quote Letter </title>\n</letter>\n')
    assert "invalid XML" in render.error("{{ '<a>' | parse_xml }}").message


def test_to_xml_of_arrays_and_prefixed_attributes(render):
    assert render("{{ a | to_xml }}", a=[1, 2]) == "<anon>1</anon>\n<anon>2</anon>\n"
    assert render("{{ h | to_xml_rc: attr_prefix: true }}", h={"r": {"@id": "1", "n": "x"}}) == (
        '<r id="1">\n  <n>x</n>\n</r>\n')

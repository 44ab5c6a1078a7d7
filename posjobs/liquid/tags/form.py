"""`{% form html-id: 'x', method: 'post', url: '/x' %} ... {% endform %}`: a `<form>` element.

Locally it renders the form element with the attributes the options ask for (`html-id`,
`html-class`, `html-novalidate`, `html-multipart` (default true), `html-data-*`, `method`,
`url`), a hidden `authenticity_token`, a hidden `_method` for put/patch/delete, and the body,
where `form_builder` holds the form's name (`as`, default `form`) and options.
"""

from __future__ import annotations

from html import escape
from typing import Any, TextIO

from liquid import RenderContext

from posjobs.liquid.tags.block import ArgumentsBlockNode, ArgumentsBlockTag
from posjobs.liquid.values import output_string

TAG_FORM = "form"
TAG_ENDFORM = "endform"
AUTHENTICITY_TOKEN = "posjobs-local-authenticity-token"


class FormNode(ArgumentsBlockNode):
    tag_name = TAG_FORM

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.blank = False  # it always prints its <form> element

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        options: dict[str, Any] = {str(k): v for k, v in (a.evaluate(context) for a in self.args)}
        method = str(options.get("method") or "post").lower()
        builder = {"name": str(options.get("as") or "form"), "method": method,
                   "url": options.get("url"), "options": options}
        inner = context.get_buffer(buffer)
        with context.extend({"form_builder": builder}):
            self.body.render(context, inner)
        hidden = [("authenticity_token", AUTHENTICITY_TOKEN)]
        if method not in ("get", "post"):
            hidden.append(("_method", method))
        inputs = "".join(
            f'<input type="hidden" name="{name}" value="{escape(value)}">' for name, value in hidden
        )
        html = f"<form{form_attributes(options, method)}>{inputs}{inner.getvalue()}</form>"
        return buffer.write(html)


def form_attributes(options: dict[str, Any], method: str) -> str:
    attributes: list[tuple[str, object]] = []
    if options.get("url"):
        attributes.append(("action", options["url"]))
    attributes.append(("method", "get" if method == "get" else "post"))
    if options.get("html-id"):
        attributes.append(("id", options["html-id"]))
    if options.get("html-class"):
        attributes.append(("class", options["html-class"]))
    if options.get("html-multipart", True) not in (False, "false"):
        attributes.append(("enctype", "multipart/form-data"))
    for name, value in options.items():
        if name.startswith("html-data-"):
            attributes.append((name.removeprefix("html-"), value))
    text = "".join(
        f' {name}="{escape(output_string(value))}"'
        for name, value in attributes
    )
    if options.get("html-novalidate") not in (None, False, "false"):
        text += " novalidate"
    return text


class FormTag(ArgumentsBlockTag):
    name = TAG_FORM
    end = TAG_ENDFORM
    node_class = FormNode

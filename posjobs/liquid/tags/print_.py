"""`{% print value %}`: outputs a value as `echo` does (posjobs never escapes output)."""

from __future__ import annotations

from liquid.builtin.tags.echo_tag import EchoTag

from posjobs.liquid.compat import PlatformEchoNode


class PrintNode(PlatformEchoNode):
    def __str__(self) -> str:
        return f"{{% print {self.expression} %}}"


class PrintTag(EchoTag):
    name = "print"
    node_class = PrintNode

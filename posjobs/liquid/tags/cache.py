"""`{% cache 'key', expire: 20 %} ... {% endcache %}`: renders its body every time.

On the platform the body's output is cached under the key; locally every render is the first,
so the body always renders. The key and `expire` are evaluated (for their errors) and ignored.
"""

from __future__ import annotations

from typing import TextIO

from liquid import RenderContext

from posjobs.liquid.tags.block import ArgumentsBlockNode, ArgumentsBlockTag

TAG_CACHE = "cache"
TAG_ENDCACHE = "endcache"


class CacheNode(ArgumentsBlockNode):
    tag_name = TAG_CACHE

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        for arg in self.args:
            arg.evaluate(context)
        return self.body.render(context, buffer)


class CacheTag(ArgumentsBlockTag):
    name = TAG_CACHE
    end = TAG_ENDCACHE
    node_class = CacheNode
    keywords_only = False

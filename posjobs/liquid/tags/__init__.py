"""The platform's tags, one per module; `register` adds them all to an environment.

python-liquid's standard tags (assign, capture, if, for, include, render, liquid...) stay as
they are; docs/tags.md lists what each platform tag does locally and what is unsupported.
"""

from __future__ import annotations

from liquid import Environment, Tag

from posjobs.liquid.tags.assign import AssignTag
from posjobs.liquid.tags.background import BackgroundTag
from posjobs.liquid.tags.cache import CacheTag
from posjobs.liquid.tags.content_for import ContentForTag
from posjobs.liquid.tags.context_ import ContextRcTag, ContextTag
from posjobs.liquid.tags.execute_query import ExecuteQueryTag, QueryGraphTag
from posjobs.liquid.tags.export import ExportTag
from posjobs.liquid.tags.form import FormTag
from posjobs.liquid.tags.function import FunctionRcTag, FunctionTag
from posjobs.liquid.tags.graphql import GraphqlTag
from posjobs.liquid.tags.hash_assign import HashAssignTag
from posjobs.liquid.tags.include_form import IncludeFormTag, RenderFormTag
from posjobs.liquid.tags.log import LogTag
from posjobs.liquid.tags.parse_json import ParseJsonTag
from posjobs.liquid.tags.print_ import PrintTag
from posjobs.liquid.tags.redirect_to import RedirectToTag
from posjobs.liquid.tags.response_headers import ResponseHeadersTag
from posjobs.liquid.tags.response_status import ResponseStatusTag
from posjobs.liquid.tags.return_ import ReturnRcTag, ReturnTag
from posjobs.liquid.tags.rollback import RollbackTag
from posjobs.liquid.tags.session import SessionTag
from posjobs.liquid.tags.sign_in import SignInRcTag, SignInTag
from posjobs.liquid.tags.spam_protection import SpamProtectionTag
from posjobs.liquid.tags.theme_render import ThemeRenderTag
from posjobs.liquid.tags.transaction import TransactionTag
from posjobs.liquid.tags.try_ import TryRcTag, TryTag
from posjobs.liquid.tags.unsupported import UnsupportedTag
from posjobs.liquid.tags.yield_ import YieldTag

TAGS: tuple[type[Tag], ...] = (
    AssignTag,  # python-liquid's, also setting keys: assign h["a"] = 1
    BackgroundTag,
    CacheTag,
    ContentForTag,
    ContextRcTag,
    ContextTag,
    ExecuteQueryTag,
    ExportTag,
    FormTag,
    FunctionRcTag,
    FunctionTag,
    GraphqlTag,
    HashAssignTag,
    IncludeFormTag,
    LogTag,
    ParseJsonTag,
    PrintTag,
    QueryGraphTag,
    RedirectToTag,
    RenderFormTag,
    ResponseHeadersTag,
    ResponseStatusTag,
    ReturnRcTag,
    ReturnTag,
    RollbackTag,
    SessionTag,
    SignInRcTag,
    SignInTag,
    SpamProtectionTag,
    ThemeRenderTag,
    TransactionTag,
    TryRcTag,
    TryTag,
    UnsupportedTag,  # python-liquid's handler for unknown tags, replaced
    YieldTag,
)


def register(env: Environment) -> None:
    for tag in TAGS:
        env.add_tag(tag)

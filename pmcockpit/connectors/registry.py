"""Which connector speaks which kind of tool, and opening one for a connection."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import httpx

from pmcockpit.connectors.base import ConnectionConfig, Connector
from pmcockpit.connectors.errors import NotSupported
from pmcockpit.connectors.feishu import FeishuConnector
from pmcockpit.connectors.gitlab import GitLabConnector
from pmcockpit.connectors.jira import JiraConnector
from pmcockpit.connectors.redmine import RedmineConnector
from pmcockpit.connectors.zentao import ZenTaoConnector
from pmcockpit.core.i18n import _


class ConnectorClass(Protocol):
    def __call__(
        self, config: ConnectionConfig, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> Connector: ...


CONNECTOR_KINDS: Mapping[str, ConnectorClass] = {
    "redmine": RedmineConnector,
    "gitlab": GitLabConnector,
    "jira": JiraConnector,
    "zentao": ZenTaoConnector,
    "feishu": FeishuConnector,
}


def open_connector(
    config: ConnectionConfig, *, transport: httpx.AsyncBaseTransport | None = None
) -> Connector:
    """The connector for ``config.kind``; ``transport`` replaces the network (tests, sim)."""
    try:
        connector_class = CONNECTOR_KINDS[config.kind]
    except KeyError:
        known = ", ".join(sorted(CONNECTOR_KINDS))
        raise NotSupported(
            _("{name}: unknown kind of tool {kind!r}; pmcockpit knows: {known}").format(
                name=config.name, kind=config.kind, known=known),
            hint=_("fix the connection with `pmcockpit connect add {name} --kind …`").format(
                name=config.name),
        ) from None
    return connector_class(config, transport=transport)

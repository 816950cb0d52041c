"""Blueprints per audience, error pages and what every template may use."""

from functools import lru_cache

from flask import Flask, g
from flask_login import current_user

from portal import vocab
from portal.catalogue import desk_queue, permissions
from portal.catalogue.figures import figures_of
from portal.catalogue.visibility import becomes_inactive_soon, has_aged_out, inactive_from, is_inactive, is_public
from portal.links import absolute_url
from portal.markdown import render_markdown
from portal.views import (
    admin,
    admin_import,
    api,
    auth,
    caching,
    cors,
    dcat,
    desk,
    desk_network,
    errors,
    fragments,
    health,
    items,
    languages,
    machines,
    network,
    oai,
    partner,
    public,
    routing,
    saved_searches,
    search,
    transaction,
)
from portal.views.input import PortalRequest
from portal.views.shared import facet_fieldsets, result_items


def register(app: Flask) -> None:
    app.request_class = PortalRequest  # parameters without control characters, bodies limited by kind
    routing.install(app)  # before any route is added
    for module in (public, search, network, api, auth, partner, saved_searches, items, desk, desk_network, admin,
                   admin_import, oai, dcat, machines, health):
        app.register_blueprint(module.bp)
    transaction.install(app)  # one commit per request, after the view answers
    errors.register(app)
    cors.install(app)
    caching.install(app)  # registered last, its hook runs first: validators, then compression

    # Rendering and sanitising a description takes about a millisecond; the same ones are shown again and again.
    app.add_template_filter(lru_cache(maxsize=256)(render_markdown), "markdown")
    app.add_template_filter(vocab.country_name, "country_name")
    app.add_template_filter(vocab.language_name, "language_name")
    languages.install(app)
    app.jinja_env.globals.update(
        country_list=vocab.country_list,
        vocab=vocab,
        label=vocab.label,
        permissions=permissions,
        is_public=is_public,
        is_inactive=is_inactive,
        becomes_inactive_soon=becomes_inactive_soon,
        has_aged_out=has_aged_out,
        inactive_from=inactive_from,
        absolute_url=absolute_url,
        key_figures=figures_of,
        result_items=result_items,
        facet_fieldsets=facet_fieldsets,
        layout=fragments.layout,
    )

    @app.context_processor
    def navigation():
        """Counts in the navigation, for desks."""
        values = {"current_user": current_user, "site_name": app.config["SITE_NAME"]}
        if current_user.is_authenticated and (current_user.is_moderator or current_user.is_admin):
            # The queue page counted it already (``desk.index``): the same count, not asked twice.
            values["desk_queue_count"] = g.get("desk_queue_count")
            if values["desk_queue_count"] is None:
                values["desk_queue_count"] = desk_queue.queue_count(current_user)
        return values


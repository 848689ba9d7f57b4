"""The buyer's pages: home, browse/search, one offer, CSV export of a browse view. Thin: parse, call, render.

The whole browse view lives in the query string (the same parameters as GET /api/v1/offers),
so a view is a link: shareable, bookmarkable, and the back button returns to it.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from itertools import islice
from typing import NamedTuple, TypeVar
from urllib.parse import quote_plus

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    get_template_attribute,
    make_response,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup, escape
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload

from catalog import browse_table
from catalog.context import load_fx
from catalog.csv_export import csv_text
from catalog.job_prices import job_prices
from catalog.models import Offer, Vendor, utcnow
from catalog.offer_query import (
    EFFECTIVE_SORTS,
    QUERY_SCHEMA_LENIENT,
    SORTS,
    OfferPage,
    OfferQuerySchema,
    search_offers,
)
from catalog.price_chart import ChartLabels, price_history_svg
from catalog.program_scope import ProgramChoice, ProgramScope, program_scope, programs_in_force, rates_for
from catalog.question import Question, Reading
from catalog.registry import default_registries
from catalog.summary import catalog_summary
from catalog.week_strip import rows_html, week_strip
from extensions import db
from pricing.availability import discounted
from pricing.duration_price import DurationPrice
from pricing.period_change import period_changes
from pricing.text import squash
from pricing.units import Billing
from web import caches
from web import format as fmt
from web.locale import gettext as _
from web.locale import language, lazy_gettext
from web.nav import add_nav, merge_query, pager
from web.validation import message_lines

bp = Blueprint("catalog_pages", __name__)
T = TypeVar("T")

EXPORT_LIMIT = 5000
EXPORT_BATCH = 100
OTHER_OFFERS = 12
# The params a browse view may carry; anything else in the URL (lang, utm_…) is not a filter.
VIEW_PARAMS = tuple(OfferQuerySchema().fields)
SORT_LABELS = {
    "unit_price": lazy_gettext("Price: low to high"),
    "-unit_price": lazy_gettext("Price: high to low"),
    "price_per_tflop_hour": lazy_gettext("Price per TFLOPS-hour"),
    "-price_per_tflop_hour": lazy_gettext("Price per TFLOPS-hour: high to low"),
    "updated_at": lazy_gettext("Recently updated"),
    "effective_price": lazy_gettext("Price for this job: low to high"),
    "-effective_price": lazy_gettext("Price for this job: high to low"),
}
FIELD_LABELS = {
    "q": lazy_gettext("Search"), "kind": lazy_gettext("Kind"), "vendor": lazy_gettext("Vendor"),
    "gpu_model": lazy_gettext("GPU model"), "model": lazy_gettext("Model"), "region": lazy_gettext("Region"),
    "billing": lazy_gettext("Billing"), "min_gpu_count": lazy_gettext("Min. GPU count"),
    "min_gpu_memory_gb": lazy_gettext("Min. GPU memory (GB)"), "min_vcpus": lazy_gettext("Min. vCPUs"),
    "min_unit_price": lazy_gettext("Min. price (¥ per unit)"),
    "max_unit_price": lazy_gettext("Max. price (¥ per unit)"), "in_stock": lazy_gettext("In stock only"),
    "available_from": lazy_gettext("Available from"), "available_to": lazy_gettext("Available until"),
    "off_peak": lazy_gettext("With an off-peak price"),
    "program": lazy_gettext("Compute voucher"),
    "sort": lazy_gettext("Sort"), "page": lazy_gettext("Page"), "per_page": lazy_gettext("Per page"),
    "duration_hours": lazy_gettext("How long (hours)"),
}


def view_args() -> dict[str, str]:
    """The browse parameters of this request, blanks dropped, in a stable order."""
    return {k: request.args[k] for k in VIEW_PARAMS if request.args.get(k, "").strip()}


def run_query(args: dict[str, str], **overrides) -> OfferPage:
    """:raise ValidationError: a bad or unknown parameter value."""
    params = QUERY_SCHEMA_LENIENT.load({**args, **overrides})
    params, _program = program_scope(db.session, params, default_registries())
    return search_offers(db.session, params, default_registries())


def error_lines(exc: ValidationError) -> list[str]:
    return message_lines(exc, {field: str(label) for field, label in FIELD_LABELS.items()})


class VendorLabel(NamedTuple):
    """What a facet or a chip shows of a vendor (fmt.vendor_name reads these three)."""
    slug: str
    name_zh: str | None
    name_en: str | None


caches.register(
    "vendor-labels", __name__, holds="every vendor's slug and display names (facet labels, filter chips)",
    key="the catalog version", bound="one table of every vendor (~2,000 rows, ~200 KB) per worker",
    invalidated_by=caches.Invalidation.CATALOG_VERSION, catalog_facts=True)


def by_catalog_version(name: str, compute: Callable[[], T]) -> T:
    """compute() once per catalog version in this worker (every time when the version is unknown).

    The version is read before computing, so what is kept is never older than its version;
    a renamed vendor writes outbox rows for its offers and so is a new version too.
    """
    service, version = current_app.extensions.get("search"), None
    if service is not None:
        try:
            service.snapshot.refresh()
            version = service.snapshot.generation
        except SQLAlchemyError:  # the page itself will report the database
            pass
    kept = current_app.extensions.setdefault("catalog_version_caches", {})
    hit = kept.get(name)
    if version is not None and hit is not None and hit[0] == version:
        return hit[1]
    value = compute()
    if version is not None:
        kept[name] = (version, value)
    return value


def vendors_by_slug(slugs) -> dict[str, VendorLabel]:
    """Display names of these vendors, from a table of every vendor kept per catalog version:
    loading the 50 shown in the sidebar on every browse request was ~2.5 ms of it at 100k offers."""
    slugs = set(slugs)
    if not slugs:
        return {}
    table = by_catalog_version("vendor-labels", lambda: {
        row.slug: VendorLabel(*row) for row in db.session.execute(select(Vendor.slug, Vendor.name_zh, Vendor.name_en))})
    return {slug: table[slug] for slug in slugs if slug in table}


FACET_MAX_ENTRIES = 50


caches.register(
    "facet-value-quoting", __name__, holds="URL-quoted facet values (registry ids, vendor slugs)",
    key="the value", bound="8,192 strings", invalidated_by=caches.Invalidation.NEVER, catalog_facts=False)


@lru_cache(maxsize=8192)
def _quoted(value: str) -> str:
    # Facet values are registry ids and vendor slugs: a few thousand, quoted once each.
    return quote_plus(value)


class FacetLink(NamedTuple):
    key: str
    label: str
    count: int | None
    href: str  # the view with this value chosen, or without it when it is the chosen one
    chosen: bool


def facet_entries(page: OfferPage, vendors: dict[str, VendorLabel], args: dict[str, str],
                  browse_url: str) -> list[tuple[str, list[FacetLink]]]:
    """Each sidebar group as (param, [FacetLink, ...]), links built here rather than in the
    template: a sidebar has ~100 of them, and a macro call plus url_for per link was a third
    of the page's time."""
    facets = page.facets
    labels = {
        "kind": fmt.kind_label,
        "gpu_model": fmt.gpu_name,
        "vendor": lambda slug: fmt.vendor_name(vendors[slug]) if slug in vendors else slug,
        "region": fmt.region_name,
        "model": fmt.token_model_name,
    }
    # The token list groups by model where a GPU list groups by GPU model.
    shown = ("kind", "model", "vendor", "region") if args.get("kind") == "token" else (
        "kind", "gpu_model", "vendor", "region")
    # Facets come most-offered first; past FACET_MAX_ENTRIES (2,000 vendors at 100k offers) the
    # rest are left to the search box: rendering them all cost ~200 ms a page.
    groups = [(name, [(key, labels[name](key), count)
                      for key, count in islice(facets.get(name, {}).items(), FACET_MAX_ENTRIES)])
              for name in shown]
    # The search engine may count billing modes too; without counts every mode is still offered.
    billing_counts = facets.get("billing")
    groups.append(("billing", [(b.value, fmt.billing_label(b.value), billing_counts.get(b.value, 0) if billing_counts
                                else None) for b in Billing if not billing_counts or b.value in billing_counts]))
    out = []
    for name, entries in groups:
        chosen_key = args.get(name)
        rest = merge_query(args, **{name: None, "page": None})
        without = f"{browse_url}?{rest}" if rest else browse_url
        joiner = f"{without}&" if rest else f"{browse_url}?"
        out.append((name, [FacetLink(key, label, count, without if key == chosen_key else
                                     f"{joiner}{name}={_quoted(key)}", key == chosen_key)
                           for key, label, count in entries]))
    return out


FACET_SHOWN = 8  # links a group shows before the rest fold away


def facet_groups_html(groups: list[tuple[str, list[FacetLink]]]) -> Markup:
    """The sidebar's groups of links (from facet_entries), written here rather than in the
    template: ~250 links a page, and the Jinja loop over them was ~0.7 ms of a browse page."""
    remove_title = escape(_("Remove this filter"))
    out = []
    for name, entries in groups:
        if not entries:
            continue
        title = escape(str(FIELD_LABELS.get(name, name)))
        out.append(f'<section class="facet" aria-label="{title}">\n    <h3>{title}</h3>\n    <ul>')
        for i, e in enumerate(entries):
            if i == FACET_SHOWN:
                opened = " open" if any(x.chosen for x in entries[FACET_SHOWN:]) else ""
                more = escape(_("%(n)s more", n=len(entries) - FACET_SHOWN))
                out.append(f"</ul>\n      <details{opened}>\n        <summary>{more}</summary>\n        <ul>")
            li, current = (' class="chosen"', f' aria-current="true" title="{remove_title}"') if e.chosen else ("", "")
            count = "" if e.count is None else f'<span class="count">{e.count}</span>'
            out.append(f'\n      <li{li}><a href="{escape(e.href)}"{current}>'
                       f'<span class="facet-label">{escape(e.label)}</span>{count}</a></li>')
        out.append("\n    </ul>\n    ")
        if len(entries) > FACET_SHOWN:
            out.append("</details>")
        out.append("\n  </section>\n")
    return Markup("".join(out))


def chip_value(name: str, value: str, vendors: dict[str, VendorLabel], program: ProgramScope | None = None) -> str:
    """How an active filter reads: registry ids by their display names, the rest as typed."""
    registries = default_registries()
    if name == "kind":
        return fmt.kind_label(value)
    if name == "billing":
        return fmt.billing_label(value)
    if name == "vendor":
        vendor = vendors.get(value.strip().lower())
        return fmt.vendor_name(vendor) if vendor else value
    if name == "gpu_model" and registries.gpus.get(value):
        return fmt.gpu_name(value)
    if name == "region" and registries.regions.get(value):
        return fmt.region_name(value)
    if name == "model" and registries.token_models.get(value):
        return fmt.token_model_name(value)
    if name in ("in_stock", "off_peak"):
        return _("yes")
    if name == "program" and program is not None:
        return program_name(program)
    return value


def active_chips(args: dict[str, str], vendors: dict[str, VendorLabel],
                 program: ProgramScope | None = None) -> list[tuple[str, str, str]]:
    return [(name, str(FIELD_LABELS.get(name, name)), chip_value(name, value, vendors, program))
            for name, value in args.items() if name not in ("sort", "page", "per_page", "duration_hours")]


caches.register(
    "home-summary", __name__, holds="the home page's counts and cheapest offer per popular GPU model",
    key="the catalog version", bound="one summary per worker",
    invalidated_by=caches.Invalidation.CATALOG_VERSION, catalog_facts=True)


def cached_summary():
    """The home page's catalog summary, computed once per catalog version per worker.

    It aggregates every active offer (~180 ms of PostgreSQL at 100k offers): computed on every
    visit it made the home page the slowest page of the site under load.
    """
    return by_catalog_version("home-summary", lambda: catalog_summary(db.session))


caches.register(
    "offer-row-html", __name__, holds="an offer's table-row HTML (kept_macro), on the kept offer object",
    key="(offer object, macro, language)", bound="5 macros x 2 languages on each offer of offer-records",
    invalidated_by=caches.Invalidation.CATALOG_VERSION, catalog_facts=True)
# The macros of templates/catalog/_macros.html that kept_macro may keep.
KEPT_MACROS = ("browse_row_start", "browse_cells_head", "browse_cells_tail", "browse_token_cells")


def kept_macro(offer, name: str) -> Markup:
    """An offer's part of a table row (a macro of templates/catalog/_macros.html), rendered
    once per offer object and language. Offers kept by catalog.offer_records are shared between
    requests and replaced by new objects when they change, so HTML kept on one is never stale;
    a page shows 12-20 of them and the two macros cost ~90 µs an offer."""
    if name not in KEPT_MACROS:
        raise ValueError(name)
    key = (name, language())
    kept = offer.__dict__.get("_kept_html")
    if kept is None:
        kept = offer.__dict__["_kept_html"] = {}
    html = kept.get(key)
    if html is None:
        html = kept[key] = get_template_attribute("catalog/_macros.html", name)(offer)
    return html


def place_name(place: str) -> str:
    """A region id by its name, a province or area ('华东') by its name in the page's language."""
    registries = default_registries()
    if registries.regions.get(place):
        return fmt.region_name(place)
    key = squash(place)
    for region in registries.regions.in_area(place):
        for zh, en in ((region.area_zh, region.area_en), (region.province_zh, region.province_en)):
            if key in {squash(zh or ""), squash(en or "")}:
                return zh if language() == "zh" else en
    return place


def reading_label(reading: Reading) -> str:
    """What a part of the question was read as, in the page's language."""
    value = reading.value
    if reading.kind == "cards":
        return _("%(n)s GPU cards", n=value)
    if reading.kind == "hours":
        return _("%(n)s hours", n=value)
    if reading.kind == "tokens":
        return _("%(n)s tokens a month", n=f"{int(value):,}")
    if reading.kind == "memory":
        return _("at least %(n)s GB of GPU memory", n=value)
    if reading.kind == "cores":
        return _("%(n)s CPU cores", n=value)
    if reading.kind == "max_price":
        return _("at most ¥%(n)s per unit", n=value)
    if reading.kind == "region":
        return _("region: %(name)s", name=place_name(value))
    if reading.kind == "sort":
        return str(SORT_LABELS.get(value, value))
    return _("any of %(names)s", names=reading.typed)


def question_notes(question: Question | None, relaxed: tuple[str, ...], q: str) -> dict:
    """The lines the browse page shows about how its question was read, and the planner link."""
    if question is None:
        return {"readings": [], "relaxed_line": "", "planner_url": None}
    line = ""
    if relaxed:
        line = _("No offer matches all of “%(asked)s”; relaxed: ignoring “%(dropped)s”",
                 asked=q.strip(), dropped=" / ".join(relaxed))
    planner = url_for("compare.plan", **question.planner) if question.planner else None
    return {"readings": [(r.typed, reading_label(r)) for r in question.read], "relaxed_line": line,
            "planner_url": planner}


@bp.get("/")
def home():
    return render_template("catalog/home.html", summary=cached_summary())


def program_name(program: ProgramScope | ProgramChoice) -> str:
    return program.name_zh if language() == "zh" else program.name_en


class AfterVoucher(NamedTuple):
    price: str  # '¥6.65 / 卡时'
    rate: str  # '30%'


def after_voucher_cells(program: ProgramScope | None, items: list[Offer]) -> dict[int, AfterVoucher]:
    """Each shown offer's normalized price after the programme's shares, and the government's rate."""
    if program is None:
        return {}
    out = {}
    for o in items:
        after = program.after(o.id, o.unit_price)
        if after is not None:
            out[o.id] = AfterVoucher(fmt.price_per_unit(after, o.kind),
                                     f"{(program.rates[o.id] * 100).normalize():f}%")
    return out


@bp.get("/offers")
def browse():
    args = view_args()
    errors, status, hours, program = [], 200, None, None
    try:
        params = QUERY_SCHEMA_LENIENT.load(args)
        params, program = program_scope(db.session, params, default_registries())
        page = search_offers(db.session, params, default_registries())
        program = rates_for(db.session, program, [o.id for o in page.items])
        hours = params.get("duration_hours")
    except ValidationError as exc:
        errors, status = error_lines(exc), 400
        page = OfferPage(total=0, page=1, per_page=20, items=[], facets={})
    # A job's length prices each shown row for it (a monthly machine pays its month).
    jobs = job_prices(page.items, hours, load_fx(db.session)) if hours and page.items else {}
    columns = browse_table.columns_for(args.get("kind"), hours is not None, program is not None)
    vendor_slugs = set(islice(page.facets.get("vendor", {}), FACET_MAX_ENTRIES))
    if args.get("vendor"):
        vendor_slugs.add(args["vendor"])
    vendors = vendors_by_slug(vendor_slugs)
    pages = max(1, -(-page.total // page.per_page))
    browse_url = url_for("catalog_pages.browse")
    return render_template(
        "catalog/browse.html", page=page, args=args, errors=errors, pages=pages,
        page_numbers=pager(page.page, pages),
        facets_html=facet_groups_html(facet_entries(page, vendors, args, browse_url)),
        chips=active_chips(args, vendors, program),
        program=program, program_label=program_name(program) if program else "",
        programs=[(p.code, program_name(p)) for p in programs_in_force(db.session)],
        after_voucher=after_voucher_cells(program, page.items),
        corrected=getattr(page, "corrected", {}),
        similar_gpus=[(gpu, f"{browse_url}?q={_quoted(fmt.gpu_name(gpu))}") for gpu in page.similar_gpus],
        **question_notes(page.understood, page.relaxed, args.get("q", "")),
        sort_labels=SORT_LABELS, field_labels=FIELD_LABELS,
        sorts=[k for k in SORTS if hours is not None or k not in EFFECTIVE_SORTS],
        sort=browse_table.current_sort(args), hours=hours, jobs=jobs, columns=[c.key for c in columns],
        headers=browse_table.headers(columns, args, browse_url),
        hidden=browse_table.hidden_keys(columns, args), per_page_choices=browse_table.PER_PAGE_CHOICES), status


@bp.get("/offers/<int:offer_id>")
def offer(offer_id: int):
    """:raise 404: no such offer."""
    # One query for the offer, its vendor and its price history (a handful of rows).
    item = db.session.get(Offer, offer_id, options=[joinedload(Offer.vendor), joinedload(Offer.price_history)])
    if item is None:
        abort(404)
    registries = default_registries()
    gpu = registries.gpus.get(item.gpu_model) if item.gpu_model else None
    token_model = registries.token_models.get(item.model) if item.model else None
    same = {"gpu": ("gpu_model", item.gpu_model), "token": ("model", item.model)}.get(item.kind)
    others = []
    if same and same[1]:
        found = run_query({same[0]: same[1]}, per_page=OTHER_OFFERS + 10)
        others = [o for o in found.items if o.vendor_id != item.vendor_id][:OTHER_OFFERS]
    # The other vendors' rows are the browse table's (the same cells, one line each, one number format).
    other_columns = browse_table.columns_for(item.kind, with_duration=False)
    unit = fmt.normalized_unit(item.kind)
    chart = price_history_svg(
        [(h.at, h.unit_price) for h in item.price_history], datetime.now(UTC).replace(tzinfo=None),
        ChartLabels(title=_("Price history"), unit=f"¥ / {unit}", format_price=fmt.cny,
                    format_date=fmt.day))
    batch = {"input": discounted(item.input_price, item.batch_rate),
             "output": discounted(item.output_price, item.batch_rate)}
    week = week_strip(db.session, item, utcnow()) if item.kind != "token" else []
    week_rows = rows_html(week, {"outside": _("outside the offer's hours"), "past": _("past"), "free": _("free"),
                                 "n_free": _("%(n)s free", n="{n}")}) if week else ""
    # What areas add to an offer's page (vouchers: the price after a programme), each rendered by its area.
    panels = [panel(item) for panel in current_app.extensions.get("offer_panels", [])]
    changes = period_changes([(h.at, h.unit_price) for h in item.price_history], item.unit_price, utcnow())
    response = make_response(render_template(
        "catalog/offer.html", offer=item, gpu=gpu, token_model=token_model, others=others, chart=Markup(chart),
        other_headers=[(c.key, str(c.label), c.num) for c in other_columns],
        other_hidden=[c.key for c in other_columns if c.hidden],
        history=list(reversed(item.price_history)), batch=batch, week=week, week_rows=week_rows, panels=panels,
        changes=changes,
        alert_threshold=format(item.unit_price.normalize(), "f")))
    if week and item.stock is not None:
        # Its free hours change with every booking, which is not a catalog change: the page cache
        # (keyed by the catalog version) must not keep them.
        response.headers["Cache-Control"] = "no-store"
    return response


def export_header(hours: int | None = None) -> list[str]:
    """The export's columns; a job's length adds the page's two job columns after the normalized price."""
    job = [_("Price for this job (CNY, %(n)s h)", n=hours), _("Job total (CNY, %(n)s h)", n=hours),
           _("Hours paid")] if hours else []
    return [_("ID"), _("Vendor"), _("Title"), _("Kind"), _("GPU model"), _("GPU count"), _("GPU memory (GB)"),
            _("vCPUs"), _("RAM (GB)"), _("Model"), _("Region"), _("Billing"), _("Price (CNY)"), _("Per"), *job,
            _("Input (CNY / 1M tokens)"), _("Output (CNY / 1M tokens)"), _("Listed price"), _("Listed currency"),
            _("Listed unit"), _("Stock"), _("Price updated (UTC)"), _("Link")]


def export_job_cells(job: DurationPrice | None) -> list:
    """The effective price exact as the page ranks it (like the normalized price column), the job's
    total to the fen, the hours paid; blank where the offer has no price for the job (tokens)."""
    if job is None:
        return ["", "", ""]
    return [format(job.effective, "f"), format(job.total, "f"), job.billed_hours]


def export_row(o: Offer, job_cells: list | None = None) -> list:
    return [o.id, fmt.vendor_name(o.vendor), o.title, fmt.kind_label(o.kind), fmt.gpu_name(o.gpu_model),
            fmt.quantity(o.gpu_count), fmt.quantity(o.gpu_memory_gb), fmt.quantity(o.vcpus), fmt.quantity(o.ram_gb),
            fmt.token_model_name(o.model), fmt.region_name(o.region), fmt.billing_label(o.billing),
            format(o.unit_price, "f"), fmt.normalized_unit(o.kind), *(job_cells or []),
            "" if o.input_price is None else format(o.input_price, "f"),
            "" if o.output_price is None else format(o.output_price, "f"),
            fmt.listed_price(o), o.list_currency, o.list_unit, "" if o.stock is None else o.stock,
            o.price_updated_at.replace(microsecond=0).isoformat(sep=" "),
            request.host_url.rstrip("/") + f"/offers/{o.id}"]


@bp.get("/offers.csv")
def export():
    """Every offer of the current browse view (all pages, up to EXPORT_LIMIT) as CSV."""
    args = {k: v for k, v in view_args().items() if k not in ("page", "per_page")}
    rows = []
    try:
        hours = QUERY_SCHEMA_LENIENT.load(args).get("duration_hours")
        fx = load_fx(db.session) if hours else None
        page_no = 1
        while len(rows) < EXPORT_LIMIT:
            found = run_query(args, page=str(page_no), per_page=str(EXPORT_BATCH))
            jobs = job_prices(found.items, hours, fx) if hours else {}
            rows.extend(export_row(o, export_job_cells(jobs.get(o.id)) if hours else None) for o in found.items)
            if page_no * EXPORT_BATCH >= found.total:
                break
            page_no += 1
    except ValidationError as exc:
        return Response("\n".join(error_lines(exc)) + "\n", status=400, mimetype="text/plain")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return Response(csv_text(export_header(hours), rows[:EXPORT_LIMIT]), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="offers-{stamp}.csv"'})


def init_app(app: Flask) -> None:
    fmt.init_app(app, default_registries())
    app.add_template_global(kept_macro, "kept_macro")
    app.register_blueprint(bp)
    add_nav(app, 10, "catalog_pages.home", "Home")
    add_nav(app, 20, "catalog_pages.browse", "Browse")

#!/usr/bin/env python3
"""Validate seed_data/: registries (alias uniqueness), fx rates, vendors, offer sheets.

Run: python3 seed_data/check_seed.py   (stdlib only; exits non-zero on any problem)

The alias key function below is the one the resolver is expected to apply to both the
query and every alias: NFKC; lowercase; strip leading vendor words; drop whitespace and
- _ / . ( ) , ; ；; "gb" -> "g"; "sxm4"/"sxm5" -> "sxm".
"""
import csv, io, json, os, re, sys, unicodedata
from collections import Counter, defaultdict
from decimal import Decimal, InvalidOperation

HERE = os.path.dirname(os.path.abspath(__file__))
VENDOR_WORDS = ("nvidia", "英伟达", "tesla", "geforce", "quadro", "huawei", "华为", "amd", "instinct")
DROP = re.compile(r"[\s\-_/.(),;；，]+")


def key(s):
    s = unicodedata.normalize("NFKC", str(s)).lower().strip()
    changed = True
    while changed:
        changed = False
        for w in VENDOR_WORDS:
            if s.startswith(w) and len(s) > len(w):
                s = s[len(w):].lstrip(" \t-_/.")
                changed = True
    s = DROP.sub("", s)
    s = s.replace("gb", "g").replace("sxm4", "sxm").replace("sxm5", "sxm")
    return s


def light_key(s):
    """Simpler variant (no vendor stripping, no gb/sxm rewrites) - aliases must stay unique under it too."""
    return DROP.sub("", unicodedata.normalize("NFKC", str(s)).lower())


CN_HEADERS = {
    "编号": "sku", "类型": "kind", "标题": "title", "地域": "region", "计费方式": "billing",
    "型号": "gpu_model", "卡数": "gpu_count", "显存": "gpu_memory_gb", "cpu核数": "vcpus",
    "vcpu": "vcpus", "内存": "ram_gb", "架构": "cpu_arch", "模型": "model",
    "上下文长度": "context_window", "单价": "price", "输入单价": "input_price",
    "输出单价": "output_price", "币种": "currency", "计费单位": "price_unit", "库存": "stock",
    "描述": "description",
}
STD = ["sku", "kind", "title", "region", "billing", "gpu_model", "gpu_count", "gpu_memory_gb",
       "vcpus", "ram_gb", "cpu_arch", "model", "context_window", "price", "input_price",
       "output_price", "currency", "price_unit", "stock", "description"]
KIND = {"gpu": "gpu", "cpu": "cpu", "token": "token", "显卡": "gpu", "通用": "cpu", "模型": "token"}
BILLING = {"on_demand": "on_demand", "spot": "spot", "monthly": "monthly", "yearly": "yearly",
           "按量": "on_demand", "竞价": "spot", "包月": "monthly", "包年": "yearly"}
UNITS = {"hour": "hour", "minute": "minute", "day": "day", "week": "week", "month": "month",
         "year": "year", "card_hour": "card_hour", "core_hour": "core_hour", "token": "token",
         "1k_tokens": "1k_tokens", "1m_tokens": "1m_tokens",
         "元/卡时": "card_hour", "元/小时": "hour", "元/月": "month", "元/年": "year",
         "元/核时": "core_hour", "元/千tokens": "1k_tokens", "元/百万tokens": "1m_tokens"}
CURRENCY = {"人民币": "CNY", "美元": "USD"}
HOURS = {"minute": Decimal(1) / 60, "hour": 1, "day": 24, "week": 168, "month": 730, "year": 8760}

errors = []


def err(msg):
    errors.append(msg)


def load(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        return json.load(f)


def alias_map(entries, label, extra=()):
    m, lm = {}, {}
    for e in entries:
        forms = [e["id"], e.get("name", e.get("name_en", ""))] + list(e.get("aliases", []))
        if "name_zh" in e:
            forms.append(e["name_zh"])
        for a in forms:
            if not a:
                continue
            for fn, mp in ((key, m), (light_key, lm)):
                k = fn(a)
                if not k:
                    err(f"{label}: empty key for alias {a!r} of {e['id']}")
                elif mp.get(k, e["id"]) != e["id"]:
                    err(f"{label}: alias {a!r} ({fn.__name__} {k!r}) maps to {mp[k]} and {e['id']}")
                else:
                    mp[k] = e["id"]
    for fam in extra:
        if key(fam) in m:
            err(f"{label}: bare family name {fam!r} is an alias of {m[key(fam)]}")
    return m


def dec(v):
    try:
        d = Decimal(str(v).strip())
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def read_sheet(path):
    raw = open(path, "rb").read()
    if raw.startswith(b"\xef\xbb\xbf"):
        enc = "utf-8-sig"
    else:
        try:
            raw.decode("utf-8")
            enc = "utf-8"
        except UnicodeDecodeError:
            enc = "gb18030"
    rows = list(csv.reader(io.StringIO(raw.decode(enc), newline="")))
    return enc, rows


def main():
    gpus = load("registry/gpu_models.json")
    regions = load("registry/regions.json")
    tokens = load("registry/token_models.json")
    fx = load("fx_rates.json")
    vendors = load("vendors.json")

    families = defaultdict(list)
    for g in gpus:
        families[g["family"]].append(g)
        for f in ("id", "vendor", "name", "family", "memory_gb", "bf16_tflops", "form_factor",
                  "architecture", "aliases", "precision"):
            if f not in g:
                err(f"gpu {g.get('id')}: missing {f}")
        if dec(g["bf16_tflops"]) is None or dec(g["bf16_tflops"]) <= 0:
            err(f"gpu {g['id']}: bad bf16_tflops")
    # A bare family name (e.g. "a100", "v100") must not be an alias when the family has several
    # members, unless one member is marked "family_default" (H100 -> H100 SXM, as the clouds use it).
    gmap = alias_map(gpus, "gpu_models", extra=[f for f, v in families.items()
                                                 if len(v) > 1 and not any(g.get("family_default") for g in v)])
    rmap = alias_map(regions, "regions")
    tmap = alias_map(tokens, "token_models")
    for r in regions:
        for f in ("id", "name_zh", "name_en", "country", "province_zh", "province_en", "area_zh", "area_en", "hub", "aliases"):
            if f not in r:
                err(f"region {r['id']}: missing {f}")

    def resolve_gpu(name, mem):
        k = key(name)
        if k in gmap:
            return gmap[k]
        fam = [g for g in gpus if key(g["family"]) == k]
        if fam and mem is not None:
            hit = [g for g in fam if Decimal(str(g["memory_gb"])) == mem]
            if len(hit) == 1:
                return hit[0]["id"]
        return None

    for cur, r in fx["rates"].items():
        if dec(r) is None or dec(r) <= 0 or len(r.split(".")[1]) < 4:
            err(f"fx {cur}: bad rate {r!r}")

    slugs = [v["slug"] for v in vendors]
    if len(set(slugs)) != len(slugs):
        err("vendors: duplicate slug")
    stats = Counter()
    per = defaultdict(Counter)
    offer_dir = os.path.join(HERE, "offers")
    files = sorted(os.listdir(offer_dir))
    for v in slugs:
        if f"{v}.csv" not in files:
            err(f"vendor {v} has no offers file")
    for fn in files:
        slug = fn[:-4]
        if slug not in slugs:
            err(f"{fn}: unknown vendor slug")
        enc, rows = read_sheet(os.path.join(offer_dir, fn))
        header = [CN_HEADERS.get(h.strip().lower(), CN_HEADERS.get(h.strip(), h.strip().lower())) for h in rows[0]]
        if sorted(header) != sorted(STD):
            err(f"{fn}: header {rows[0]} does not map to the standard columns")
            continue
        per[fn]["encoding:" + enc] += 1
        skus = set()
        for i, row in enumerate(rows[1:], start=2):
            if len(row) != len(header):
                err(f"{fn}:{i}: {len(row)} cells")
                continue
            r = dict(zip(header, (c.strip() for c in row)))
            where = f"{fn}:{i}"
            if not r["sku"] or r["sku"] in skus:
                err(f"{where}: empty/duplicate sku")
            skus.add(r["sku"])
            kind = KIND.get(r["kind"].lower())
            billing = BILLING.get(r["billing"].lower())
            unit = UNITS.get(r["price_unit"].lower(), UNITS.get(r["price_unit"]))
            cur = CURRENCY.get(r["currency"], r["currency"].upper())
            if not kind: err(f"{where}: kind {r['kind']!r}")
            if not billing: err(f"{where}: billing {r['billing']!r}")
            if not unit: err(f"{where}: price_unit {r['price_unit']!r}")
            if cur != "CNY" and cur not in fx["rates"]: err(f"{where}: currency {r['currency']!r}")
            if key(r["region"]) not in rmap: err(f"{where}: region {r['region']!r} does not resolve")
            if not r["title"]: err(f"{where}: empty title")
            if r["stock"] and not re.fullmatch(r"\d+", r["stock"]): err(f"{where}: stock {r['stock']!r}")
            if kind in ("gpu", "cpu"):
                p = dec(r["price"])
                if p is None or p <= 0: err(f"{where}: price {r['price']!r}")
                if unit in ("token", "1k_tokens", "1m_tokens"): err(f"{where}: token unit on {kind}")
                if r["input_price"] or r["output_price"] or r["model"]: err(f"{where}: token fields on {kind}")
                vc = dec(r["vcpus"]) if r["vcpus"] else None
                if kind == "gpu":
                    if unit == "core_hour": err(f"{where}: core_hour on gpu")
                    n = dec(r["gpu_count"])
                    if n is None or n <= 0: err(f"{where}: gpu_count {r['gpu_count']!r}")
                    mem = dec(r["gpu_memory_gb"]) if r["gpu_memory_gb"] else None
                    gid = resolve_gpu(r["gpu_model"], mem)
                    if not gid: err(f"{where}: gpu_model {r['gpu_model']!r} does not resolve")
                    per[fn]["gpu_model:" + str(gid)] += 1
                else:
                    if unit == "card_hour": err(f"{where}: card_hour on cpu")
                    if vc is None or vc <= 0: err(f"{where}: vcpus {r['vcpus']!r}")
                    if r["cpu_arch"] not in ("x86_64", "arm64"): err(f"{where}: cpu_arch {r['cpu_arch']!r}")
                    if r["gpu_model"]: err(f"{where}: gpu_model on cpu")
            elif kind == "token":
                if r["price"]: err(f"{where}: price set on token row")
                if unit not in ("token", "1k_tokens", "1m_tokens"): err(f"{where}: unit {unit} on token")
                for f in ("input_price", "output_price"):
                    p = dec(r[f])
                    if p is None or p <= 0: err(f"{where}: {f} {r[f]!r}")
                if key(r["model"]) not in tmap: err(f"{where}: model {r['model']!r} does not resolve")
                if r["context_window"] and not re.fullmatch(r"\d+", r["context_window"]): err(f"{where}: context_window")
            stats["offers"] += 1
            stats["kind:" + str(kind)] += 1
            stats["billing:" + str(billing)] += 1
            stats["unit:" + str(unit)] += 1
            stats["currency:" + str(cur)] += 1
            stats["region:" + rmap.get(key(r["region"]), "?")] += 1

    # The real SkyPilot sheets under /work/shared/data/real must resolve too (if present).
    real = "/work/shared/data/real"
    if os.path.isdir(real):
        import ast
        for f in os.listdir(real):
            if not f.startswith("skypilot_"):
                continue
            for row in csv.DictReader(open(os.path.join(real, f), newline="")):
                reg = row.get("Region", "")
                if reg and key(reg) not in rmap:
                    err(f"real {f}: region {reg!r} does not resolve")
                acc = row.get("AcceleratorName") or ""
                if acc and not acc.startswith("tpu-"):
                    info = ast.literal_eval(row["GpuInfo"]) if row.get("GpuInfo", "").startswith("{") else {}
                    mib = info.get("Gpus", [{}])[0].get("MemoryInfo", {}).get("SizeInMiB")
                    mem = None
                    if mib:
                        gib = Decimal(mib) / 1024
                        cands = [Decimal(str(g["memory_gb"])) for g in gpus]
                        mem = min(cands, key=lambda c: abs(c - gib))
                    if not resolve_gpu(acc, mem):
                        err(f"real {f}: accelerator {acc!r} ({mib} MiB) does not resolve")

    print(json.dumps({"gpu_models": len(gpus), "regions": len(regions), "token_models": len(tokens),
                      "vendors": len(vendors), "offer_files": len(files), **dict(sorted(stats.items()))},
                     ensure_ascii=False, indent=1))
    for fn in sorted(per):
        print(fn, dict(per[fn]))
    for e in errors:
        print("ERROR", e)
    print("OK" if not errors else f"{len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

"""The unified social credit code (统一社会信用代码, GB 32100-2015): is a typed code well formed, and if not, why.

No Flask: the company form, a CLI tool and later the voucher application all call `problem()`.
A code is 18 characters:
- 1: registration authority code (9 = market regulation, 5 = civil affairs, ...);
- 2: organisation type code, one of that authority's (91 = an enterprise, 92 = a sole trader);
- 3-8: administrative division of the registering office (GB/T 2260; the first two digits name a province);
- 9-17: organisation code (GB 11714): eight characters and their own check character;
- 18: check character over the first 17 (modulo 31).
The check characters make any one mistyped character fail; the other rules say *which* part is wrong.
"""

import unicodedata

from pricing.display import Phrase, phrase

LENGTH = 18
# The standard's 31 characters: digits and capital letters without I, O, S, V and Z (easily misread).
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORGANISATION_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714
# Registration authority -> its organisation type codes (GB 32100-2015, appendix A).
AUTHORITY_TYPES = {
    "1": "1239",  # 机构编制: 机关, 事业单位, 中央编办管理的群众团体, 其他
    "2": "19",  # 外交
    "3": "123459",  # 司法行政: 律师执业机构, 公证处, 基层法律服务所, 司法鉴定机构, 仲裁委员会, 其他
    "4": "19",  # 文化
    "5": "1239",  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": "129",  # 旅游
    "7": "129",  # 宗教
    "8": "19",  # 工会
    "9": "123",  # 工商 / 市场监管: 企业, 个体工商户, 农民专业合作社
    "A": "19",  # 中央军委改革和编制办公室
    "N": "1239",  # 农业: 组级, 村级, 乡镇级集体经济组织, 其他
    "Y": "1",  # 其他
}
# GB/T 2260 province codes -> the province's Chinese name (as the region registry's province_zh spells it);
# 10 is for bodies registered nationally (110000 is Beijing, 100000 the State), in no one province.
NATIONAL = "10"
PROVINCE_NAMES = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古", "21": "辽宁", "22": "吉林", "23": "黑龙江",
    "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽", "35": "福建", "36": "江西", "37": "山东", "41": "河南",
    "42": "湖北", "43": "湖南", "44": "广东", "45": "广西", "46": "海南", "50": "重庆", "51": "四川", "52": "贵州",
    "53": "云南", "54": "西藏", "61": "陕西", "62": "甘肃", "63": "青海", "64": "宁夏", "65": "新疆", "71": "台湾",
    "81": "香港", "82": "澳门"}
PROVINCES = frozenset({NATIONAL, *PROVINCE_NAMES})


def normalized(text: str) -> str:
    """What the person meant: full-width characters folded, spaces and hyphens dropped, capitals."""
    folded = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in folded if not ch.isspace() and ch != "-").upper()


def check_character(first17: str) -> str:
    """Character 18 for these 17 characters: 31 − (Σ value × weight mod 31), 31 read as 0."""
    total = sum(CHARSET.index(ch) * weight for ch, weight in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def organisation_check_character(body: str) -> str:
    """GB 11714's check character for an 8-character organisation code body: 11 − (Σ mod 11), 10 → X, 11 → 0."""
    total = sum(_organisation_value(ch) * weight for ch, weight in zip(body, ORGANISATION_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def _organisation_value(ch: str) -> int:
    return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10  # A = 10 … Z = 35


def problem(text: str) -> Phrase | None:
    """Why `text` is not a valid unified social credit code, said in words a person can act on; None when valid."""
    code = normalized(text)
    if not code:
        return phrase("Enter the 18-character unified social credit code.")
    if len(code) != LENGTH:
        return phrase("A unified social credit code has 18 characters; this one has %(n)s.", n=len(code))
    for position, ch in enumerate(code, start=1):
        if ch not in CHARSET:
            return phrase("Character %(position)s, %(char)s, is never used in a credit code (nor are I, O, S, V "
                          "and Z).", position=position, char=ch)
    authority, kind = code[0], code[1]
    if authority not in AUTHORITY_TYPES:
        return phrase("Character 1 is the registration authority code; %(char)s is not one.", char=authority)
    if kind not in AUTHORITY_TYPES[authority]:
        return phrase("Character 2 is the organisation type code; %(char)s is not a type of registration "
                      "authority %(authority)s.", char=kind, authority=authority)
    division = code[2:8]
    if not division.isdigit() or division[:2] not in PROVINCES:
        return phrase("Characters 3 to 8 are the administrative division code; %(code)s is not one.", code=division)
    expected = organisation_check_character(code[8:16])
    if code[16] != expected:
        return phrase("Character 17 is the organisation code's check character and should be %(expected)s.",
                      expected=expected)
    expected = check_character(code[:17])
    if code[17] != expected:
        # A mistyped character anywhere shows here first: say what 18 would be and ask for a re-read.
        return phrase("Character 18, the check character, should be %(expected)s for the first 17 as typed: "
                      "check each character.", expected=expected)
    return None


def province(text: str) -> str | None:
    """The Chinese name of the province whose office issued a valid code; None for a nationally registered body."""
    return PROVINCE_NAMES.get(normalized(text)[2:4])


def is_valid(text: str) -> bool:
    return problem(text) is None

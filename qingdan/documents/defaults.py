"""The default fixed paragraphs of the documents, and the default issuing body.

Each paragraph is a small Django template (plain text, no HTML) rendered with the
variables it names; an administrator overrides any of them per jurisdiction
(`DocumentTemplate` with its `TemplateParagraph`s), and the override is checked
against the same variables when it is saved. The texts follow the wording of the
信访工作条例 (2022); the layout lives in templates/documents/.
"""

from dataclasses import dataclass

from qingdan.orgs.choices import Level

DEFAULT_NUMBER_PATTERN = "{abbr}信{kind_abbr}〔{year}〕{number}号"
# The placeholders a 文号 pattern may use, and the two it must (a number per year).
NUMBER_PLACEHOLDERS = ("abbr", "kind_abbr", "year", "number")
NUMBER_REQUIRED = ("year", "number")

# Variables every case paragraph may use.
CASE = ("petitioner", "title", "tracking_number", "received", "body")


@dataclass(frozen=True)
class Paragraph:
    label: str
    text: str
    variables: tuple[str, ...]


PARAGRAPHS: dict[str, Paragraph] = {
    "acceptance": Paragraph(
        "受理告知",
        "你于{{ received }}反映的“{{ title }}”问题（登记编号：{{ tracking_number }}），经审查，"
        "符合《信访工作条例》规定的受理条件，本机关已于{{ accepted }}予以受理。",
        (*CASE, "accepted"),
    ),
    "acceptance_limit": Paragraph(
        "受理告知：办理期限",
        "依照《信访工作条例》第三十四条的规定，本机关将自受理之日起{{ days }}日内"
        "（{{ due }}前）办结，并书面答复你。",
        (*CASE, "days", "due"),
    ),
    "non_acceptance": Paragraph(
        "不予受理告知",
        "你于{{ received }}反映的“{{ title }}”问题（登记编号：{{ tracking_number }}），经审查，"
        "本机关决定不予受理。理由如下：{{ reason }}",
        (*CASE, "reason"),
    ),
    "non_acceptance_channel": Paragraph(
        "不予受理告知：救济途径",
        "依照《信访工作条例》第三十一条的规定，你可以依照法律、行政法规规定的程序"
        "向有关机关提出，或者向有权处理的机关反映。",
        CASE,
    ),
    "diverted_reason": Paragraph(
        "诉访分离：理由",
        "该事项属于应当通过诉讼、仲裁、行政复议等法定途径解决的事项（诉访分离）。",
        CASE,
    ),
    "diverted_channel": Paragraph(
        "诉访分离：法定途径",
        "该事项属于应当通过法定途径解决的事项，请你依法向{{ channel }}。{{ help }}",
        (*CASE, "channel", "help"),
    ),
    "transfer_notice": Paragraph(
        "转送/交办告知",
        "你于{{ received }}反映的“{{ title }}”问题（登记编号：{{ tracking_number }}），"
        "依照《信访工作条例》第二十二条的规定，本机关已于{{ routed }}{{ how }}{{ unit }}办理。"
        "你可以凭登记编号查询办理进度。",
        (*CASE, "routed", "how", "unit"),
    ),
    "assignment_slip": Paragraph(
        "交办单",
        "现将{{ petitioner }}反映的“{{ title }}”问题（登记编号：{{ tracking_number }}）"
        "{{ how }}你单位办理。请依照《信访工作条例》第三十二条至第三十四条的规定调查核实，"
        "于{{ due }}前办结，书面答复信访人，并将办理结果报送本机关。",
        (*CASE, "how", "due"),
    ),
    "extension_notice": Paragraph(
        "延期告知",
        "你于{{ received }}反映的“{{ title }}”问题（登记编号：{{ tracking_number }}），"
        "因{{ reason }}，经{{ approved_by }}批准，依照《信访工作条例》第三十四条的规定，"
        "办理期限延长{{ days }}日，至{{ due }}。",
        (*CASE, "reason", "approved_by", "days", "due"),
    ),
    "reply_intro": Paragraph(
        "答复意见书：开头",
        "你于{{ received }}反映的“{{ title }}”问题（登记编号：{{ tracking_number }}）收悉。"
        "本机关依照《信访工作条例》的规定进行了调查核实，现答复如下：",
        CASE,
    ),
    "review_intro": Paragraph(
        "复查意见书：开头",
        "你不服{{ original_body }}作出的答复意见，于{{ received }}提出复查请求"
        "（登记编号：{{ tracking_number }}）。本机关依照《信访工作条例》第三十五条的规定"
        "进行了复查，现提出复查意见如下：",
        (*CASE, "original_body"),
    ),
    "re_review_intro": Paragraph(
        "复核意见书：开头",
        "你不服{{ original_body }}作出的复查意见，于{{ received }}提出复核请求"
        "（登记编号：{{ tracking_number }}）。本机关依照《信访工作条例》第三十六条的规定"
        "进行了复核，现提出复核意见如下：",
        (*CASE, "original_body"),
    ),
    "answer_basis": Paragraph(
        "处理依据（未另行填写时）",
        "依照《信访工作条例》第三十二条、第三十三条的规定。",
        CASE,
    ),
    "decision_supports": Paragraph("处理意见：支持", "对你的诉求予以支持。", CASE),
    "decision_explains": Paragraph("处理意见：解释说明", "对你的诉求作出解释说明。", CASE),
    "decision_does_not_support": Paragraph("处理意见：不予支持", "对你的诉求不予支持。", CASE),
    "review_right": Paragraph(
        "复查权利告知",
        "如你对本答复意见不服，可以自收到本意见书之日起{{ days }}日内"
        "向{{ review_body }}书面提出复查请求。",
        (*CASE, "days", "review_body"),
    ),
    "re_review_right": Paragraph(
        "复核权利告知",
        "如你对本复查意见不服，可以自收到本意见书之日起{{ days }}日内"
        "向{{ review_body }}书面提出复核请求。",
        (*CASE, "days", "review_body"),
    ),
    "final": Paragraph(
        "复核意见：终结",
        "本意见为复核意见。依照《信访工作条例》第三十六条的规定，信访人对复核意见不服，"
        "仍以同一事实和理由提出投诉请求的，不再受理。",
        CASE,
    ),
    "supervision_slip": Paragraph(
        "督办单",
        "{{ answerer }}承办的{{ petitioner }}反映的“{{ title }}”问题"
        "（登记编号：{{ tracking_number }}），现予督办：{{ reason }}"
        "请于{{ due }}前办理完毕并书面报告办理情况。",
        (*CASE, "answerer", "reason", "due"),
    ),
    "completion_report": Paragraph(
        "办结报告",
        "你单位于{{ assigned }}交办的“{{ title }}”问题（交办文号：{{ reference }}），"
        "本机关已办理完毕，现将办理情况报告如下：",
        (*CASE, "assigned", "reference"),
    ),
    "meeting_intro": Paragraph(
        "联席会议纪要：开头",
        "{{ held }}，{{ convener }}主持召开{{ place }}信访工作联席会议，"
        "研究信访突出问题和疑难复杂信访事项。现将会议议定事项纪要如下：",
        ("held", "convener", "place", "body"),
    ),
    "closure_agreement": Paragraph(
        "息诉罢访协议：开头",
        "经双方平等协商，就{{ petitioner }}反映的“{{ title }}”问题"
        "（登记编号：{{ tracking_number }}）达成如下协议：",
        CASE,
    ),
    "closure_agreement_end": Paragraph(
        "息诉罢访协议：结尾",
        "本协议自双方签字之日起生效。乙方承诺息诉罢访，不再以同一事实和理由重复信访。",
        CASE,
    ),
    "receipt_note": Paragraph(
        "送达回证：说明",
        "受送达人应当在送达回证上签名或者盖章，并注明签收日期；受送达人拒绝签收的，"
        "送达人应当注明情况。",
        ("body",),
    ),
}


def default_body_name(jurisdiction) -> str:
    """The issuing body of a place when no template names it: a town's government,
    the city's petition bureau."""
    if jurisdiction.level == Level.CITY:
        return f"{jurisdiction.name}信访局"
    return f"{jurisdiction.name}人民政府"


def default_abbreviation(jurisdiction) -> str:
    """The first character of the place's name (招远市 → 招), as in 招信受〔2026〕15号."""
    return jurisdiction.name[:1]

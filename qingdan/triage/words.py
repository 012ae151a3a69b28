"""Words and places in Chinese complaints, for hot issues: jieba segmentation, a
stop-word list, and the places a message names (cities, districts and counties, towns),
recognised by their suffix and jieba's dictionary and gathered into a gazetteer from
the texts themselves.

The classifier does not use this: jieba segments ~600 messages a second, too slow for
its 5,000 predictions a second, and character n-grams classify as well
(bench/README.md). Clustering a few thousand messages can afford it, and a governance
meeting needs real words ("华润燃气", "停气"), not character fragments ("润燃气公").
"""

import logging
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import jieba

jieba.setLogLevel(logging.WARNING)  # not "Building prefix dict..." on every first use

# Generic words of complaint messages: they say nothing about which problem it is.
STOP_WORDS = frozenset(
    """
    的 了 和 与 及 或 是 在 有 我 我们 你 你们 您 他 他们 她 它
    它们 这 那 这个 那个 这些 那些 这里 那里 这样 那样 这么 那么 什么
    怎么 怎么办 怎样 为什么 为何 如何 哪里 哪些 多少 几 都 也 还 又 就
    才 已 已经 一直 一些 一个 一下 一样 一点 非常 十分 特别 很 太 更
    最 不 没 没有 无 未 不能 不会 不是 不要 不让 不知 不知道 请 请问
    恳请 希望 要求 请求 强烈 建议 反映 反应 投诉 举报 咨询 求助 求救
    问题 情况 事情 事 事宜 关于 对于 由于 因为 所以 但是 但 而且 并且
    如果 虽然 然后 现在 目前 至今 今天 昨天 今年 去年 时候 时间 多次
    一次 每次 直到 期间 给 被 把 让 向 从 到 对 为 以 于 将 能 能否
    可以 可否 是否 应该 应当 需要 必须 会 要 想 得 地 着 过 吗 呢 吧
    啊 呀 嘛 哦 您好 你好 尊敬 领导 政府 相关 部门 相关部门 有关
    有关部门 单位 工作 处理 解决 落实 尽快 及时 谢谢 感谢 麻烦 帮助 帮忙
    关注 重视 市民 群众 老百姓 百姓 本人 大家 居民 我家 家里 自己 其他
    其中 以及 等 等等 上 下 中 里 内 外 后 前 年 月 日 号 天 个 些
    各 每 该 此 其 之 所 者 而 且 并 却 仍 仍然 始终 根本 完全 真的
    真是 实在 确实 严重 影响 造成 导致 存在 进行 发生 出现 看到 知道
    觉得 认为 表示 说 讲 问 告诉 回复 答复 说明 具体 相应 有效 方面
    地方 东西 一下子 市长 书记 县长 区长 主任 同志 您们 网友 留言 电话
    拨打 热线 平台 回应 答应 承诺 表态 理由 原因 结果 为了 通过 根据
    按照 还是 或者 只是 只有 只能 可能 应 该当 这种 那种 各种 一种 所有
    任何 一切 很多 许多 不少 大量 一般 基本 主要 重要 相关联 部分 全部
    整个 之前 之后 以前 以后 当时 最近 近期 马上 立即 早日 何时 什么时候
    多久 多长时间 今后 以来 左右 附近 周边 一带 旁边 后面 前面
    加快 加强 加大 力度 步伐 刻不容缓 背景 大背景 大力 倡导 地处 常年
    有何 行动 措施 推进 全面 积极 切实 进一步 提高 提升 促进 市政府
    区政府 县政府 镇政府 人民政府 政府部门 职能部门 小区 业主 社区
    """.split()
)

# Place suffixes, by level.
LEVELS = {"市": "city", "区": "district", "县": "district", "旗": "district"}
TOWN_SUFFIXES = ("街道", "镇", "乡")
# Words that end like a place but are none; jieba tags most of them otherwise.
NOT_PLACES = frozenset(
    """
    自治区 开发区 高新区 保税区 示范区 风景区 居住区 生活区 商业区 工业区
    住宅区 老城区 主城区 新城区 市辖区 行政区 经济区 试验区 旅游区 功能区
    核心区 新区 城区 市区 郊区 辖区 园区 景区 社区 小区 校区 学区 片区
    灾区 山区 城市 都市 超市 本市 全市 我市 该市 各市 省市 城乡 乡镇
    城镇 集镇 村镇 小镇 全区 本区 我区 该区 各区 全县 本县 我县 该县
    各县 全镇 本镇 我镇 该镇 各乡 全乡 本乡 我乡 该乡
    """.split()
)
# Places written as codes in anonymised data: A市, A3区, A7县 (a district code has a
# digit, since "B区" in an address is a block of buildings).
_CODE_PLACE = re.compile(r"(?<![A-Za-z0-9])([A-Z]\d{0,2}[市县]|[A-Z]\d{1,2}区)")
_CONTENT = re.compile(r"^(?:[\u4e00-\u9fffA-Za-z]|\d+[\u4e00-\u9fff])[\u4e00-\u9fffA-Za-z0-9]*$")
# A number names a thing with the word after it (3号线, 58车贷), unless that word counts
# time, money or quantity (2019年, 3月, 12万, 5个).
_UNITS = frozenset(
    """
    年 月 日 号 天 时 点 分 秒 元 块 万 亿 千 百 岁 个 次 人 户 平 米 平米 平方米 公里 多 余 年度
    小时 分钟 周 位 名 件 份 家 辆 套 层 楼 倍 度 条 项 所 处 间 台 张 辆车 多元 多万 余元 余万
    万元 千元 亿元 元钱 块钱 平方 个月 周岁
    """.split()
)

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_place_tags: dict[str, str] | None = None


def _jieba() -> tuple[jieba.Tokenizer, dict[str, str]]:
    """Our own tokenizer (jieba's global one is left alone) and, from jieba's dictionary,
    the tag of every word that could be a place: loaded once per process."""
    global _tokenizer, _place_tags
    with _lock:
        if _tokenizer is None or _place_tags is None:
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            tags = {}
            with tokenizer.get_dict_file() as handle:
                for line in handle:
                    word, _freq, tag = (line.decode("utf-8").split() + ["", ""])[:3]
                    if tag == "ns" or word.endswith(tuple(LEVELS) + TOWN_SUFFIXES):
                        tags[word] = tag
            _tokenizer, _place_tags = tokenizer, tags
        return _tokenizer, _place_tags


def tokens(text: str) -> list[str]:
    """jieba words of `text`; anonymised place codes (A3区) kept whole."""
    tokenizer, _tags = _jieba()
    words: list[str] = []
    for number, part in enumerate(_CODE_PLACE.split(text or "")):
        if number % 2:
            words.append(part)
        elif part:
            for word in tokenizer.lcut(part):
                if not word.strip():
                    continue
                number = bool(words) and words[-1].isascii() and words[-1].isdigit()
                if number and word not in _UNITS and word not in STOP_WORDS:
                    if "\u4e00" <= word[0] <= "\u9fff":
                        words[-1] += word
                        continue
                words.append(word)
    return words


def is_content(word: str) -> bool:
    """A word that can tell one problem from another: no stop word, punctuation, number
    or lone character."""
    return len(word) > 1 and word not in STOP_WORDS and bool(_CONTENT.match(word))


def place_level(word: str) -> str | None:
    """ "city", "district" or "town" for a word that names a place by its suffix."""
    if _CODE_PLACE.fullmatch(word):
        return LEVELS[word[-1]]
    if len(word) < 3 or word in NOT_PLACES or word.endswith("城市"):  # 宜居城市
        return None
    _tokenizer, tags = _jieba()
    # A word of jieba's dictionary is a place only if it is tagged one (超市 is not);
    # a word jieba does not know (鹤岗市兴山区's parts, new districts) is by its suffix.
    if word in tags and tags[word] != "ns":
        return None
    if word[-1] in LEVELS:
        return LEVELS[word[-1]]
    if word.endswith(TOWN_SUFFIXES):
        return "town"
    return None


@dataclass(frozen=True)
class Place:
    city: str = ""
    district: str = ""
    town: str = ""

    @property
    def name(self) -> str:
        """How a cluster names it: the city without 市 when that leaves a name (大连),
        then the district."""
        city = self.city[:-1] if len(self.city) > 2 and self.city.endswith("市") else self.city
        return " ".join(part for part in (city, self.district) if part)


class Gazetteer:
    """The places named in a set of messages: city aliases written without 市 (大连 for
    大连市), and the city each district is named with most often (A3区 → A市), so that
    a message naming only its district still has a city. A word jieba's dictionary does
    not know is a place only if two messages name it (jieba's guesses at unknown words
    sometimes end in 市 by chance)."""

    def __init__(self, messages: Iterable[list[str]]):
        tokenizer, self._tags = _jieba()
        seen: Counter = Counter()
        named = []
        for words in messages:
            levels = {w: place_level(w) for w in set(words)}
            levels = {w: level for w, level in levels.items() if level}
            seen.update(levels.keys())
            named.append(levels)
        self.places = {
            w for w, n in seen.items() if n >= 2 or tokenizer.FREQ.get(w) or _CODE_PLACE.match(w)
        }
        self.cities = {w for w in self.places if place_level(w) == "city"}
        parents: dict[str, Counter] = defaultdict(Counter)
        for levels in named:
            cities = [w for w, level in levels.items() if level == "city" and w in self.places]
            for word, level in levels.items():
                if level == "district" and word in self.places:
                    parents[word].update(cities)
        self.parents = {d: c.most_common(1)[0][0] for d, c in parents.items() if c}

    def level(self, word: str) -> str | None:
        return place_level(word) if word in self.places else None

    def city_alias(self, word: str) -> str | None:
        """大连 → 大连市, if a message names 大连市, or jieba's dictionary knows both as
        places (安康 is also a wish, 大连 is tagged otherwise: a message must say 大连市)."""
        if len(word) < 2 or word in STOP_WORDS:
            return None
        city = f"{word}市"
        if city in self.cities:
            return city
        known = self._tags.get(word) == "ns" and self._tags.get(city) == "ns"
        return city if known else None

    def place(self, *parts: list[str]) -> Place:
        """The place a message names, looking at its parts in order (title, then text):
        the first city, district and town named; the city from the district otherwise."""
        found = {"city": "", "district": "", "town": ""}
        for words in parts:
            for word in words:
                level = self.level(word)
                if level is None and not found["city"]:
                    alias = self.city_alias(word)
                    word, level = (alias, "city") if alias else (word, None)
                if level and not found[level]:
                    found[level] = word
        if not found["city"] and found["district"]:
            found["city"] = self.parents.get(found["district"], "")
        return Place(**found)


def place_words(words: Iterable[str], gazetteer: Gazetteer) -> set[str]:
    """The words among `words` that name a place (to keep them out of key words)."""
    return {w for w in words if gazetteer.level(w) or gazetteer.city_alias(w)}

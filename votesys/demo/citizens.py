"""群众满意度 in the demo: citizens' ratings of three 2026 projects from their site posters,
in all three choices, some with comments, through the same service as the form and the API.
The phones are made up (a fixed sequence); only their keyed hashes are stored."""

from __future__ import annotations

from datetime import date, timedelta

from votesys.projects import citizen_ratings
from votesys.projects.models import Project

# key of the 2026 candidate → (satisfied, basically satisfied, unsatisfied, comments)
RATINGS = {
    "c01": (
        46,
        11,
        3,
        {
            "satisfied": [
                "月嫂班老师教得很实在，结业后一个月就找到了工作。",
                "希望明年多开几期护工班。",
            ],
            "basically_satisfied": ["培训时间都在白天，上班的人不方便参加，建议增加晚班。"],
            "unsatisfied": ["报名时说包推荐就业，结业后一直没有人联系。"],
        },
    ),
    "c02": (
        21,
        17,
        9,
        {
            "satisfied": ["路拓宽以后去镇上快多了。"],
            "basically_satisfied": ["路基修好了，但雨季停工时间太长。"],
            "unsatisfied": [
                "施工扬尘大，洒水车来得太少，沿线住户意见很大。",
                "晚上施工噪音影响休息。",
            ],
        },
    ),
    "c07": (
        18,
        6,
        2,
        {
            "satisfied": ["社区养老中心的午餐干净实惠，老人很喜欢。"],
            "unsatisfied": ["我们村离中心太远，老人去不了。"],
        },
    ),
}


def seed(by_key: dict[str, Project]) -> None:
    n = 0
    for key, (satisfied, basic, unsatisfied, comments) in RATINGS.items():
        project = by_key[key]
        for choice, count in (
            ("satisfied", satisfied),
            ("basically_satisfied", basic),
            ("unsatisfied", unsatisfied),
        ):
            said = list(comments.get(choice, []))
            for i in range(count):
                n += 1
                found = citizen_ratings.rate(
                    project,
                    {
                        "choice": choice,
                        "phone": f"139{7310000 + n * 37:08d}",
                        "comment": said[i] if i < len(said) else "",
                    },
                )
                found.rated_on = date(2026, 9, 1) + timedelta(days=(n * 7) % 80)

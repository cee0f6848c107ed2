"""The demo's data tables: paper totals, the 2026 votes for, and the 2026 register's content."""

# The township's paper tellers' totals: (for, against, abstain) per candidate, in file order;
# 43 ballots issued and returned, 1 invalid, so 42 valid. t5 and t6 tie for the fifth place.
PAPER_TOTALS = [
    (38, 2, 2),
    (35, 4, 3),
    (31, 6, 5),
    (29, 7, 6),
    (26, 9, 7),
    (26, 10, 6),
    (15, 18, 9),
    (8, 22, 12),
]
# "for" votes of the 2026 candidates, in file order: c01 is the training project (140).
FOR_2026 = [140, 151, 163, 146, 133, 158, 127, 121, 118, 97, 136, 81, 66, 58, 47]

# The register of 2026 (民生实事项目台账), by candidate key: plan, funding in 万元 by source,
# targets (name, unit, target), milestones (name, planned date, done on).
PLANS = {
    "c01": {
        "lead_official": "区人社局局长",
        "planned_start": "2026-02-01",
        "planned_finish": "2026-12-31",
        "funding": {"provincial": "200.00", "county": "385.00", "social": "100.00"},
        "targets": [
            {"name": "产业工人技能培训", "unit": "人", "target": "2000"},
            {"name": "培训后实现就业", "unit": "人", "target": "1600"},
        ],
        "milestones": [
            {"name": "确定培训机构和专业", "planned_date": "2026-03-15"},
            {"name": "首期开班", "planned_date": "2026-04-01"},
            {"name": "完成年度培训任务", "planned_date": "2026-11-15"},
        ],
    },
    "c02": {
        "lead_official": "分管交通副区长",
        "planned_start": "2026-03-01",
        "planned_finish": "2026-12-31",
        "funding": {"provincial": "1500.00", "county": "1280.00", "township": "500.00"},
        "targets": [{"name": "道路拓宽改造", "unit": "公里", "target": "12.6"}],
        "milestones": [
            {"name": "完成征拆", "planned_date": "2026-05-31"},
            {"name": "路基完工", "planned_date": "2026-09-30"},
            {"name": "路面铺设完工", "planned_date": "2026-11-15"},
        ],
    },
    "c03": {
        "planned_start": "2026-03-01",
        "planned_finish": "2026-12-31",
        "funding": {"provincial": "900.00", "county": "760.50", "township": "200.00"},
        "targets": [{"name": "巩固提升受益人口", "unit": "人", "target": "36000"}],
    },
    "c04": {
        "completion": "two_years",
        "planned_start": "2026-03-01",
        "planned_finish": "2027-08-31",
        "funding": {"provincial": "1200.00", "county": "3650.00"},
        "targets": [{"name": "新增学位", "unit": "个", "target": "2700"}],
        "stages": [
            {"year": 2026, "description": "完成教学楼主体工程"},
            {"year": 2027, "description": "完成附属工程，秋季开学投入使用"},
        ],
        "milestones": [{"name": "主体封顶", "planned_date": "2026-10-31"}],
    },
    "c05": {
        "planned_start": "2026-04-01",
        "planned_finish": "2026-12-31",
        "funding": {"county": "968.00", "social": "300.00"},
        "targets": [{"name": "新建公办幼儿园", "unit": "所", "target": "3"}],
    },
    "c06": {
        "planned_start": "2026-03-15",
        "planned_finish": "2026-12-31",
        "funding": {"provincial": "800.00", "county": "776.80"},
        "targets": [{"name": "提质改造乡镇卫生院", "unit": "所", "target": "6"}],
    },
    "c07": {
        "planned_start": "2026-03-01",
        "planned_finish": "2026-12-31",
        "funding": {"county": "562.00", "social": "400.00"},
        "targets": [{"name": "居家养老服务中心", "unit": "个", "target": "8"}],
    },
    "c08": {
        "planned_start": "2026-04-01",
        "planned_finish": "2026-12-31",
        "funding": {"provincial": "700.00", "county": "725.60"},
        "targets": [{"name": "安装波形护栏", "unit": "公里", "target": "58"}],
    },
    "c09": {
        "planned_start": "2026-03-01",
        "planned_finish": "2026-12-31",
        "funding": {"county": "850.00", "township": "300.00"},
        "targets": [{"name": "新建垃圾压缩中转站", "unit": "座", "target": "5"}],
    },
    "c11": {
        "completion": "two_years",
        "planned_start": "2026-05-01",
        "planned_finish": "2027-10-31",
        "funding": {"provincial": "1000.00", "county": "1080.00", "social": "300.00"},
        "targets": [{"name": "改造老旧小区", "unit": "个", "target": "24"}],
        "stages": [
            {"year": 2026, "description": "完成12个小区改造"},
            {"year": 2027, "description": "完成其余12个小区改造"},
        ],
    },
}
# 龙门镇's first approved project of 2027: its plan drawn up (the other three still to do).
TOWNSHIP_PLAN = {
    "lead_official": "镇长",
    "planned_start": "2027-03-01",
    "planned_finish": "2027-10-31",
    "funding": {"county": "160.00", "township": "108.00"},
    "targets": [{"name": "延伸供水管网", "unit": "公里", "target": "21.5"}],
    "milestones": [{"name": "完成管材招标", "planned_date": "2027-03-31"}],
}
# (candidate key, report): the responsible units' progress reports.
REPORTS = [
    (
        "c01",
        {
            "reported_on": "2026-06-30",
            "status": "in_progress",
            "progress": 55,
            "values": {"产业工人技能培训": "1350", "培训后实现就业": "1020"},
            "spent": {"provincial": "90.00", "county": "160.00"},
            "narrative": "已开设月嫂、护工、电工、焊工等培训班38期，培训1350人。",
        },
    ),
    (
        "c01",
        {
            "reported_on": "2026-11-20",
            "status": "completed",
            "progress": 100,
            "values": {"产业工人技能培训": "2921", "培训后实现就业": "2396"},
            "spent": {"provincial": "200.00", "county": "372.60", "social": "95.00"},
            "narrative": "全年完成培训2921人，实际安排就业2396人，就业率82%；"
            "打造“渌口月嫂”“渌口护工”劳务品牌。",
        },
    ),
    (
        "c02",
        {
            "reported_on": "2026-10-15",
            "status": "in_progress",
            "progress": 70,
            "values": {"道路拓宽改造": "8.4"},
            "spent": {"provincial": "1000.00", "county": "820.00", "township": "310.00"},
            "narrative": "征拆全部完成，路基完工8.4公里，路面施工因雨季推迟。",
        },
    ),
    (
        "c03",
        {
            "reported_on": "2026-09-30",
            "status": "in_progress",
            "progress": 80,
            "values": {"巩固提升受益人口": "29000"},
            "spent": {"provincial": "700.00", "county": "500.00"},
            "narrative": "新建管网86公里，3个水厂改造完成。",
        },
    ),
    (
        "c04",
        {
            "reported_on": "2026-10-31",
            "status": "delayed",
            "progress": 35,
            "spent": {"county": "1500.00"},
            "narrative": "地质条件复杂，桩基施工延长，主体封顶推迟。",
        },
    ),
    (
        "c07",
        {
            "reported_on": "2026-08-31",
            "status": "in_progress",
            "progress": 50,
            "values": {"居家养老服务中心": "4"},
            "spent": {"county": "260.00"},
            "narrative": "4个中心已投入运营，4个正在装修。",
        },
    ),
]


# The 2026 candidates' categories (the same list as citizens' opinions), in file order.
CATEGORIES_2026 = {
    "c01": "employment",
    "c02": "roads",
    "c03": "water",
    "c04": "education",
    "c05": "education",
    "c06": "health",
    "c07": "elderly_care",
    "c08": "safety",
    "c09": "environment",
    "c10": "environment",
    "c11": "other",
    "c12": "other",
    "c13": "roads",
    "c14": "water",
    "c15": "environment",
}

"""The checklist the product ships (门店标准巡检表), as plain data: the data migration
seeds it and ``services.ensure_default_template`` recreates it where it is missing."""

#: The default checklist (hardware, process, people, data — the four things the source's
#: spot checks look at): (section, area, [(key, text, kind, max, weight, photo, guidance)]).
DEFAULT_CHECKLIST = [
    (
        "硬件设施",
        "hardware",
        [
            (
                "hw_display",
                "进度显示屏运行正常，显示实时工单进度",
                "pass_fail",
                None,
                2,
                True,
                "拍下显示屏当前画面；请服务顾问说明显示内容。",
            ),
            (
                "hw_lounge",
                "客户休息区整洁，设施完好",
                "score",
                10,
                1,
                True,
                "座椅、饮水、充电、Wi-Fi；拍摄休息区全景。",
            ),
            ("hw_equipment", "诊断与维修设备到位、状态良好", "score", 10, 2, False, ""),
            ("hw_signage", "接待区与车间标识清晰", "pass_fail", None, 1, False, ""),
        ],
    ),
    (
        "流程执行",
        "process",
        [
            (
                "pr_reception",
                "接待流程按标准执行（问诊、环车检查、确认项目）",
                "score",
                10,
                2,
                False,
                "随机观察 2 位客户的接待过程。",
            ),
            (
                "pr_progress",
                "每 15 分钟主动告知客户维修进度",
                "score",
                10,
                3,
                False,
                "抽查 3 张在修工单，询问客户是否收到进度告知。",
            ),
            ("pr_dispatch", "开单到派工不超过 10 分钟", "score", 10, 2, False, ""),
            ("pr_delivery", "交车检查与费用解释到位", "pass_fail", None, 1, False, ""),
        ],
    ),
    (
        "人员能力",
        "people",
        [
            (
                "pe_dms",
                "服务顾问熟练使用 DMS 开单与查询",
                "score",
                10,
                2,
                False,
                "请顾问现场演示开单、查询配件库存。",
            ),
            (
                "pe_training",
                "员工完成标准动作培训，能独立操作",
                "pass_fail",
                None,
                2,
                False,
                "",
            ),
            ("pe_script", "接待话术统一规范", "score", 10, 1, False, ""),
        ],
    ),
    (
        "数据变化",
        "data",
        [
            (
                "da_waiting",
                "客户平均等待时间达标（≤ 30 分钟）",
                "pass_fail",
                None,
                2,
                False,
                "在 DMS 中查看近 7 天的平均等待时间。",
            ),
            ("da_records", "工单数据录入完整准确", "score", 10, 1, False, ""),
            ("da_nps", "NPS 与投诉数据按月跟踪分析", "pass_fail", None, 1, False, ""),
        ],
    ),
]

"""The seeded organisation's words in Simplified Chinese, for the demo in zh-CN.

Keyed by the English words of :mod:`pmcockpit.sim.catalog`: the organisation is
generated in English (same seed, same people, same tickets) and then renamed,
so both languages show the same company. Wording after the articles in
``shared/domain`` (运维, 巡检, 立项, 需求评审, 甘特图, 风险登记).
"""

from __future__ import annotations

DEPARTMENTS = {
    "Engineering": "研发部", "Product": "产品部", "Operations": "运维部", "Finance": "财务部",
    "HR": "人力资源部", "Sales": "销售部", "PMO": "项目管理办公室",
}
TEAMS = {
    "Platform": "平台组", "Web": "前端组", "Mobile": "移动组", "Data": "数据组", "QA": "测试组",
    "Product Management": "产品管理组", "Design": "设计组", "IT Support": "IT 支持组",
    "Infrastructure": "基础设施组", "Facilities": "行政后勤组", "Accounting": "会计组",
    "Controlling": "财务控制组", "People Operations": "人事组", "Recruiting": "招聘组",
    "Enterprise": "大客户组", "SMB": "中小客户组", "Customer Success": "客户成功组",
    "Programme Office": "项目集办公室",
}
TITLES = {
    "Software Engineer": "软件工程师", "Senior Engineer": "高级工程师", "Tech Lead": "技术负责人",
    "QA Engineer": "测试工程师", "Product Manager": "产品经理", "UX Designer": "交互设计师",
    "Product Owner": "产品负责人", "System Administrator": "系统管理员",
    "IT Support Specialist": "IT 支持专员", "Facility Manager": "行政主管",
    "Accountant": "会计", "Controller": "财务主管", "HR Partner": "人力资源业务伙伴",
    "Recruiter": "招聘专员", "Account Executive": "客户经理", "Sales Manager": "销售经理",
    "Customer Success Manager": "客户成功经理", "Project Manager": "项目经理",
    "Programme Manager": "项目集经理", "PMO Analyst": "PMO 分析师", "Intern": "实习生",
    "Service account": "服务账号",
}
GROUPS = {"Release managers": "发布负责人", "Security champions": "安全专员",
          "Support desk": "支持台"}

# Pinyin -> characters; western names get a Chinese name drawn from the same lists.
FAMILY = {
    "Wang": "王", "Li": "李", "Zhang": "张", "Liu": "刘", "Chen": "陈", "Yang": "杨",
    "Huang": "黄", "Zhao": "赵", "Wu": "吴", "Zhou": "周", "Xu": "徐", "Sun": "孙", "Ma": "马",
    "Zhu": "朱", "Hu": "胡", "Guo": "郭", "He": "何", "Gao": "高", "Lin": "林", "Luo": "罗",
    "Zheng": "郑", "Liang": "梁", "Song": "宋", "Tang": "唐",
}
GIVEN = {
    "Wei": "伟", "Fang": "芳", "Na": "娜", "Min": "敏", "Jing": "静", "Li": "丽", "Qiang": "强",
    "Lei": "磊", "Jun": "军", "Yang": "洋", "Yan": "艳", "Jie": "杰", "Tao": "涛", "Ming": "明",
    "Chao": "超", "Xiu": "秀", "Hui": "慧", "Ping": "平", "Gang": "刚", "Hua": "华", "Xin": "欣",
    "Yu": "宇", "Hao": "浩", "Lin": "琳", "Rui": "睿", "Zhen": "振", "Ying": "颖", "Bo": "博",
    "Kai": "凯", "Xiaoling": "晓玲",
}
SERVICE_NAMES = {"ci-bot": "持续集成机器人", "backup-svc": "备份服务", "jira-sync": "同步服务",
                 "report-exporter": "报表导出", "ldap-sync": "目录同步"}

PROJECTS = {
    "Website Relaunch": ("官网改版", "新版公司官网，采用无头内容管理系统。"),
    "Billing Platform": ("计费平台", "替换旧的开票系统。"),
    "Mobile App": ("移动应用", "面向客户的 iOS 和安卓应用。"),
    "Data Warehouse Migration": ("数据仓库迁移", "把报表迁移到新的数据仓库。"),
    "ERP Rollout": ("ERP 推广", "全公司上线 ERP，财务先行。"),
    "Customer Portal": ("客户门户", "面向大客户的自助服务门户。"),
    "Office Move": ("办公室搬迁", "搬到新办公室并部署网络。"),
    "Hiring Pipeline": ("招聘流程", "招聘流程和入职清单。"),
    "Budget Planning": ("预算编制", "年度预算周期和预测。"),
    "CRM Rollout": ("客户管理系统推广", "在所有销售团队推行客户管理系统。"),
    "Network Refresh": ("网络改造", "更换交换机和无线接入点。"),
    "Design System": ("设计体系", "共用的界面组件和规范。"),
    "Security Audit": ("安全审计", "年度信息安全认证审核准备。"),
    "Onboarding Programme": ("新员工入职计划", "新员工第一周的安排。"),
    "API Gateway": ("接口网关", "所有对外接口前面的统一网关。"),
    "Partner Programme": ("合作伙伴计划", "合作伙伴门户和认证。"),
    "Project Templates": ("项目模板", "标准模板：需求评审、甘特图、风险登记。"),
    "Portfolio Review": ("项目组合评审", "每季度评审所有在建项目。"),
    "PM Tool Support": ("项目管理工具支持", "项目管理工具的问题和求助。"),
}
CODENAMES = {
    "Apollo": "阿波罗", "Borealis": "北极光", "Cobalt": "钴蓝", "Delta": "三角洲", "Ember": "余烬",
    "Falcon": "猎鹰", "Granite": "花岗岩", "Helix": "螺旋", "Iris": "鸢尾", "Juniper": "杜松",
    "Kestrel": "红隼", "Lumen": "流明", "Meridian": "子午线", "Nova": "新星", "Orion": "猎户座",
    "Pulsar": "脉冲星", "Quartz": "石英", "Rigel": "参宿七", "Sierra": "山脉", "Tundra": "冻原",
    "Umbra": "本影", "Vega": "织女星", "Willow": "垂柳", "Xenon": "氙", "Yukon": "育空",
    "Zephyr": "西风",
}

TICKET_TOPICS = {
    "Cannot log in after password reset": (
        "重置密码后无法登录", "今天上午重置了密码，但登录页仍提示用户名或密码错误。"),
    "Notification e-mails not arriving": (
        "收不到通知邮件", "分配给我的问题有变更时不再收到邮件，垃圾邮件箱里也没有。"),
    "Need access to project {project}": (
        "申请{project}项目的权限", "我这周加入了{project}团队，但看不到这个项目，请帮忙添加。"),
    "Gantt chart export fails": (
        "甘特图导出失败", "把{project}的甘特图导出为 PDF 时出现错误页面。"),
    "Please remove access for {person}": (
        "请移除{person}的权限", "{person}已离职，请移除其在我们项目中的权限。"),
    "Two-factor authentication lost phone": (
        "换手机后无法双因素认证", "我换了手机，无法再生成动态验证码，请重置双因素认证。"),
    "Wrong role in {project}": (
        "{project}中的角色不对", "我在{project}里只能提交问题，但作为开发人员需要更新问题。"),
    "Request new project template": (
        "申请新的项目模板", "项目管理办公室能否提供一个包含需求评审清单的项目模板？"),
    "Time tracking report shows wrong totals": (
        "工时报表合计错误", "上个月的工时报表里，我们团队的工时翻了一倍。"),
    "Search does not find old issues": (
        "搜索不到旧的问题", "搜索去年的问题标题，没有任何结果。"),
    "Custom field missing on new issues": (
        "新建问题缺少自定义字段", "在{project}中新建问题时不显示“成本中心”字段。"),
    "Slow page loads on issue list": (
        "问题列表加载很慢", "{project}的问题列表要 20 秒以上才能打开。"),
    "Attachment upload rejected": (
        "附件上传被拒绝", "上传一份 30 MB 的需求说明书时提示文件太大。"),
    "Account locked after too many attempts": (
        "多次输错密码后账号被锁", "我输错了几次密码，账号被锁定了，请帮忙解锁。"),
    "Archive finished project {project}": (
        "归档已结项的{project}", "{project}已经结项，请在评审后关闭并归档。"),
    "Training for new team members": (
        "新成员培训", "下个月有三位新同事入职，有没有安排培训？"),
    "Calendar view shows wrong time zone": (
        "日历视图时区错误", "上海办公室看到的日历里，截止日期都错后了一天。"),
    "Integration with CI stopped updating issues": (
        "持续集成不再更新问题", "从周二起，提交记录引用的问题不再自动关联。"),
    "Add field for risk level": (
        "增加风险等级字段", "项目管理办公室的风险登记需要在{project}的问题上增加“风险等级”字段。"),
    "Cannot edit wiki page": (
        "无法编辑维基页面", "在{project}中编辑团队维基页面时提示“拒绝访问”。"),
}
FILLERS = {"our project": "我们的项目", "a former colleague": "一位前同事"}

NOTES = {
    "Which browser and version are you using?": "你用的是哪个浏览器，什么版本？",
    "Chrome 126 on Windows 11.": "Windows 11 上的 Chrome 126。",
    "Could you send a screenshot of the error?": "能发一张报错的截图吗？",
    "Screenshot attached, error 500 at the top.": "截图已附上，顶部显示 500 错误。",
    "Does it happen for your colleagues too?": "你的同事也遇到这个问题吗？",
    "Yes, the whole team sees it.": "是的，整个团队都这样。",
    "Can you try again after clearing the cache?": "清除缓存后能再试一次吗？",
    "Still the same after clearing the cache.": "清除缓存后还是一样。",
    "Thanks for reporting, I'm looking into it.": "感谢反馈，我正在查看。",
    "Reproduced, investigating.": "已复现，正在排查。",
    "Checked the logs, working on a fix.": "查过日志了，正在修复。",
    "Fixed: the configuration has been corrected. Please check.": "已修复：配置已更正，请确认。",
    "Done, access and roles have been updated.": "已处理，权限和角色都已更新。",
    "The mail relay was restarted; notifications are sent again.": "邮件中继已重启，通知恢复发送。",
    "Resolved with the latest patch release.": "已通过最新的补丁版本解决。",
    "Works now, thank you!": "现在可以了，谢谢！",
    "Confirmed, all good.": "确认，一切正常。",
    "Closing: no answer for two weeks.": "两周无回复，关闭。",
}

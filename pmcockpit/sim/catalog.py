"""Fixed word lists the seeded organisation draws from.

Kept apart from the generator so the generator reads as rules, not data.
"""

from __future__ import annotations

# Department -> (teams, share of the headcount, titles).
DEPARTMENTS: dict[str, tuple[tuple[str, ...], float, tuple[str, ...]]] = {
    "Engineering": (
        ("Platform", "Web", "Mobile", "Data", "QA"),
        0.34,
        ("Software Engineer", "Senior Engineer", "Tech Lead", "QA Engineer"),
    ),
    "Product": (
        ("Product Management", "Design"),
        0.10,
        ("Product Manager", "UX Designer", "Product Owner"),
    ),
    "Operations": (
        ("IT Support", "Infrastructure", "Facilities"),
        0.14,
        ("System Administrator", "IT Support Specialist", "Facility Manager"),
    ),
    "Finance": (("Accounting", "Controlling"), 0.08, ("Accountant", "Controller")),
    "HR": (("People Operations", "Recruiting"), 0.06, ("HR Partner", "Recruiter")),
    "Sales": (
        ("Enterprise", "SMB", "Customer Success"),
        0.18,
        ("Account Executive", "Sales Manager", "Customer Success Manager"),
    ),
    "PMO": (("Programme Office",), 0.10, ("Project Manager", "Programme Manager", "PMO Analyst")),
}

WESTERN_FIRST = (
    "Alice", "Andrew", "Anna", "Ben", "Carla", "Chris", "Daniel", "Diana", "Emma", "Eric",
    "Fiona", "Frank", "Grace", "Hannah", "Henry", "Isabel", "Jack", "Julia", "Karen", "Kevin",
    "Laura", "Lukas", "Maria", "Mark", "Nina", "Oliver", "Paula", "Peter", "Rachel", "Robert",
    "Sarah", "Simon", "Sophie", "Thomas", "Uma", "Victor", "Wendy", "Yusuf", "Zoe", "Marta",
)
WESTERN_LAST = (
    "Smith", "Johnson", "Brown", "Taylor", "Miller", "Wilson", "Moore", "Anderson", "Thomas",
    "Jackson", "White", "Harris", "Martin", "Garcia", "Clark", "Lewis", "Walker", "Hall",
    "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell",
    "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner", "Parker", "Collins",
    "Edwards", "Stewart", "Morris", "Murphy", "Schmidt", "Weber", "Fischer", "Novak", "Rossi",
)
PINYIN_FIRST = (
    "Wei", "Fang", "Na", "Min", "Jing", "Li", "Qiang", "Lei", "Jun", "Yang", "Yan", "Jie",
    "Tao", "Ming", "Chao", "Xiu", "Hui", "Ping", "Gang", "Hua", "Xin", "Yu", "Hao", "Lin",
    "Rui", "Zhen", "Ying", "Bo", "Kai", "Xiaoling",
)
PINYIN_LAST = (
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun",
    "Ma", "Zhu", "Hu", "Guo", "He", "Gao", "Lin", "Luo", "Zheng", "Liang", "Song", "Tang",
)

# (login, first name, last name, department, team) of integration accounts.
SERVICE_ACCOUNTS = (
    ("ci-bot", "CI", "Bot", "Engineering", "Platform"),
    ("backup-svc", "Backup", "Service", "Operations", "Infrastructure"),
    ("jira-sync", "Jira", "Sync", "Operations", "IT Support"),
    ("report-exporter", "Report", "Exporter", "PMO", "Programme Office"),
    ("ldap-sync", "LDAP", "Sync", "Operations", "Infrastructure"),
)

# (name, owning department, description) of ordinary projects.
PROJECT_BASES = (
    ("Website Relaunch", "Product", "New public website with a headless CMS."),
    ("Billing Platform", "Engineering", "Replace the legacy invoicing system."),
    ("Mobile App", "Engineering", "Customer app for iOS and Android."),
    ("Data Warehouse Migration", "Engineering", "Move reporting to the new warehouse."),
    ("ERP Rollout", "Finance", "Company-wide ERP introduction, finance first."),
    ("Customer Portal", "Sales", "Self-service portal for enterprise customers."),
    ("Office Move", "Operations", "Move to the new office and its network."),
    ("Hiring Pipeline", "HR", "Recruiting workflow and onboarding checklist."),
    ("Budget Planning", "Finance", "Yearly budget cycle and forecasts."),
    ("CRM Rollout", "Sales", "Introduce the CRM to all sales teams."),
    ("Network Refresh", "Operations", "Replace switches and Wi-Fi access points."),
    ("Design System", "Product", "Shared UI components and guidelines."),
    ("Security Audit", "Operations", "Yearly ISO 27001 audit preparation."),
    ("Onboarding Programme", "HR", "First-week programme for new employees."),
    ("API Gateway", "Engineering", "One gateway in front of all public APIs."),
    ("Partner Programme", "Sales", "Partner portal and certification."),
    ("Project Templates", "PMO", "Standard templates: requirements review, Gantt, risk log."),
    ("Portfolio Review", "PMO", "Quarterly review of all running projects."),
)

CODENAMES = (
    "Apollo", "Borealis", "Cobalt", "Delta", "Ember", "Falcon", "Granite", "Helix", "Iris",
    "Juniper", "Kestrel", "Lumen", "Meridian", "Nova", "Orion", "Pulsar", "Quartz", "Rigel",
    "Sierra", "Tundra", "Umbra", "Vega", "Willow", "Xenon", "Yukon", "Zephyr",
)

# (subject, description) of support tickets; {project} and {person} get filled in.
TICKET_TOPICS = (
    ("Cannot log in after password reset",
     "I reset my password this morning but the login page still says invalid credentials."),
    ("Notification e-mails not arriving",
     "I no longer get e-mails when issues assigned to me change. Spam folder is empty."),
    ("Need access to project {project}",
     "I joined the {project} team this week and cannot see the project. Please add me."),
    ("Gantt chart export fails",
     "Exporting the Gantt chart of {project} to PDF ends with an error page."),
    ("Please remove access for {person}",
     "{person} has left the company; please remove their access to our projects."),
    ("Two-factor authentication lost phone",
     "I changed phones and can no longer generate 2FA codes. Please reset my 2FA."),
    ("Wrong role in {project}",
     "I can only report issues in {project} but I need to update them as a developer."),
    ("Request new project template",
     "Could the PMO provide a project template with the requirements review checklist?"),
    ("Time tracking report shows wrong totals",
     "The spent time report for last month shows double the hours for our team."),
    ("Search does not find old issues",
     "Searching for issue subjects from last year returns nothing."),
    ("Custom field missing on new issues",
     "The 'Cost centre' field is not shown when creating issues in {project}."),
    ("Slow page loads on issue list",
     "The issue list of {project} takes more than 20 seconds to load."),
    ("Attachment upload rejected",
     "Uploading a 30 MB specification fails with 'file too large'."),
    ("Account locked after too many attempts",
     "My account was locked after I mistyped my password. Please unlock it."),
    ("Archive finished project {project}",
     "{project} is finished. Please close it and archive it after the review."),
    ("Training for new team members",
     "Three new colleagues start next month. Is there a training session planned?"),
    ("Calendar view shows wrong time zone",
     "Due dates in the calendar are shifted by one day for our Shanghai office."),
    ("Integration with CI stopped updating issues",
     "Commits referencing issues are no longer linked since Tuesday."),
    ("Add field for risk level",
     "The PMO risk register needs a 'risk level' field on issues in {project}."),
    ("Cannot edit wiki page",
     "Editing the team wiki page in {project} gives 'access denied'."),
)

FOLLOW_UPS = (
    ("Which browser and version are you using?", "Chrome 126 on Windows 11."),
    ("Could you send a screenshot of the error?", "Screenshot attached, error 500 at the top."),
    ("Does it happen for your colleagues too?", "Yes, the whole team sees it."),
    ("Can you try again after clearing the cache?", "Still the same after clearing the cache."),
)
START_NOTES = (
    "Thanks for reporting, I'm looking into it.",
    "Reproduced, investigating.",
    "Checked the logs, working on a fix.",
)
RESOLVE_NOTES = (
    "Fixed: the configuration has been corrected. Please check.",
    "Done, access and roles have been updated.",
    "The mail relay was restarted; notifications are sent again.",
    "Resolved with the latest patch release.",
)
CLOSE_NOTES_AUTHOR = ("Works now, thank you!", "Confirmed, all good.")
CLOSE_NOTE_ADMIN = "Closing: no answer for two weeks."

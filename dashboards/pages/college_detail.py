"""学院详情: one 二级党组织 in one period — its 五个到位 breakdown, its branches' 七个有力, and the
spreadsheet rows behind every indicator (select, filter, format marts only — no scoring here)."""

import calendar
from datetime import date

import polars as pl
import streamlit as st

from dashboards import charts
from dashboards.chart_view import altair_chart
from dashboards.downloads import report_download_buttons
from dashboards.frozen import frozen_banner
from dashboards.labels import (
    CHOOSE,
    MAX_STARS,
    TOTAL_LABEL,
    UNGRADED,
    period_text,
    rank_change_text,
    star_string,
)
from dashboards.queries import query, rulebook
from dashboards.queries.college_detail import (
    BRANCH_INDICATORS_SQL,
    BRANCHES_SQL,
    CHECKLIST_SQL,
    COLLEGE_INDICATORS_SQL,
    COLLEGES_SQL,
    FUNDING_SQL,
    FUNDING_TOTALS_SQL,
    MEMBER_TRAINING_SQL,
    PERIODS_SQL,
    SCORE_SQL,
    TASKS_SQL,
    WEAK_FLAGS_SQL,
)
from dashboards.queries.sources import indicator_source, source_rows
from dashboards.snapshot import colleges_ranked
from dashboards.tables import unit_formats

TARGET_HELP = "按考核期折算后的要求或对应的分母；空表示没有要求（如支部均分）"
RUN_HINT = "请把各学院的上报表放进收件箱后运行 dangjian run，再刷新本页。"
TAB_KEY = "detail_tab"  # session state: the open tab's label
NAMES_NOTE = (
    "看板只显示工号/学号，不显示姓名；按角色授权查看姓名的功能将在后续版本提供，"
    "需要核对本人时请由有权限的组织员对照花名册。"
)

# Columns of a detail table that only say which org and period a row is of (the page already does).
HIDDEN_COLUMNS = ("year", "period", "quarter", "college_code", "structure_year", "owner_seq")

STARS = {n: star_string(n) for n in range(MAX_STARS + 1)}
SOURCE_COLUMNS = {"source_file": "来源文件", "source_sheet": "工作表", "source_row": "行号"}

COLUMN_LABELS = {
    "held_on": "日期",
    "org_name": "组织",
    "activity_type": "活动类型",
    "topic": "主题",
    "expected": "应到",
    "attended": "实到",
    "speaker_key": "主讲人工号",
    "by_secretary": "书记主讲",
    "member_key": "工号/学号",
    "branch_name": "所在支部",
    "party_role": "党内职务",
    "status": "状态",
    "hours": "学时",
    "required_hours": "学时要求",
    "met": "达标",
    "gap": "差额",
    "started_on": "开始日期",
    "ended_on": "结束日期",
    "course": "培训名称",
    "form": "形式",
    "organizer": "主办单位",
    "booked_on": "日期",
    "funding_type": "类型",
    "category": "类别",
    "amount": "金额（元）",
    "purpose": "事由",
    "task_id": "任务编号",
    "task": "工作任务",
    "responsible": "责任单位",
    "weight": "计分权重（考核分值）",
    "deadline_text": "完成时限（原文）",
    "deadline": "完成时限（解析）",
    "completed_on": "完成日期",
    "due_in_period": "已到期",
    "on_time": "按期完成",
    "overdue": "逾期",
    "question_no": "题号",
    "responsibility": "责任清单",
    "question": "问题",
    "answer": "自查结论",
    "branch_category": "类别",
    "total": "总分",
    "tier": "晋位升级",
    "last_election_on": "上次换届",
    "term_years": "任期（年）",
    "secretary_dual_leader": "书记双带头人",
    "joined_on": "入党日期",
    "lost_contact": "失联",
    **SOURCE_COLUMNS,
}
NUMBER_FORMATS = {
    "hours": "%.2f",
    "required_hours": "%.2f",
    "gap": "%.2f",
    "amount": "%.2f",
    "total": "%.2f",
}


def show_rows(frame: pl.DataFrame, empty: str) -> None:
    """A detail table with Chinese headers; source file / row at the end so each row traces back."""
    if frame.is_empty():
        st.info(empty)
        return
    ordered = [c for c in frame.columns if c not in SOURCE_COLUMNS]
    ordered += [c for c in SOURCE_COLUMNS if c in frame]
    table = frame.select(pl.col(c).alias(COLUMN_LABELS.get(c, c)) for c in ordered)
    config: dict = {
        COLUMN_LABELS[c]: st.column_config.NumberColumn(format=fmt)
        for c, fmt in NUMBER_FORMATS.items()
        if c in frame
    }
    for c in frame.columns:
        if frame[c].dtype == pl.Boolean:
            config[COLUMN_LABELS.get(c, c)] = st.column_config.CheckboxColumn()
        elif frame[c].dtype == pl.Date:
            config[COLUMN_LABELS.get(c, c)] = st.column_config.DateColumn(format="YYYY-MM-DD")
    config |= unit_formats(table.columns)
    if "source_row" in frame:
        config["行号"] = st.column_config.NumberColumn(format="%d", width="small")
    st.dataframe(table, hide_index=True, height="auto" if table.height <= 12 else 420, column_config=config)
    st.caption(f"共 {table.height} 行。来源文件与行号即上报工作簿中的位置，可据此回查原表。")


def full_height(rows: int) -> int:
    """Pixel height that shows every row of a short table without an inner scroll bar."""
    return (rows + 1) * 35 + 3


def short_name(dimension: str) -> str:
    """教育党员有力 -> 教育党员: seven full names do not fit side by side in the branch table."""
    return dimension.removesuffix("有力")


def indicator_table(frame: pl.DataFrame) -> None:
    # Labels looked up here, not in a polars UDF: polars may call a UDF from one of its own threads,
    # where there is no Streamlit session and so no login to scope the rulebook query by.
    labels = {code: rulebook.dimension_label(code) for code in frame["dimension"].drop_nulls().unique()}
    table = frame.select(
        pl.col("dimension").replace_strict(labels, default="", return_dtype=pl.String).alias("维度"),
        pl.col("indicator_name").fill_null(pl.col("indicator")).alias("指标"),
        pl.col("value").alias("实际值"),
        pl.col("target").alias("要求"),
        pl.col("score").alias("得分"),
        pl.col("weight").alias("权重"),
    )
    st.dataframe(
        table,
        hide_index=True,
        height=full_height(table.height),
        column_config={
            "实际值": st.column_config.NumberColumn(format="localized"),
            "要求": st.column_config.NumberColumn(format="localized", help=TARGET_HELP),
            "得分": st.column_config.NumberColumn(format="%.2f"),
            "权重": st.column_config.NumberColumn(format="localized", help="指标在所属维度内的权重"),
        },
    )


def show_sources(level: str, indicator: str, org_code: str) -> None:
    """The rows behind one indicator of `org_code` (a college when level == "college", else a branch):
    where they are is data (marts.indicator_sources); this only lays them out."""
    source = indicator_source(level, indicator)
    if source is None:
        st.info("规则表中没有这个指标的明细来源。")
        return
    if indicator == "no_veto" and score["veto_detail"]:
        st.info(f"一票否决：{score['veto_detail']}")
    if not source["detail_table"]:
        st.info(f"{source['description']}。请向组织部索取原表核对。")
        return
    rows = source_rows(source, org_code, year, period, period_end)
    st.caption(source["description"] + ("。" + NAMES_NOTE if "member_key" in rows.columns else ""))
    if "met" in rows.columns:  # members short of their hours first
        rows = rows.sort("met", nulls_last=True)
    show_rows(
        rows.drop([c for c in HIDDEN_COLUMNS if c in rows.columns]),
        f"没有{source['source_sheet']}中的相应记录。请学院补报后重新运行 dangjian run。",
    )


def indicator_picker(frame: pl.DataFrame, key: str) -> str | None:
    codes = frame["indicator"].to_list()
    names = dict(zip(codes, frame["indicator_name"].fill_null(frame["indicator"]), strict=True))
    dims = dict(zip(codes, frame["dimension"], strict=True))
    return st.selectbox(
        "查看指标的明细记录",
        codes,
        index=None,
        format_func=lambda code: f"{dims[code]} · {names[code]}",
        placeholder="选择一个指标，查看它来自哪些上报记录",
        key=key,
    )


# ---- page -------------------------------------------------------------------------------------------

st.title("学院详情")

periods = query(PERIODS_SQL)
if periods.is_empty():
    st.info(f"快照中还没有学院得分。{RUN_HINT}")
    st.stop()
period_info = {r["period"]: (r["year"], r["quarter"]) for r in periods.iter_rows(named=True)}

with st.sidebar:
    st.header("筛选")
    period = st.selectbox(
        "考核期",
        list(period_info),
        index=0,
        key="detail_period",
        help="Q4 即全年（年终考核）",
        placeholder=CHOOSE,
    )
year, quarter = period_info[period]
period_end = date(year, quarter * 3, calendar.monthrange(year, quarter * 3)[1])
year_end = quarter == 4

colleges = query(COLLEGES_SQL, [period])
college_names = dict(zip(colleges["college_code"], colleges["college_name"], strict=True))
college_ranks = dict(zip(colleges["college_code"], colleges["rank"], strict=True))
with st.sidebar:
    college = st.selectbox(
        "学院",
        list(college_names),
        index=0,
        format_func=lambda code: f"{college_ranks[code]}. {college_names[code]}",
        key="detail_college",
        help="按本期全校排名排序",
        placeholder=CHOOSE,
    )

frozen_banner(year, college=college)

score = query(SCORE_SQL, [period, college]).row(0, named=True)
st.subheader(f"{score['college_name']} · {period_text(period)}{'（年终）' if year_end else ''}")

metrics = st.columns(5 if year_end else 4)
metrics[0].metric(
    "综合得分",
    f"{score['composite']:.2f}",
    help=f"0.8 × {TOTAL_LABEL} + 0.2 × 述职评议得分；第一至第三季度没有述职评议，综合得分即{TOTAL_LABEL}",
)
metrics[1].metric(
    TOTAL_LABEL,
    f"{score['total']:.2f}",
    help=f"加减分前 {score['base_total']:.2f}，加分 {score['bonus']:.2f}，扣分 {score['deduction']:.2f}",
)
metrics[2].metric("星级", star_string(score["stars"]))
# 年终 against last year's 年终: quarter-to-date scores restart each January
change, since = (score["year_end_rank_change"], "上年年终") if year_end else (score["rank_change"], "上期")
metrics[3].metric(
    "全校排名",
    f"{score['rank']} / {colleges_ranked(period)}",  # school-wide, also for a 学院 login
    delta=change,
    delta_description=f"名次较{since}" if change is not None else None,
    help=f"按综合得分排名；名次变化 = {since}名次 − 本期名次"
    + (f"（{rank_change_text(change)}）" if change is not None else f"（无{since}）"),
)
if year_end:
    metrics[4].metric(
        "年终等次", score["grade"] or UNGRADED, help=f"{' / '.join(rulebook.grades())}，只在第4季度评定"
    )

if score["veto"]:
    st.error(f"一票否决：{score['veto_detail'] or '（未注明事由）'}", icon=":material/block:")
notes = [f"计入党员 {score['member_count']} 人，党支部 {score['branch_count']} 个"]
if year_end and score["evaluation_score"] is not None:
    notes.append(f"述职评议得分 {score['evaluation_score']:.2f}")
if score["adjustment_detail"]:
    notes.append(score["adjustment_detail"])
st.caption("；".join(notes))
if year_end:  # the year's 考核反馈报告 of this college (a 学院 login gets only its own)
    report_download_buttons(year, college, score["college_name"] or college, "detail_report")

college_indicators = query(COLLEGE_INDICATORS_SQL, [period, college])
branches = query(BRANCHES_SQL, [period, college])
short = query(MEMBER_TRAINING_SQL, [period, college, None, None, False]).filter(~pl.col("met"))
overdue = query(TASKS_SQL, [period, college, False, True])

tab_labels = [
    "五个到位",
    f"所属支部（{branches.height}）",
    f"学时未达标（{short.height}）",
    f"逾期任务（{overdue.height}）",
    "活动经费",
    "责任清单自查",
]
# Only the open tab runs (a switch reruns the page). A count in a label changes with the college or
# period, which makes the tabs new to Streamlit: the tab open before stays open, found by its name.
open_before = str(st.session_state.get(TAB_KEY, "")).split("（")[0]
tabs = st.tabs(
    tab_labels,
    default=next((label for label in tab_labels if label.split("（")[0] == open_before), tab_labels[0]),
    key=TAB_KEY,
    on_change="rerun",
)

if tabs[0].open:
    with tabs[0]:
        dimensions = {c: n for c, n in rulebook.dimensions("college").items() if score[c] is not None}
        if dimensions:
            altair_chart(
                charts.college_dimension_bar(pl.DataFrame({c: [score[c]] for c in dimensions}), dimensions)
            )
        if college_indicators.is_empty():
            st.info(f"本考核期没有该学院的指标明细。{RUN_HINT}")
        else:
            indicator_table(college_indicators)
            picked = indicator_picker(college_indicators, "detail_indicator")
            if picked:
                show_sources("college", picked, college)

if tabs[1].open:
    with tabs[1]:
        if branches.is_empty():
            st.info("组织架构表中没有该学院的党支部，或本期支部得分尚未计算。" + RUN_HINT)
        else:
            branch_dims = {
                c: n
                for c, n in rulebook.dimensions("branch").items()
                if branches[c].null_count() < branches.height
            }
            table = branches.select(
                pl.col("rank_in_college").alias("院内排名"),
                pl.col("branch_name").alias("支部"),
                pl.col("branch_category").alias("类别"),
                pl.col("member_count").alias("党员数"),
                pl.col("total").alias("总分"),
                pl.col("stars").replace_strict(STARS, default=None, return_dtype=pl.String).alias("星级"),
                pl.col("tier").fill_null("—").alias("晋位升级"),
                *[pl.col(c).alias(short_name(n)) for c, n in branch_dims.items()],
            )
            st.dataframe(
                table,
                hide_index=True,
                height="auto",
                column_config={
                    "院内排名": st.column_config.NumberColumn(format="%d", width="small"),
                    "党员数": st.column_config.NumberColumn(format="%d", width="small"),
                    "总分": st.column_config.NumberColumn(format="%.2f", width="small"),
                    **{
                        short_name(n): st.column_config.NumberColumn(
                            format="%.2f", width="small", help=f"{c.upper()} {n}"
                        )
                        for c, n in branch_dims.items()
                    },
                },
            )
            if not year_end:
                annual = "、".join(rulebook.dimension_label(d) for d in rulebook.annual_dimensions("branch"))
                st.caption(f"{annual + '和' if annual else ''}晋位升级只在第4季度评定。")
            branch_names = dict(zip(branches["branch_code"], branches["branch_name"], strict=True))
            branch = st.selectbox(
                "查看支部的指标",
                list(branch_names),
                index=0,
                format_func=lambda code: branch_names[code],
                key="detail_branch",
                placeholder=CHOOSE,
            )
            branch_indicators = query(BRANCH_INDICATORS_SQL, [period, branch])
            if branch_indicators.is_empty():
                st.info("该支部本期没有指标明细。" + RUN_HINT)
            else:
                indicator_table(branch_indicators)
                picked_branch = indicator_picker(branch_indicators, "detail_branch_indicator")
                if picked_branch:
                    show_sources("branch", picked_branch, branch)
            if year_end:
                weak = query(WEAK_FLAGS_SQL, [year, college])
                st.markdown("**软弱涣散预警**")
                if weak.is_empty():
                    st.success("本年所属支部没有软弱涣散预警项。")
                else:
                    st.dataframe(
                        weak.rename({"branch_name": "支部", "flag_name": "预警项", "detail": "说明"}),
                        hide_index=True,
                        height="auto",
                    )

if tabs[2].open:
    with tabs[2]:
        st.caption(f"截至{period_end}累计学时低于折算要求的党员（年度要求 × 已过月数/12）。{NAMES_NOTE}")
        if short.is_empty():
            st.success("本考核期全部党员学时达标。")
        else:
            gap = (pl.col("required_hours") - pl.col("hours")).alias("gap")
            show_rows(short.drop("met").with_columns(gap), "")

if tabs[3].open:
    with tabs[3]:
        st.caption(f"完成时限早于{period_end}且未在时限内完成的任务（逾期完成或仍未完成）。")
        if overdue.is_empty():
            st.success("本考核期没有逾期任务。")
        else:
            show_rows(overdue.drop("due_in_period", "on_time", "overdue"), "")

if tabs[4].open:
    with tabs[4]:
        funding = college_indicators.filter(pl.col("indicator") == "funding_adequacy")
        if funding.is_empty():
            st.info("本考核期没有计算活动经费保障（没有计入党员或没有拨款记录）。")
        else:
            value, target = funding["value"][0], funding["target"][0]
            members = score["member_count"] or 0
            f1, f2, f3, f4 = st.columns(4)
            f1.metric("拨款合计（元）", f"{value:,.2f}", help="学院本级及所属支部自1月1日起的拨款")
            f2.metric(
                "经费标准（元）", f"{target:,.2f}", help="按人员类别的每人标准 × 计入党员 × 已过月数/12"
            )
            if members:
                f3.metric("人均拨款（元）", f"{value / members:,.2f}")
                f4.metric("人均标准（元）", f"{target / members:,.2f}")
            if target and value < target:
                st.warning(f"拨款比标准少 {target - value:,.2f} 元。", icon=":material/savings:")
        totals = query(FUNDING_TOTALS_SQL, [year, period_end, college])
        st.markdown(f"**经费台账合计**（学院本级及所属支部，{year}年1月1日至{period_end}）")
        if totals.is_empty():
            st.info("没有经费记录。请学院上报经费台账后运行 dangjian run。")
        else:
            st.dataframe(
                totals.rename(
                    {
                        "funding_type": "类型",
                        "category": "支出类别",
                        "entries": "笔数",
                        "amount": "金额（元）",
                    }
                ),
                hide_index=True,
                height="auto",
                column_config=unit_formats(["金额（元）"]),
            )
            with st.expander("经费明细（每笔一行）"):
                all_types = ["拨款", "支出", "党费返还"]
                rows = query(FUNDING_SQL, [year, period_end, all_types, college, college, None, None])
                show_rows(rows, "没有经费记录。")

if tabs[5].open:
    with tabs[5]:
        if not year_end:
            st.info("责任清单自查只在第4季度（年终）计分，请在左侧选择该年的第4季度查看。")
        else:
            answers = query(CHECKLIST_SQL, [year, college, None, None, ["否", "部分"]])
            st.caption("自查结论为「否」或「部分」的问题（题目原文取自责任清单和问题清单）。")
            if answers.is_empty():
                any_answer = query(CHECKLIST_SQL, [year, college, None, None, ["是", "部分", "否"]])
                if any_answer.is_empty():
                    st.info("学院尚未上报本年的责任清单自查表。请学院上报后运行 dangjian run。")
                else:
                    st.success("全部自查问题的结论均为「是」。")
            else:
                st.caption(f"共 {answers.height} 题。来源文件与行号即自查表中的位置。")
                for r in answers.iter_rows(named=True):
                    with st.container(border=True):
                        mark = ":red[否]" if r["answer"] == "否" else ":orange[部分]"
                        st.markdown(f"**第{r['question_no']}题** · {mark} · {r['responsibility'] or ''}")
                        st.markdown(r["question"] or "（题目原文缺失）")
                        st.caption(f"{r['org_name']} · 来源：{r['source_file']} 第 {r['source_row']} 行")

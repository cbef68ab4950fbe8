#!/usr/bin/env python3
"""Generate the bundled sample ward of schoolstat.

Writes the eight input tables of the data contract twice, from the same rows:

  data/sample/*.csv           canonical English headers, ',' delimiter, UTF-8
                              without BOM, LF, plain numbers;
  tests/data/vi_export/*.csv  the same rows as a vi-VN Excel export: ';'
                              delimiter, UTF-8 BOM, CRLF, Vietnamese header
                              aliases, '.' thousands and ',' decimal mark.

The data are invented (a fictitious ward, "Phường Hòa Bình"); the simulation
is seeded and uses only the standard library, so a run always produces the
same bytes. A handful of real-world mistakes is planted on purpose on known
lines (see PLANTED below and data/README.md); everything else is kept
internally consistent: cohorts flow from year to year, promotion outcomes add
up to the pupils enrolled at the end of the year, exam candidates come from
the grade-9 leavers of their school, staff follow the number of classes.

Usage: python3 tools/gen_sample.py [--root DIR] [--quiet]
"""

import argparse
import csv
import io
import math
import os
import random
import sys

SEED = 20240825

YEARS = ["2020-2021", "2021-2022", "2022-2023", "2023-2024", "2024-2025"]
LATEST = YEARS[2:]            # promotion, exams, staffing cover these
SUMMARY_YEAR = "2021-2022"    # exam results known only as summaries
EXAM = "tuyen_sinh_10"
SUBJECTS = ["toan", "ngu_van", "tieng_anh"]

COMMUNE = "Phường Hòa Bình"
DISTRICT = "Thành phố Biên Hòa"
PROVINCE = "Tỉnh Đồng Nai"

PLAN_2024 = "Kế hoạch số 123/KH-UBND ngày 15/8/2024 của UBND phường Hòa Bình"
PLAN_2025 = "Kế hoạch số 187/KH-UBND ngày 18/8/2025 của UBND phường Hòa Bình"
PLAN_2030 = ("Nghị quyết số 05-NQ/ĐU ngày 10/3/2021 của Đảng ủy phường Hòa Bình"
             " (giai đoạn 2021-2030)")

PRESCHOOL_GRADES = ["nha_tre", "mg_3", "mg_4", "mg_5"]
PRIMARY_GRADES = ["1", "2", "3", "4", "5"]
LOWER_SEC_GRADES = ["6", "7", "8", "9"]
GRADES = {"mam_non": PRESCHOOL_GRADES, "tieu_hoc": PRIMARY_GRADES,
          "thcs": LOWER_SEC_GRADES}

# id, name, level, ownership, sites, sessions_per_day
SCHOOLS = [
    ("MN01", "Trường Mầm non Hoa Sen", "mam_non", "cong_lap", 1, 2),
    ("MN02", "Trường Mầm non Hoa Mai", "mam_non", "cong_lap", 1, 2),
    ("MN03", "Trường Mầm non Sơn Ca", "mam_non", "cong_lap", 2, 2),
    ("MN04", "Trường Mầm non tư thục Ánh Dương", "mam_non", "tu_thuc", 1, 2),
    ("MN05", "Trường Mầm non tư thục Thỏ Ngọc", "mam_non", "tu_thuc", 1, 2),
    ("TH01", "Trường Tiểu học Lê Lợi", "tieu_hoc", "cong_lap", 1, 2),
    ("TH02", "Trường Tiểu học Kim Đồng", "tieu_hoc", "cong_lap", 1, 2),
    ("TH03", "Trường Tiểu học Trần Quốc Toản", "tieu_hoc", "cong_lap", 2, 1),
    ("THCS01", "Trường THCS Nguyễn Du", "thcs", "cong_lap", 1, 1),
    ("THCS02", "Trường THCS Chu Văn An", "thcs", "cong_lap", 1, 1),
]
REGION = 1
SCHOOL_LEVEL = {s[0]: s[2] for s in SCHOOLS}
SCHOOL_OWN = {s[0]: s[3] for s in SCHOOLS}

# Preschool: children of the youngest group each year, then children joining
# each older group (negative: leaving, e.g. for a public school), and the
# usual group size per age group.
PRESCHOOL = {
    "MN01": dict(intake=[72, 74, 75, 77, 76], join=[44, 14, 10]),
    "MN02": dict(intake=[66, 70, 69, 72, 71], join=[42, 12, 8]),
    "MN03": dict(intake=[58, 60, 61, 60, 62], join=[40, 12, 8]),
    "MN04": dict(intake=[88, 90, 92, 90, 93], join=[30, -8, -20]),
    "MN05": dict(intake=[20, 21, 20, 22, 21], join=[6, -2, -4]),
}
# Largest group a school opens before splitting it (the charter's maxima are
# 25 / 25 / 30 / 35; urban schools run a little over them).
PRESCHOOL_GROUP = {"nha_tre": 25, "mg_3": 27, "mg_4": 31, "mg_5": 36}

# Primary / lower secondary: new pupils of the first grade each year, pupils
# in the other grades in 2020-2021, and the usual class size of the school.
GENERAL = {
    "TH01": dict(intake=[232, 238, 244, 240, 246], first=[228, 222, 216, 210],
                 size=40),
    "TH02": dict(intake=[176, 180, 178, 182, 185], first=[174, 170, 168, 165],
                 size=36),
    "TH03": dict(intake=[168, 172, 175, 170, 176], first=[166, 160, 158, 155],
                 size=44),
    "THCS01": dict(intake=[262, 258, 262, 255, 265], first=[258, 252, 246],
                   size=44),
    "THCS02": dict(intake=[205, 210, 208, 212, 215], first=[200, 196, 190],
                   size=42),
}
# Yearly rates of the end-of-year outcomes.
RATES = {
    "tieu_hoc": dict(rep={"1": 0.008, "2": 0.004}, rep_other=0.002,
                     drop=0.0005, retest=0.0),
    "THCS01": dict(rep={}, rep_other=0.003, drop=0.002, retest=0.012),
    "THCS02": dict(rep={}, rep_other=0.004, drop=0.0035, retest=0.020),
}

# School-years known only as the school's total (grade "all"): the small
# private school before it joined the database, and THCS01's first year,
# whose per-grade sheet was lost.
TOTALS_ONLY = {("MN05", "2020-2021"), ("MN05", "2021-2022"),
               ("THCS01", "2020-2021")}

# Teachers per class each school keeps (the norm is 1.5 / 1.2 / 1.9 / 2.2-2.5)
TEACHER_RATIO = {"MN01": 2.0, "MN02": 2.3, "MN03": 1.95, "MN04": 2.1,
                 "MN05": 2.0, "TH01": 1.38, "TH02": 1.53, "TH03": 1.26,
                 "THCS01": 1.95, "THCS02": 1.76}

# The level:mam_non promotion rate of 2024-2025 is built to be 1798/1800 =
# 99.888...%, just below the 99.9 target (a borderline case).
MN_2025_ENROLLED = 1800
MN_2025_NOT_MET = 2

PLANTED = []  # (file, line, description) filled in while writing


def binom(rng, n, p):
    """Binomial draw by counting successes (random.binomialvariate is 3.12+)."""
    return sum(1 for _ in range(n) if rng.random() < p)


# ---------------------------------------------------------------- simulation

def simulate_preschool(rng, sid, yi_count):
    """start[y][g], enrolled (end of year), promoted, repeated, dropped."""
    p = PRESCHOOL[sid]
    start, out = [], []
    for y in range(yi_count):
        s = {}
        for gi, g in enumerate(PRESCHOOL_GRADES):
            if gi == 0:
                s[g] = p["intake"][y] + rng.randint(-2, 2)
            elif y == 0:
                base = p["intake"][0] + sum(p["join"][:gi])
                s[g] = base + rng.randint(-3, 3)
            else:
                prev = out[y - 1][PRESCHOOL_GRADES[gi - 1]]
                # children move up by age whatever their assessment
                s[g] = (prev["enrolled"] - prev["dropped"] + p["join"][gi - 1]
                        + rng.randint(-2, 2))
        start.append(s)
        o = {}
        for g in PRESCHOOL_GRADES:
            enrolled = s[g] + rng.choice([-1, 0, 0, 0, 0, 1])
            rep = binom(rng, enrolled, 0.004)
            drop = binom(rng, enrolled, 0.0015)
            o[g] = dict(enrolled=enrolled, promoted=enrolled - rep - drop,
                        repeated=rep, dropped=drop, summer_retest=None,
                        completed=None)
        out.append(o)
    return start, out


def simulate_general(rng, sid, level, yi_count):
    p = GENERAL[sid]
    grades = GRADES[level]
    rates = RATES[level] if level == "tieu_hoc" else RATES[sid]
    start, out = [], []
    for y in range(yi_count):
        s = {}
        for gi, g in enumerate(grades):
            if y == 0:
                s[g] = p["intake"][0] if gi == 0 else p["first"][gi - 1]
                continue
            prev = out[y - 1]
            # repeaters of this grade stay; pupils who failed the summer
            # retest repeat as well
            stay = prev[g]["repeated"] + prev[g].get("retest_fail", 0)
            if gi == 0:
                s[g] = p["intake"][y] + stay
            else:
                below = prev[grades[gi - 1]]
                moved = below["promoted"] + below.get("retest_pass", 0)
                s[g] = moved + stay + rng.randint(-2, 3)
        start.append(s)
        o = {}
        for g in grades:
            enrolled = s[g] + rng.choice([-1, 0, 0, 0, 0, 1])
            rep = binom(rng, enrolled, rates["rep"].get(g, rates["rep_other"]))
            drop = binom(rng, enrolled, rates["drop"])
            retest = binom(rng, enrolled, rates["retest"] * (
                0.5 if g == "9" else 1.0)) if level == "thcs" else 0
            promoted = enrolled - rep - drop - retest
            final = g == grades[-1]
            row = dict(enrolled=enrolled, promoted=promoted, repeated=rep,
                       dropped=drop,
                       summer_retest=retest if level == "thcs" else None,
                       completed=promoted if final else None)
            if level == "thcs":
                row["retest_pass"] = int(round(retest * 0.8))
                row["retest_fail"] = retest - row["retest_pass"]
            o[g] = row
        out.append(o)
    return start, out


def classes_for(students, size):
    return max(1, int(math.floor(students / size + 0.5)))


def cohort_share(rng, lo, hi):
    return lo + (hi - lo) * rng.random()


def build_enrollment(rng, starts):
    """Rows (year, sid, grade, classes, students, female, em, disabled)."""
    shares = {}

    def share(sid, kind, cohort, lo, hi):
        key = (sid, kind, cohort)
        if key not in shares:
            shares[key] = cohort_share(rng, lo, hi)
        return shares[key]

    rows = []
    for y, year in enumerate(YEARS):
        for sid, _n, level, _o, _s, _spd in SCHOOLS:
            grades = GRADES[level]
            cells = []
            for gi, g in enumerate(grades):
                st = starts[sid][y][g]
                if sid == "MN05":
                    cls = 1  # one group per age group
                elif level == "mam_non":
                    cls = -(-st // PRESCHOOL_GROUP[g])
                else:
                    cls = classes_for(st, GENERAL[sid]["size"])
                cohort = y - gi
                fem = int(round(st * share(sid, "f", cohort, 0.46, 0.51)))
                em = int(round(st * share(sid, "e", cohort, 0.004, 0.028)))
                dis_hi = 0.004 if level == "mam_non" else 0.011
                dis = int(round(st * share(sid, "d", cohort, 0.0, dis_hi)))
                cells.append([year, sid, g, cls, st, fem, em, dis])
            if (sid, year) in TOTALS_ONLY:
                tot = [year, sid, "all"] + [sum(c[i] for c in cells)
                                            for i in range(3, 8)]
                rows.append(tot)
            else:
                rows.extend(cells)
    return rows


def fix_mam_non_2025(outs):
    """Make the level:mam_non figures of 2024-2025 exactly 1798 / 1800."""
    y = len(YEARS) - 1
    cells = [(sid, g) for sid in PRESCHOOL for g in PRESCHOOL_GRADES]
    for sid, g in cells:
        c = outs[sid][y][g]
        c["repeated"] = 0
        c["dropped"] = 0
    total = sum(outs[sid][y][g]["enrolled"] for sid, g in cells)
    diff = MN_2025_ENROLLED - total
    if abs(diff) > 2 * len(cells):
        raise SystemExit("gen_sample: preschool 2024-2025 total %d too far "
                         "from %d" % (total, MN_2025_ENROLLED))
    step = 1 if diff > 0 else -1
    i = 0
    while diff != 0:
        sid, g = cells[i % len(cells)]
        outs[sid][y][g]["enrolled"] += step
        diff -= step
        i += 1
    for sid, g in (("MN03", "mg_3"), ("MN04", "nha_tre")):
        outs[sid][y][g]["repeated"] = 1
    for sid, g in cells:
        c = outs[sid][y][g]
        c["promoted"] = c["enrolled"] - c["repeated"] - c["dropped"]


# ---------------------------------------------------------------- exams

def grid(x):
    """Round to the 0.25 grid of the entrance exam, clipped to 0..10."""
    x = min(10.0, max(0.0, x))
    return round(x * 4) / 4


def draw_candidate(rng, effect):
    toan = grid(rng.gauss(6.3 + effect, 1.8))
    van = grid(rng.gauss(6.7 + effect * 0.5, 1.15))
    if rng.random() < 0.14:
        anh = grid(rng.gauss(2.6, 1.1))       # the long left tail
    else:
        anh = grid(rng.gauss(5.7 + effect * 1.4, 1.8))
    return [toan, van, anh]


EXAM_EFFECT = {"THCS01": 0.25, "THCS02": -0.25}
EXAM_SHARE = {"THCS01": 0.86, "THCS02": 0.80}


def exam_candidates(rng, outs, year_index):
    """(school, scores) of the candidates of one year, in sbd order."""
    pool = []
    for sid in ("THCS01", "THCS02"):
        leavers = outs[sid][year_index]["9"]["completed"]
        n = int(round(leavers * EXAM_SHARE[sid])) + rng.randint(-4, 4)
        n = min(n, leavers)
        for _ in range(n):
            sc = draw_candidate(rng, EXAM_EFFECT[sid])
            for k in range(3):
                if rng.random() < 0.005:
                    sc[k] = None             # did not sit this subject
            pool.append((rng.random(), sid, sc))
    pool.sort(key=lambda t: t[0])            # sbd follows the name order
    absent = rng.randrange(len(pool))
    pool[absent] = (pool[absent][0], pool[absent][1], [None, None, None])
    return [(sid, sc) for _k, sid, sc in pool]


def fmt_score(v):
    if v is None:
        return ""
    if v == int(v):
        return str(int(v))
    return ("%.2f" % v).rstrip("0")


def summary_stats(values):
    n = len(values)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    passed = sum(1 for v in values if v >= 5.0)
    return n, mean, sd, 100.0 * passed / n


def fmt_dec(x, places):
    s = ("%." + str(places) + "f") % x
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


# ---------------------------------------------------------------- staffing

MANAGERS = {"MN01": 3, "MN02": 3, "MN03": 3, "MN04": 3, "MN05": 2,
            "TH01": 3, "TH02": 3, "TH03": 2, "THCS01": 3, "THCS02": 3}


def build_staffing(rng, classes_by):
    rows = []
    for y in range(2, len(YEARS)):
        year = YEARS[y]
        for sid, _n, level, own, _s, _spd in SCHOOLS:
            cls = classes_by[(year, sid)]
            ratio = TEACHER_RATIO[sid] + rng.choice([-0.02, 0.0, 0.0, 0.02])
            teachers = int(round(cls * ratio))
            mgr = MANAGERS[sid]
            if own == "tu_thuc":
                staff_c = 6 if sid == "MN04" else 3
                rows.append([year, sid, "manager", 0, mgr, None])
                rows.append([year, sid, "teacher", 0, teachers, None])
                rows.append([year, sid, "staff", 0, staff_c, None])
                continue
            # public: posts are allotted (quota), some stay vacant and are
            # covered by contract staff
            mgr_perm = mgr - (1 if (sid == "TH03" and y == 2) else 0)
            rows.append([year, sid, "manager", mgr_perm, 0, mgr])
            perm_share = 0.84 + 0.08 * rng.random()
            t_perm = int(round(teachers * perm_share))
            t_quota = t_perm + rng.randint(2, 5)
            rows.append([year, sid, "teacher", t_perm, teachers - t_perm,
                         t_quota])
            if level == "mam_non":
                s_quota, s_perm, s_con = 4, rng.randint(2, 3), 8 + cls // 4
            elif level == "tieu_hoc":
                s_quota, s_perm, s_con = 5, rng.randint(3, 4), 3
            else:
                s_quota, s_perm, s_con = 6, rng.randint(4, 5), 3
            rows.append([year, sid, "staff", s_perm, s_con, s_quota])
    return rows


# ---------------------------------------------------------------- output

TABLES = ["schools", "enrollment", "promotion", "exam_scores", "exam_summary",
          "staffing", "targets", "accreditation"]

HEADERS = {
    "schools": ["school_id", "name", "level", "ownership", "commune",
                "district", "province", "sites", "sessions_per_day",
                "region"],
    "enrollment": ["year", "school_id", "grade", "classes", "students",
                   "female", "ethnic_minority", "disabled"],
    "promotion": ["year", "school_id", "grade", "enrolled", "promoted",
                  "repeated", "dropped", "summer_retest", "completed"],
    "exam_scores": ["year", "exam", "candidate_id", "school_id"] + SUBJECTS,
    "exam_summary": ["year", "exam", "school_id", "subject", "candidates",
                     "mean", "sd", "pass_rate"],
    "staffing": ["year", "school_id", "role", "permanent", "contract",
                 "quota"],
    "targets": ["year", "scope", "indicator", "op", "target", "deadline",
                "source"],
    "accreditation": ["school_id", "quality_level", "standard_level",
                      "recognized_on", "kind", "next_due", "note"],
}

# Vietnamese headers of the vi-VN export: the contract's aliases where one
# exists (with varied case, and once without diacritics), else canonical.
VI_HEADERS = {
    "schools": ["Mã trường", "Tên trường", "Cấp học", "ownership", "commune",
                "district", "province", "sites", "sessions_per_day",
                "region"],
    "enrollment": ["NĂM HỌC", "MÃ TRƯỜNG", "KHỐI", "SỐ LỚP", "SỐ HỌC SINH",
                   "female", "ethnic_minority", "disabled"],
    "promotion": ["Năm học", "Mã trường", "Khối", "enrolled", "Lên lớp",
                  "Lưu ban", "Bỏ học", "summer_retest", "completed"],
    "exam_scores": ["năm học", "exam", "số báo danh", "mã trường"] + SUBJECTS,
    "exam_summary": ["Năm Học", "exam", "Mã Trường", "subject", "candidates",
                     "mean", "sd", "pass_rate"],
    "staffing": ["Năm học", "Mã trường", "role", "Biên chế", "Hợp đồng",
                 "quota"],
    "targets": ["Năm học", "scope", "indicator", "op", "target", "deadline",
                "source"],
    "accreditation": ["Ma truong", "quality_level", "standard_level",
                      "recognized_on", "kind", "next_due", "note"],
}

# Column kinds, for the Vietnamese number style: 'i' whole number, 'r' real,
# anything else is text written as is.
KINDS = {
    "schools": "tttttttiii",
    "enrollment": "tttiiiii",
    "promotion": "tttiiiiii",
    "exam_scores": "ttttrrr",
    "exam_summary": "ttttirrr",
    "staffing": "tttiii",
    "targets": "ttttrtt",
    "accreditation": "tiitttt",
}


def vi_int(s):
    neg = s.startswith("-")
    d = s[1:] if neg else s
    groups = []
    while len(d) > 3:
        groups.insert(0, d[-3:])
        d = d[:-3]
    groups.insert(0, d)
    return ("-" if neg else "") + ".".join(groups)


def vi_number(s, kind):
    """Plain English-style number text -> vi-VN Excel text."""
    if s == "" or kind == "t":
        return s
    pct = ""
    if s.endswith("%"):
        s, pct = s[:-1], "%"
    if "." in s:
        ip, fp = s.split(".")
        return vi_int(ip) + "," + fp + pct
    return vi_int(s) + pct


def cell(v):
    if v is None:
        return ""
    return str(v)


def write_csv(path, header, rows, vi):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";" if vi else ",",
                   lineterminator="\r\n" if vi else "\n",
                   quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    data = buf.getvalue().encode("utf-8")
    if vi:
        data = b"\xef\xbb\xbf" + data
    with open(path, "wb") as f:
        f.write(data)


# ---------------------------------------------------------------- main

def generate():
    rng = random.Random(SEED)
    starts, outs = {}, {}
    for sid, _n, level, _o, _s, _spd in SCHOOLS:
        if level == "mam_non":
            starts[sid], outs[sid] = simulate_preschool(rng, sid, len(YEARS))
        else:
            starts[sid], outs[sid] = simulate_general(rng, sid, level,
                                                      len(YEARS))
    fix_mam_non_2025(outs)

    t = {}
    t["schools"] = [[sid, name, level, own, COMMUNE, DISTRICT, PROVINCE,
                     sites, spd, REGION]
                    for sid, name, level, own, sites, spd in SCHOOLS]

    enr = build_enrollment(rng, starts)
    classes_by = {}
    for r in enr:
        classes_by[(r[0], r[1])] = classes_by.get((r[0], r[1]), 0) + r[3]
    t["enrollment"] = enr

    prom = []
    for y in range(2, len(YEARS)):
        for sid, _n, level, _o, _s, _spd in SCHOOLS:
            for g in GRADES[level]:
                o = outs[sid][y][g]
                prom.append([YEARS[y], sid, g, o["enrolled"], o["promoted"],
                             o["repeated"], o["dropped"], o["summer_retest"],
                             o["completed"]])
    t["promotion"] = prom

    scores = []
    for y in range(2, len(YEARS)):
        cands = exam_candidates(rng, outs, y)
        for i, (sid, sc) in enumerate(cands):
            sbd = "07%06d" % (101 + i)
            scores.append([YEARS[y], EXAM, sbd, sid] + [fmt_score(v)
                                                       for v in sc])
    t["exam_scores"] = scores

    summ = []
    ysum = YEARS.index(SUMMARY_YEAR)
    cands = exam_candidates(rng, outs, ysum)
    for sid in ("THCS01", "THCS02"):
        for k, subj in enumerate(SUBJECTS):
            vals = [sc[k] for s, sc in cands if s == sid and sc[k] is not None]
            n, mean, sd, pr = summary_stats(vals)
            summ.append([SUMMARY_YEAR, EXAM, sid, subj, n, fmt_dec(mean, 2),
                         fmt_dec(sd, 2), fmt_dec(pr, 1)])
    t["exam_summary"] = summ

    t["staffing"] = build_staffing(rng, classes_by)
    t["targets"] = build_targets(t)
    t["accreditation"] = ACCREDITATION
    plant(t)
    return t


def level_total(table_rows, year, level, col_idx, schools=None):
    return sum(r[col_idx] for r in table_rows
               if r[0] == year and SCHOOL_LEVEL.get(r[1]) == level
               and (schools is None or r[1] in schools))


def build_targets(t):
    """The ward plan's targets. Figures of the '=' targets are the plan's own
    planned scale; they are taken from the simulated actuals where the plan
    is meant to be met exactly."""
    last = YEARS[-1]
    by_2030 = "2029-2030"
    th_classes = level_total(t["enrollment"], last, "tieu_hoc", 3)
    th_students = level_total(t["enrollment"], last, "tieu_hoc", 4)
    thcs_students = level_total(t["enrollment"], last, "thcs", 4)
    rows = [
        [last, "level:tieu_hoc", "promotion_rate", ">=", "99.5", None,
         PLAN_2024],
        [last, "TH01", "promotion_rate", ">=", "98", None, PLAN_2024],
        [last, "TH02", "promotion_rate", ">=", "98", None, PLAN_2024],
        [last, "TH03", "promotion_rate", ">=", "98", None, PLAN_2024],
        [last, "level:thcs", "promotion_rate", ">=", "97", None, PLAN_2024],
        [last, "THCS01", "promotion_rate", ">=", "97", None, PLAN_2024],
        [last, "THCS02", "promotion_rate", ">=", "97.5", None, PLAN_2024],
        [last, "level:thcs", "dropout_rate", "<=", "0.5", None, PLAN_2024],
        [last, "THCS02", "dropout_rate", "<=", "0.3", None, PLAN_2024],
        [last, "level:mam_non", "promotion_rate", ">=", "99.9", None,
         PLAN_2024],
        [last, "TH01", "completion_rate", ">=", "99", None, PLAN_2024],
        [last, "all", "exam_mean:toan", ">=", "6", None, PLAN_2024],
        [last, "all", "exam_mean:tieng_anh", ">=", "4.95", None, PLAN_2024],
        [last, "THCS02", "exam_mean:tieng_anh", ">=", "5.5", None, PLAN_2024],
        [last, "all", "exam_low_rate:tieng_anh", "<=", "1", None, PLAN_2024],
        [last, "level:thcs", "teachers_per_class", ">=", "1.9", None,
         PLAN_2024],
        [last, "level:tieu_hoc", "students_per_class", "<=", "35", None,
         PLAN_2024],
        [last, "level:tieu_hoc", "classes", "=", str(th_classes), None,
         PLAN_2024],
        [last, "all", "permanent_staff_fill", ">=", "95", None, PLAN_2024],
        ["2025-2026", "level:tieu_hoc", "students", "=",
         str(th_students + 24), None, PLAN_2025],
        ["2025-2026", "level:thcs", "students", "=", str(thcs_students + 15),
         None, PLAN_2025],
        ["2025-2026", "level:tieu_hoc", "students_per_class", "<=", "35",
         None, PLAN_2025],
        ["2025-2026", "level:thcs", "teachers_per_class", ">=", "1.9", None,
         PLAN_2025],
        ["2025-2026", "all", "exam_mean:tieng_anh", ">=", "5", None,
         PLAN_2025],
        # multi-year targets: due in the school year ending in the deadline
        [by_2030, "all", "standard_school_share", ">=", "84", 2030,
         PLAN_2030],
        [by_2030, "all", "permanent_staff_fill", ">=", "100%", 2030,
         PLAN_2030],
        [by_2030, "level:tieu_hoc", "students_per_class", "<=", "35", 2030,
         PLAN_2030],
        [by_2030, "level:tieu_hoc", "completion_rate", ">=", "99", 2030,
         PLAN_2030],
        [by_2030, "all", "exam_mean:tieng_anh", ">=", "5.5", 2030,
         PLAN_2030],
    ]
    return rows


# school_id, quality_level, standard_level, recognized_on, kind, next_due, note
ACCREDITATION = [
    ["MN01", 2, 1, "2016-05-12", "first", None,
     "Quyết định số 1045/QĐ-UBND"],
    ["MN01", 3, 1, "2021-06-10", "renewal", "2026-05-15",
     "Quyết định số 2210/QĐ-UBND; công nhận lại"],
    ["MN02", 2, 1, "2020-02-29", "first", "2025-11-20",
     "Hết hiệu lực 28/02/2025, hồ sơ công nhận lại đang thẩm định"],
    ["MN03", 1, 0, "2019-11-20", "first", "2025-12-01",
     "Chưa đạt chuẩn quốc gia, phấn đấu mức độ 1 năm 2026"],
    ["MN04", 2, 1, "2022-12-05", "first", "2027-11-30",
     "Trường tư thục"],
    ["TH01", 2, 1, "2013-04-25", "first", None, ""],
    ["TH01", 3, 2, "2018-05-20", "renewal", None,
     "Công nhận lại, nâng lên mức độ 2"],
    ["TH01", 3, 2, "2023-05-16", "renewal", "2028-04-30", ""],
    ["TH02", 2, 1, "2017-03-15", "first", None, ""],
    ["TH02", 2, 1, "2022-03-10", "renewal", "2027-02-28", ""],
    ["TH03", 1, 0, "2015-10-08", "first", None, ""],
    ["TH03", 2, 1, "2021-01-20", "renewal", "2025-12-10",
     "Đánh giá ngoài lần 2, đạt chuẩn quốc gia mức độ 1"],
    ["THCS01", 2, 1, "2014-12-18", "first", None, ""],
    ["THCS01", 3, 1, "2019-12-25", "renewal", None, ""],
    ["THCS01", 3, 2, "2024-12-20", "renewal", "2029-11-30",
     "Công nhận lại trước khi hết hạn"],
    ["THCS02", 2, 1, "2020-09-30", "first", "2025-09-15", ""],
]


def find_line(rows, pred):
    for i, r in enumerate(rows):
        if pred(r):
            return i + 2  # line 1 is the header
    raise SystemExit("gen_sample: planted row not found")


def plant(t):
    """The deliberate mistakes; each is documented in data/README.md."""
    # 1. enrollment: school id typed with a lower-case L instead of a one
    enr = t["enrollment"]
    ln = find_line(enr, lambda r: r[0] == "2022-2023" and r[1] == "TH01"
                   and r[2] == "3")
    enr[ln - 2][1] = "TH0l"
    PLANTED.append(("enrollment.csv", ln, "school id 'TH0l'"))
    # 2. enrollment: a school-year with pupils but 0 classes
    ln = find_line(enr, lambda r: r[0] == "2021-2022" and r[1] == "MN05")
    enr[ln - 2][3] = 0
    PLANTED.append(("enrollment.csv", ln, "students but 0 classes"))
    # 3. promotion: the outcomes do not add up to the pupils enrolled
    prom = t["promotion"]
    ln = find_line(prom, lambda r: r[0] == "2023-2024" and r[1] == "THCS02"
                   and r[2] == "7")
    prom[ln - 2][3] += 2
    PLANTED.append(("promotion.csv", ln, "outcomes sum != enrolled"))
    # 4. exam_scores: 8.5 typed without its decimal mark
    sc = t["exam_scores"]
    ln = find_line(sc, lambda r: r[0] == "2023-2024" and r[5] == "8.5"
                   and int(r[2]) > 7000150)
    sc[ln - 2][5] = "85"
    PLANTED.append(("exam_scores.csv", ln, "ngu_van 85"))
    # 5. staffing: the same key entered twice, with a different figure,
    # appended at the end of the file
    st = t["staffing"]
    ln = find_line(st, lambda r: r[0] == "2023-2024" and r[1] == "TH02"
                   and r[2] == "teacher")
    dup = list(st[ln - 2])
    dup[4] += 1
    st.append(dup)
    PLANTED.append(("staffing.csv", len(st) + 1,
                    "duplicate of line %d" % ln))
    # 6. targets: the level target contradicts every school's target
    ln = find_line(t["targets"], lambda r: r[1] == "level:tieu_hoc"
                   and r[2] == "promotion_rate")
    PLANTED.append(("targets.csv", ln, "level 99.5 vs schools 98"))


def write_all(root, t):
    sample = os.path.join(root, "data", "sample")
    vi_dir = os.path.join(root, "tests", "data", "vi_export")
    os.makedirs(sample, exist_ok=True)
    os.makedirs(vi_dir, exist_ok=True)
    for name in TABLES:
        rows = [[cell(v) for v in r] for r in t[name]]
        write_csv(os.path.join(sample, name + ".csv"), HEADERS[name], rows,
                  False)
        kinds = KINDS[name]
        assert len(kinds) == len(HEADERS[name]), name
        vrows = [[vi_number(v, kinds[i]) for i, v in enumerate(r)]
                 for r in rows]
        write_csv(os.path.join(vi_dir, name + ".csv"), VI_HEADERS[name],
                  vrows, True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), ".."))
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()
    t = generate()
    write_all(a.root, t)
    if not a.quiet:
        for f, ln, what in PLANTED:
            print("planted: %s:%d: %s" % (f, ln, what))
        for name in TABLES:
            print("%s: %d rows" % (name, len(t[name])))
    return 0


if __name__ == "__main__":
    sys.exit(main())

/* accr — dates, rules, the register of recognitions, the state of a school
 * at a date, counts per group, the schedule row and the trajectory. */
#include "accr.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "field.h"

/* ------------------------------------------------------------ dates */

/* Days from civil and back after Howard Hinnant's "chrono-compatible
 * low-level date algorithms": exact for every proleptic Gregorian day,
 * without tables or time zones (mktime would bring both). */
accr_day accr_day_from_ymd(int y, int m, int d)
{
	long yy = (long)y - (m <= 2);
	long era = (yy >= 0 ? yy : yy - 399) / 400;
	long yoe = yy - era * 400;
	long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void accr_day_to_ymd(accr_day day, int *y, int *m, int *d)
{
	long z = day + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	int mm = (int)(mp < 10 ? mp + 3 : mp - 9);

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = mm;
	*y = (int)(yoe + era * 400 + (mm <= 2));
}

int accr_day_parse(const char *s, accr_day *out)
{
	int y, m, d;

	if (!s || !field_parse_iso_date(s, &y, &m, &d))
		return 0;
	*out = accr_day_from_ymd(y, m, d);
	return 1;
}

const char *accr_day_format(accr_day day, char *buf, size_t size)
{
	int y, m, d;

	accr_day_to_ymd(day, &y, &m, &d);
	snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
	return buf;
}

static int days_in_month(int y, int m)
{
	static const int n[12] = { 31, 28, 31, 30, 31, 30,
				   31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : n[m - 1];
}

accr_day accr_add_months(accr_day day, int months)
{
	int y, m, d, last;
	long idx;

	accr_day_to_ymd(day, &y, &m, &d);
	idx = (long)y * 12 + (m - 1) + months;
	/* floor division: months before year 0 stay in range */
	y = (int)(idx >= 0 ? idx / 12 : -((-idx + 11) / 12));
	m = (int)(idx - (long)y * 12) + 1;
	last = days_in_month(y, m);
	return accr_day_from_ymd(y, m, d > last ? last : d);
}

/* ------------------------------------------------------------ rules */

void accr_options_default(accr_options *o)
{
	o->rules_2026_from = accr_day_from_ymd(2026, 7, 7);
	o->validity_months[ACCR_RULES_2018] = 60;
	o->validity_months[ACCR_RULES_2026] = 60;
	o->register_months[ACCR_RULES_2018] = 5;
	o->register_months[ACCR_RULES_2026] = 5;
	o->year_end_month = 5;
	o->year_end_day = 31;
}

accr_rules_id accr_rules_for(const accr_options *o, accr_day recognized_on)
{
	return recognized_on >= o->rules_2026_from ? ACCR_RULES_2026
						   : ACCR_RULES_2018;
}

const char *accr_rules_name(accr_rules_id r)
{
	return r == ACCR_RULES_2026 ? "2026" : "2018";
}

accr_day accr_expires_on(const accr_options *o, accr_day recognized_on)
{
	accr_rules_id r = accr_rules_for(o, recognized_on);

	return accr_add_months(recognized_on, o->validity_months[r]);
}

accr_day accr_register_by(const accr_options *o, accr_day recognized_on)
{
	accr_rules_id r = accr_rules_for(o, recognized_on);

	/* counted back from the expiry, not forward from the recognition:
	 * 2020-02-29 expires 2025-02-28, so the deadline is 2024-09-28 */
	return accr_add_months(accr_expires_on(o, recognized_on),
			       -o->register_months[r]);
}

accr_day accr_year_end(const accr_options *o, int start)
{
	int last = days_in_month(start + 1, o->year_end_month);
	int d = o->year_end_day > last ? last : o->year_end_day;

	return accr_day_from_ymd(start + 1, o->year_end_month, d);
}

int accr_year_of(const accr_options *o, accr_day day)
{
	int y, m, d, start;

	accr_day_to_ymd(day, &y, &m, &d);
	start = y - 1;
	if (day > accr_year_end(o, start))
		start++;
	return start;
}

/* ------------------------------------------------------------ register */

void accr_register_init(accr_register *r)
{
	memset(r, 0, sizeof *r);
	strmap_init(&r->index);
}

void accr_register_release(accr_register *r)
{
	if (!r)
		return;
	free(r->school);
	free(r->rec);
	strmap_release(&r->index);
	accr_register_init(r);
}

long accr_register_find(const accr_register *r, const char *id)
{
	long v;

	return id && strmap_get(&r->index, id, &v) ? v : -1;
}

static ss_status need_cols(const ctable *t, const char *const *names,
			   int *cols, ss_error *e)
{
	size_t i;

	for (i = 0; names[i]; i++) {
		cols[i] = ctable_col(t, names[i]);
		if (cols[i] < 0)
			return err_set(e, SS_EDATA, t->path, 1, 0,
				       "missing column '%s' (expected the clean "
				       "table's columns)",
				       names[i]);
	}
	return SS_OK;
}

static long src_line_of(const ctable *t, size_t row)
{
	long long v = 0;

	if (ctable_get_ll(t, row, ctable_col(t, "src_line"), &v) != 1)
		return 0;
	return (long)v;
}

/* 1-based column of col in the clean file, for messages. */
static long col_pos(int col)
{
	return col < 0 ? 0 : col + 1;
}

static ss_status load_schools(accr_register *r, const ctable *t, ss_error *e)
{
	static const char *const names[] = { "school_id", "name", "level",
					     "ownership", NULL };
	int c[4];
	size_t i;
	ss_status st = need_cols(t, names, c, e);

	if (st != SS_OK)
		return st;
	r->school = calloc(t->nrows ? t->nrows : 1, sizeof *r->school);
	if (!r->school)
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	for (i = 0; i < t->nrows; i++) {
		accr_school *s = &r->school[r->nschools];
		int put = strmap_put(&r->index, ctable_get(t, i, c[0]),
				     (long)r->nschools, NULL);

		if (put < 0)
			return err_set(e, SS_ENOMEM, NULL, 0, 0,
				       "out of memory");
		if (put == 0)
			continue; /* a repeated id keeps its first row */
		s->id = ctable_get(t, i, c[0]);
		s->name = ctable_get(t, i, c[1]);
		s->level = ctable_get(t, i, c[2]);
		s->ownership = ctable_get(t, i, c[3]);
		s->is_public = strcmp(s->ownership, "cong_lap") == 0;
		s->src_line = src_line_of(t, i);
		r->nschools++;
	}
	return SS_OK;
}

static ss_status bad_cell(const ctable *t, size_t row, int col,
			  const char *expected, ss_error *e)
{
	return err_set(e, SS_EDATA, t->path, t->lines ? t->lines[row] : 0,
		       col_pos(col), "bad %s '%s' (expected %s)",
		       t->header[col], ctable_get(t, row, col), expected);
}

static ss_status parse_level(const ctable *t, size_t row, int col, int max,
			     int *out, ss_error *e)
{
	long long v;

	if (ctable_get_ll(t, row, col, &v) != 1 || v < 0 || v > max)
		return bad_cell(t, row, col,
				max == 4 ? "a level 0 to 4" : "a level 0 to 2",
				e);
	*out = (int)v;
	return SS_OK;
}

/* Parses row of accreditation.csv into *out (school set by the caller). */
static ss_status parse_recognition(const ctable *t, size_t row, const int *c,
				   accr_recognition *out, ss_error *e)
{
	const char *kind = ctable_get(t, row, c[4]);
	const char *due = ctable_get(t, row, c[5]);
	ss_status st;

	st = parse_level(t, row, c[1], 4, &out->quality, e);
	if (st == SS_OK)
		st = parse_level(t, row, c[2], 2, &out->standard, e);
	if (st != SS_OK)
		return st;
	if (!accr_day_parse(ctable_get(t, row, c[3]), &out->recognized_on))
		return bad_cell(t, row, c[3], "an ISO date YYYY-MM-DD", e);
	if (strcmp(kind, "first") == 0)
		out->kind = ACCR_FIRST;
	else if (strcmp(kind, "renewal") == 0)
		out->kind = ACCR_RENEWAL;
	else
		return bad_cell(t, row, c[4], "first or renewal", e);
	out->has_next_due = *due != '\0';
	out->next_due = 0;
	if (out->has_next_due && !accr_day_parse(due, &out->next_due))
		return bad_cell(t, row, c[5], "an ISO date YYYY-MM-DD or empty",
				e);
	out->src_line = src_line_of(t, row);
	return SS_OK;
}

static int rec_cmp(const void *a, const void *b)
{
	const accr_recognition *x = a, *y = b;

	if (x->school != y->school)
		return x->school < y->school ? -1 : 1;
	if (x->recognized_on != y->recognized_on)
		return x->recognized_on < y->recognized_on ? -1 : 1;
	/* the same day twice (ingest rejects it): the later line wins */
	if (x->src_line != y->src_line)
		return x->src_line < y->src_line ? -1 : 1;
	return 0;
}

static ss_status load_recognitions(accr_register *r, const ctable *t,
				   diag_sink *diag, ss_error *e)
{
	static const char *const names[] = { "school_id", "quality_level",
					     "standard_level", "recognized_on",
					     "kind", "next_due", NULL };
	int c[6];
	size_t i;
	ss_status st = need_cols(t, names, c, e);

	if (st != SS_OK)
		return st;
	r->rec = calloc(t->nrows ? t->nrows : 1, sizeof *r->rec);
	if (!r->rec)
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	for (i = 0; i < t->nrows; i++) {
		const char *id = ctable_get(t, i, c[0]);
		long school = accr_register_find(r, id);

		if (school < 0) {
			if (diag_report(diag, DIAG_WARNING, "unknown_school",
					"accreditation.csv", src_line_of(t, i),
					0,
					"school '%s' is not in schools.csv "
					"(expected a school_id of schools.csv); "
					"recognition left out",
					id) != SS_OK)
				return err_set(e, SS_ENOMEM, NULL, 0, 0,
					       "out of memory");
			continue;
		}
		st = parse_recognition(t, i, c, &r->rec[r->nrec], e);
		if (st != SS_OK)
			return st;
		r->rec[r->nrec++].school = (size_t)school;
	}
	if (r->nrec > 1)
		qsort(r->rec, r->nrec, sizeof *r->rec, rec_cmp);
	for (i = 0; i < r->nrec; i++) {
		accr_school *s = &r->school[r->rec[i].school];

		if (s->n == 0)
			s->first = i;
		s->n++;
	}
	return SS_OK;
}

ss_status accr_register_build(accr_register *r, const ctable *schools,
			      const ctable *accreditation, diag_sink *diag,
			      ss_error *e)
{
	ss_status st;

	accr_register_init(r);
	st = load_schools(r, schools, e);
	if (st == SS_OK && accreditation)
		st = load_recognitions(r, accreditation, diag, e);
	if (st != SS_OK)
		accr_register_release(r);
	return st;
}

/* ------------------------------------------------------------ state */

const char *accr_status_name(accr_status s)
{
	switch (s) {
	case ACCR_VALID: return "valid";
	case ACCR_OVERDUE: return "overdue";
	case ACCR_EXPIRED: return "expired";
	case ACCR_NONE: break;
	}
	return "none";
}

void accr_state_at(const accr_register *r, size_t school, accr_day day,
		   const accr_options *o, accr_state *out)
{
	const accr_school *s = &r->school[school];
	size_t i;

	memset(out, 0, sizeof *out);
	out->status = ACCR_NONE;
	for (i = 0; i < s->n; i++) {
		const accr_recognition *x = &r->rec[s->first + i];

		if (x->recognized_on > day)
			break;
		out->last = x;
	}
	if (!out->last)
		return;
	out->expires_on = accr_expires_on(o, out->last->recognized_on);
	out->register_by = accr_register_by(o, out->last->recognized_on);
	if (day > out->expires_on) {
		out->status = ACCR_EXPIRED;
		return;
	}
	out->status = day > out->register_by ? ACCR_OVERDUE : ACCR_VALID;
	out->quality = out->last->quality;
	out->standard = out->last->standard;
}

/* ------------------------------------------------------------ counts */

void accr_count_year(const accr_register *r, const size_t *members,
		     size_t n, int public_only, int start,
		     const accr_options *o, accr_counts *out)
{
	accr_day at = accr_year_end(o, start);
	accr_day lo = accr_year_end(o, start - 1);
	accr_day hi = accr_year_end(o, start + 1);
	size_t i;

	memset(out, 0, sizeof *out);
	for (i = 0; i < n; i++) {
		accr_state s;

		if (public_only && !r->school[members[i]].is_public)
			continue;
		out->schools++;
		accr_state_at(r, members[i], at, o, &s);
		if (s.status == ACCR_NONE) {
			out->never++;
			continue;
		}
		if (s.expires_on > lo && s.expires_on <= hi)
			out->expiring++;
		if (s.status == ACCR_EXPIRED) {
			out->expired++;
			continue;
		}
		out->valid++;
		if (s.status == ACCR_OVERDUE)
			out->overdue++;
		out->standard_at[s.standard]++;
		out->quality_at[s.quality]++;
		if (s.standard >= 1)
			out->standard++;
		if (s.quality >= 1)
			out->quality++;
	}
}

/* ------------------------------------------------------------ schedule */

const char *accr_action_name(accr_action a)
{
	switch (a) {
	case ACCR_ACTION_FIRST: return "first_recognition";
	case ACCR_ACTION_RENEWAL: return "renewal";
	case ACCR_ACTION_NONE: break;
	}
	return "none";
}

const char *accr_plan_check_name(accr_plan_check p)
{
	switch (p) {
	case ACCR_PLAN_OK: return "ok";
	case ACCR_PLAN_AFTER_EXPIRY: return "after_expiry";
	case ACCR_PLAN_PASSED: return "passed";
	case ACCR_PLAN_NONE: break;
	}
	return "";
}

void accr_schedule_at(const accr_register *r, size_t school, accr_day ref,
		      const accr_options *o, accr_schedule_row *out)
{
	accr_day plan_end = accr_year_end(o, accr_year_of(o, ref + 1));

	memset(out, 0, sizeof *out);
	accr_state_at(r, school, ref, o, &out->state);
	switch (out->state.status) {
	case ACCR_NONE:
		out->action = ACCR_ACTION_FIRST;
		break;
	case ACCR_EXPIRED:
		out->action = ACCR_ACTION_RENEWAL;
		break;
	case ACCR_VALID:
	case ACCR_OVERDUE:
		if (out->state.register_by <= plan_end) {
			out->action = ACCR_ACTION_RENEWAL;
			out->has_action_by = 1;
			out->action_by = out->state.register_by;
		}
		break;
	}
	out->plan = ACCR_PLAN_NONE;
	if (!out->state.last || !out->state.last->has_next_due)
		return;
	out->has_next_due = 1;
	out->next_due = out->state.last->next_due;
	/* the latest recognition on or before ref has not been followed by
	 * another one yet, so a planned day already gone was missed */
	if (out->next_due < ref)
		out->plan = ACCR_PLAN_PASSED;
	else if (out->next_due > out->state.expires_on)
		out->plan = ACCR_PLAN_AFTER_EXPIRY; /* lapsed ones included */
	else
		out->plan = ACCR_PLAN_OK;
}

/* ------------------------------------------------------------ trajectory */

void accr_path_init(accr_path *p)
{
	memset(p, 0, sizeof *p);
}

void accr_path_release(accr_path *p)
{
	if (!p)
		return;
	free(p->year);
	accr_path_init(p);
}

/* Smallest k in 0..n with k/n x 100 meeting op target (gap_meets, so the
 * count agrees with gaps.csv); -1 when none does. */
static long long required_count(gap_op op, double target, long long n)
{
	long long k;

	for (k = 0; k <= n; k++)
		if (gap_meets(op, (double)k / (double)n * 100.0, target))
			return k;
	return -1;
}

/* ceil(a / b) for b > 0 and any sign of a. */
static long long ceil_div(long long a, long long b)
{
	return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}

/* Expiry days of today's standard recognitions, for the stock. */
static size_t stock_expiries(const accr_register *r, const size_t *members,
			     size_t n, int public_only, accr_day ref,
			     const accr_options *o, accr_day *exp,
			     long long *schools)
{
	size_t i, k = 0;

	*schools = 0;
	for (i = 0; i < n; i++) {
		accr_state s;

		if (public_only && !r->school[members[i]].is_public)
			continue;
		(*schools)++;
		accr_state_at(r, members[i], ref, o, &s);
		if ((s.status == ACCR_VALID || s.status == ACCR_OVERDUE) &&
		    s.standard >= 1)
			exp[k++] = s.expires_on;
	}
	return k;
}

static long long count_on_or_after(const accr_day *exp, size_t n,
				   accr_day day)
{
	long long c = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (exp[i] >= day)
			c++;
	return c;
}

/* Fills rows 1..m of the plan (row 0 is the reference). */
/* Standard schools needed after i of m years on the straight path from
 * current to required (required throughout once current reaches it). */
static long long path_at(const accr_path *p, long long i, long long m)
{
	if (p->current >= p->required)
		return p->required;
	return p->current + ceil_div((p->required - p->current) * i, m);
}

/* Fills rows 1..m of the plan (row 0 is the reference). */
static void plan_years(accr_path *p, const accr_day *exp, size_t nexp,
		       accr_day ref, int first, accr_day *planned_until,
		       const accr_options *o)
{
	long long m = (long long)p->n - 1;
	size_t i, j;

	for (i = 1; i < p->n; i++) {
		accr_path_year *y = &p->year[i];
		accr_path_year *prev = &p->year[i - 1];
		accr_day window_start = (i == 1 ? ref : prev->measured_on) + 1;
		long long still = 0;

		y->year = first + (int)(i - 1);
		y->measured_on = accr_year_end(o, y->year);
		y->path = path_at(p, (long long)i, m);
		y->valid_no_renewal =
			count_on_or_after(exp, nexp, y->measured_on);
		y->expiring = prev->valid_no_renewal - y->valid_no_renewal;
		for (j = 1; j < i; j++)
			if (planned_until[j] >= y->measured_on)
				still += p->year[j].to_recognize;
		y->to_recognize = y->path - y->valid_no_renewal - still;
		if (y->to_recognize < 0)
			y->to_recognize = 0;
		/* counted as if made on the window's first day: the earliest,
		 * so the shortest-lived, recognition of the year */
		planned_until[i] = accr_expires_on(o, window_start);
		y->planned_valid = y->valid_no_renewal + still + y->to_recognize;
	}
}

ss_status accr_trajectory(const accr_register *r, const size_t *members,
			  size_t n, int public_only, gap_op op, double target,
			  int deadline, accr_day ref, const accr_options *o,
			  accr_path *out, ss_error *e)
{
	int first = accr_year_of(o, ref + 1), last = deadline - 1;
	accr_day *exp = NULL, *until = NULL;
	size_t nexp, m;

	accr_path_init(out);
	if (op != GAP_OP_GE && op != GAP_OP_EQ)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "no path to a target with operator '%s' "
			       "(expected >= or =)",
			       op == GAP_OP_LE ? "<=" : "?");
	if (last < first)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "deadline '%d' is not after the reference "
			       "year (expected %d or later)",
			       deadline, first + 1);
	exp = malloc((n ? n : 1) * sizeof *exp);
	if (!exp)
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	nexp = stock_expiries(r, members, n, public_only, ref, o, exp,
			      &out->schools);
	if (out->schools == 0) {
		free(exp);
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "no schools in the scope (expected at least "
			       "one)");
	}
	out->current = (long long)nexp;
	out->required = required_count(op, target, out->schools);
	if (out->required < 0) {
		free(exp);
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "no count of the %lld schools meets the "
			       "target '%g' (expected a reachable share)",
			       out->schools, target);
	}
	m = (size_t)(last - first + 1);
	out->year = calloc(m + 1, sizeof *out->year);
	until = calloc(m + 1, sizeof *until);
	if (!out->year || !until) {
		free(exp);
		free(until);
		accr_path_release(out);
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	}
	out->n = m + 1;
	out->year[0].year = accr_year_of(o, ref);
	out->year[0].measured_on = ref;
	out->year[0].is_actual = 1;
	out->year[0].path = out->current;
	out->year[0].valid_no_renewal = out->current;
	out->year[0].planned_valid = out->current;
	plan_years(out, exp, nexp, ref, first, until, o);
	free(exp);
	free(until);
	return SS_OK;
}

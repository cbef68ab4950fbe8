/* gen_exam — writes a synthetic national exam_scores.csv (and optionally a
 * matching schools.csv) for benchmarks and large tests.
 *
 * Deterministic: the same arguments give the same bytes on every machine
 * (splitmix64, only IEEE additions and multiplications, no libm, no time,
 * no locale). The shape follows the national upper
 * secondary graduation exam (thi tốt nghiệp THPT): số báo danh of 8 digits
 * (2-digit province code + 6-digit sequence, in that order, as the
 * councils print them), every candidate sits toan and ngu_van, most a
 * foreign language, then either the natural-science combination (vat_li,
 * hoa_hoc, sinh_hoc) or the social one (lich_su, dia_li, gdcd), so about
 * four of nine subject cells are blank. Multiple-choice scores sit on the
 * question grid (toan 50 questions: 0.2; the others 0.25; ngu_van is
 * marked in 0.25), all on the pipeline's 0.05 grid. A candidate's scores
 * are ability + school effect + noise, clamped to 0..10.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NPROV 63
#define MAX_SUBJECTS 16

static const char *const province_names[NPROV] = {
	"Hà Nội", "Hà Giang", "Cao Bằng", "Bắc Kạn", "Tuyên Quang", "Lào Cai",
	"Điện Biên", "Lai Châu", "Sơn La", "Yên Bái", "Hoà Bình",
	"Thái Nguyên", "Lạng Sơn", "Quảng Ninh", "Bắc Giang", "Phú Thọ",
	"Vĩnh Phúc", "Bắc Ninh", "Hải Dương", "Hải Phòng", "Hưng Yên",
	"Thái Bình", "Hà Nam", "Nam Định", "Ninh Bình", "Thanh Hoá",
	"Nghệ An", "Hà Tĩnh", "Quảng Bình", "Quảng Trị", "Thừa Thiên Huế",
	"Đà Nẵng", "Quảng Nam", "Quảng Ngãi", "Bình Định", "Phú Yên",
	"Khánh Hoà", "Ninh Thuận", "Bình Thuận", "Kon Tum", "Gia Lai",
	"Đắk Lắk", "Đắk Nông", "Lâm Đồng", "Bình Phước", "Tây Ninh",
	"Bình Dương", "Đồng Nai", "Bà Rịa - Vũng Tàu", "TP. Hồ Chí Minh",
	"Long An", "Tiền Giang", "Bến Tre", "Trà Vinh", "Vĩnh Long",
	"Đồng Tháp", "An Giang", "Kiên Giang", "Cần Thơ", "Hậu Giang",
	"Sóc Trăng", "Bạc Liêu", "Cà Mau"
};

/* Relative candidate weights: the two big cities and the populous
 * provinces of the deltas send the most candidates. */
static const unsigned char province_weight[NPROV] = {
	24, 3, 2, 1, 3, 3, 2, 1, 4, 3, 3, 5, 3, 5, 7, 5, 4, 5, 7, 8, 5, 7,
	3, 7, 4, 13, 12, 5, 3, 3, 4, 4, 5, 5, 6, 3, 4, 2, 4, 2, 5, 6, 2, 4,
	3, 4, 6, 10, 4, 26, 6, 6, 5, 4, 4, 6, 7, 6, 4, 3, 4, 3, 4
};

static const char *const default_subjects[] = {
	"toan", "ngu_van", "tieng_anh", "vat_li", "hoa_hoc",
	"sinh_hoc", "lich_su", "dia_li", "gdcd"
};
/* Mean and SD of each subject (close to the published 2024 national
 * figures) and the question grid in hundredths. */
static const double subject_mean[] = { 6.45, 7.23, 5.51, 6.67, 6.68,
				       6.28, 6.57, 7.19, 8.17 };
static const double subject_sd[] = { 1.45, 1.35, 1.75, 1.55, 1.5,
				     1.4, 1.55, 1.3, 1.1 };
static const int subject_step[] = { 20, 25, 25, 25, 25, 25, 25, 25, 25 };

typedef struct rng {
	uint64_t s;
} rng;

static uint64_t rng_next(rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double rng_unit(rng *r)
{
	return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static unsigned rng_below(rng *r, unsigned n)
{
	return (unsigned)(rng_unit(r) * n);
}

/* Close to a standard normal: the sum of 12 uniforms minus 6 (Irwin-Hall;
 * bounded at +-6, which scores clamped to 0..10 never notice). Only
 * additions, so the bytes written do not depend on the libm at hand. */
static double rng_normal(rng *r)
{
	double s = 0;
	int k;

	for (k = 0; k < 12; k++)
		s += rng_unit(r);
	return s - 6.0;
}

typedef struct school {
	int province;  /* 0..62 */
	int district;  /* within the province */
	int commune;
	unsigned seq;  /* within the province */
	double effect; /* in SD units */
	double weight; /* relative size */
	int level_multi;
	int private_;
} school;

typedef struct options {
	long long candidates;
	int subjects;
	unsigned long long seed;
	int schools;
	const char *schools_csv;
	const char *year;
	const char *exam;
} options;

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: gen_exam [--candidates N] [--subjects S] [--seed SEED]\n"
		"                [--schools K] [--schools-csv PATH] [--year Y]\n"
		"                [--exam NAME] > exam_scores.csv\n"
		"\n"
		"Writes a synthetic, deterministic national exam_scores.csv to\n"
		"standard output: 8-digit candidate ids by province, toan and\n"
		"ngu_van for all, a foreign language for most, then the natural\n"
		"or the social combination; about 4 of 9 subject cells blank.\n"
		"\n"
		"  --candidates N    rows to write (default 1100000)\n"
		"  --subjects S      subject columns, 1 to %d (default 9)\n"
		"  --seed SEED       random seed (default 1)\n"
		"  --schools K       schools, spread over 63 provinces (default 2500)\n"
		"  --schools-csv P   also write the matching schools.csv to P\n"
		"  --year Y          school year (default 2024-2025)\n"
		"  --exam NAME       exam name (default tn_thpt)\n"
		"\n"
		"exit status: 0 done, 1 write error, 2 bad command line\n"
		"example: gen_exam --candidates 1100000 --seed 7 > exam_scores.csv\n",
		MAX_SUBJECTS);
}

static int parse_ll(const char *s, long long min, long long max,
		    long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return 0;
	*out = v;
	return 1;
}

static int parse_args(int argc, char **argv, options *o)
{
	int i;
	long long v;

	o->candidates = 1100000;
	o->subjects = 9;
	o->seed = 1;
	o->schools = 2500;
	o->schools_csv = NULL;
	o->year = "2024-2025";
	o->exam = "tn_thpt";
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			exit(0);
		}
		if (!val) {
			fprintf(stderr, "gen_exam: option '%s' needs a value\n", a);
			return 0;
		}
		i++;
		if (strcmp(a, "--candidates") == 0 &&
		    parse_ll(val, 0, 1000000000LL, &v))
			o->candidates = v;
		else if (strcmp(a, "--subjects") == 0 &&
			 parse_ll(val, 1, MAX_SUBJECTS, &v))
			o->subjects = (int)v;
		else if (strcmp(a, "--seed") == 0 &&
			 parse_ll(val, 0, 0x7FFFFFFFFFFFFFFFLL, &v))
			o->seed = (unsigned long long)v;
		else if (strcmp(a, "--schools") == 0 &&
			 parse_ll(val, NPROV, 999999LL * NPROV, &v))
			o->schools = (int)v;
		else if (strcmp(a, "--schools-csv") == 0)
			o->schools_csv = val;
		else if (strcmp(a, "--year") == 0)
			o->year = val;
		else if (strcmp(a, "--exam") == 0)
			o->exam = val;
		else {
			fprintf(stderr, "gen_exam: bad option or value '%s %s'\n",
				a, val);
			return 0;
		}
	}
	return 1;
}

/* Province codes as on the số báo danh: 01..64 without 20 (not used). */
static int province_code(int p)
{
	return p + 1 < 20 ? p + 1 : p + 2;
}

/* About 700 districts in all: ~11 per province, more in the big ones. */
static int districts_in(int p)
{
	return 9 + province_weight[p] / 2;
}

static school *make_schools(const options *o, int **first, int **count)
{
	school *s = calloc((size_t)o->schools, sizeof *s);
	int *f = calloc(NPROV + 1, sizeof *f), *c = calloc(NPROV, sizeof *c);
	unsigned wsum = 0;
	int p, i, k;
	rng r = { o->seed ^ 0x5C400L };

	if (!s || !f || !c) {
		free(s);
		free(f);
		free(c);
		return NULL;
	}
	for (p = 0; p < NPROV; p++)
		wsum += province_weight[p];
	/* every province gets at least one school, the rest by weight */
	for (p = 0, k = 0; p < NPROV; p++) {
		c[p] = 1 + (int)((double)(o->schools - NPROV) *
				 province_weight[p] / wsum);
		k += c[p];
	}
	for (p = 0; k < o->schools; p = (p + 1) % NPROV, k++)
		c[p]++;
	for (p = 0, i = 0; p < NPROV; p++) {
		f[p] = i;
		for (k = 0; k < c[p]; k++, i++) {
			s[i].province = p;
			s[i].district = (int)rng_below(&r, (unsigned)districts_in(p));
			s[i].commune = (int)rng_below(&r, 12);
			s[i].seq = (unsigned)k + 1;
			s[i].effect = 0.45 * rng_normal(&r);
			/* sizes skewed to the right, 0.25 to 4 */
			s[i].weight = 0.25 + 3.75 * rng_unit(&r) * rng_unit(&r);
			s[i].level_multi = rng_unit(&r) < 0.08;
			s[i].private_ = rng_unit(&r) < 0.12;
		}
	}
	f[NPROV] = i;
	*first = f;
	*count = c;
	return s;
}

static void school_id(const school *s, char buf[32])
{
	snprintf(buf, 32, "%02d%06u", province_code(s->province) % 100,
		 s->seq % 1000000);
}

static int write_schools_csv(const options *o, const school *s)
{
	FILE *fp = fopen(o->schools_csv, "w");
	int i;
	char id[32];

	if (!fp) {
		fprintf(stderr, "gen_exam: cannot create '%s': %s\n",
			o->schools_csv, strerror(errno));
		return 0;
	}
	fputs("school_id,name,level,ownership,commune,district,province\n", fp);
	for (i = 0; i < o->schools; i++) {
		const school *x = &s[i];
		const char *prov = province_names[x->province];

		school_id(x, id);
		/* no name holds a comma or a quote: nothing to quote */
		fprintf(fp,
			"%s,%s %u - %s,%s,%s,Xã %02d-%02d-%02d,Huyện %02d-%02d,%s\n",
			id, x->level_multi ? "Trường THCS&THPT" : "Trường THPT",
			x->seq, prov, x->level_multi ? "thcs_thpt" : "thpt",
			x->private_ ? "tu_thuc" : "cong_lap",
			province_code(x->province), x->district + 1,
			x->commune + 1, province_code(x->province),
			x->district + 1, prov);
	}
	if (ferror(fp) | fclose(fp)) {
		fprintf(stderr, "gen_exam: cannot write '%s': %s\n",
			o->schools_csv, strerror(errno));
		return 0;
	}
	return 1;
}

/* Hundredths as the shortest plain decimal: 725 "7.25", 720 "7.2". */
static char *put_score(char *p, int h)
{
	int whole = h / 100, frac = h % 100;

	if (whole >= 10)
		*p++ = (char)('0' + whole / 10);
	*p++ = (char)('0' + whole % 10);
	if (frac) {
		*p++ = '.';
		*p++ = (char)('0' + frac / 10);
		if (frac % 10)
			*p++ = (char)('0' + frac % 10);
	}
	return p;
}

static int score_for(rng *r, int subj, double ability, double effect)
{
	int k = subj < 9 ? subj : subj % 9;
	double x = subject_mean[k] +
		   subject_sd[k] * (0.75 * ability + effect +
				    0.55 * rng_normal(r));
	int step = subject_step[k];
	long q;

	if (x < 0)
		x = 0;
	if (x > 10)
		x = 10;
	q = (long)(x * 100.0 / step + 0.5); /* x >= 0: rounds half up */
	return (int)(q * step);
}

/* Which subjects the candidate sits: bit j for subject j. */
static unsigned sat_mask(rng *r, int nsubj)
{
	unsigned m = 0x3; /* toan, ngu_van */
	int j;

	if (nsubj <= 2)
		return m & ((1u << nsubj) - 1);
	if (rng_unit(r) < 0.9)
		m |= 0x4;
	if (rng_unit(r) < 0.37)
		m |= 0x38;  /* vat_li, hoa_hoc, sinh_hoc */
	else
		m |= 0x1C0; /* lich_su, dia_li, gdcd */
	for (j = 9; j < nsubj; j++)
		if (rng_unit(r) < 0.3)
			m |= 1u << j;
	return m & ((1u << nsubj) - 1);
}

int main(int argc, char **argv)
{
	options o;
	school *sch;
	int *first, *count, p, j;
	double *cum;
	unsigned wsum = 0;
	long long i, done = 0;
	char *buf, *q;
	size_t bufsz = 1 << 20;
	rng r;

	if (!parse_args(argc, argv, &o)) {
		usage(stderr);
		return 2;
	}
	sch = make_schools(&o, &first, &count);
	cum = malloc((size_t)o.schools * sizeof *cum);
	buf = malloc(bufsz);
	if (!sch || !cum || !buf) {
		fprintf(stderr, "gen_exam: out of memory\n");
		return 1;
	}
	if (o.schools_csv && !write_schools_csv(&o, sch))
		return 1;
	/* cumulative school weights within each province */
	for (p = 0; p < NPROV; p++) {
		double acc = 0;
		int k;

		for (k = first[p]; k < first[p + 1]; k++) {
			acc += sch[k].weight;
			cum[k] = acc;
		}
		wsum += province_weight[p];
	}

	q = buf;
	q += sprintf(q, "year,exam,candidate_id,school_id");
	for (j = 0; j < o.subjects; j++) {
		if (j < 9)
			q += sprintf(q, ",%s", default_subjects[j]);
		else
			q += sprintf(q, ",mon_%d", j + 1);
	}
	*q++ = '\n';

	r.s = o.seed;
	for (p = 0; p < NPROV; p++) {
		long long n = p == NPROV - 1 ?
				      o.candidates - done :
				      (long long)((double)o.candidates *
						  province_weight[p] / wsum);
		double total = cum[first[p + 1] - 1];

		for (i = 0; i < n; i++) {
			double u = rng_unit(&r) * total, ability;
			int lo = first[p], hi = first[p + 1] - 1;
			unsigned mask;
			char id[32];

			while (lo < hi) {
				int mid = lo + (hi - lo) / 2;

				if (cum[mid] > u)
					hi = mid;
				else
					lo = mid + 1;
			}
			if (bufsz - (size_t)(q - buf) < 4096) {
				if (fwrite(buf, 1, (size_t)(q - buf), stdout) !=
				    (size_t)(q - buf))
					goto write_error;
				q = buf;
			}
			school_id(&sch[lo], id);
			q += sprintf(q, "%s,%s,%02d%06lld,%s", o.year, o.exam,
				     province_code(p), i + 1, id);
			ability = rng_normal(&r);
			mask = sat_mask(&r, o.subjects);
			for (j = 0; j < o.subjects; j++) {
				*q++ = ',';
				if (mask & (1u << j))
					q = put_score(q, score_for(&r, j, ability,
								  sch[lo].effect));
			}
			*q++ = '\n';
		}
		done += n;
	}
	if (fwrite(buf, 1, (size_t)(q - buf), stdout) != (size_t)(q - buf))
		goto write_error;
	if (fflush(stdout) != 0 || ferror(stdout))
		goto write_error;
	free(buf);
	free(cum);
	free(sch);
	free(first);
	free(count);
	return 0;

write_error:
	fprintf(stderr, "gen_exam: cannot write standard output: %s\n",
		strerror(errno));
	return 1;
}

#!/bin/sh
# End-to-end tests of schoolstat-report: the real pipeline on data/sample
# (stages that are not built are skipped), then the report: Vietnamese text
# and figures read from the CSV outputs found in the PDF (pdftotext), page
# footers, no blank page (pixels counted on pdftoppm's grey image),
# byte-identical reruns, --unit/--title/--year, every exit status, and a
# synthetic district of 300 schools whose appendix paginates with its
# header on every page.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
bin=$BUILD/bin
prog=$bin/schoolstat-report
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
pass=0

check() { # description, then a command that must succeed
	desc=$1; shift
	if "$@"; then pass=$((pass + 1)); else echo "FAIL: $desc" >&2; fails=$((fails + 1)); fi
}

status_of() { # runs the command, prints its exit status
	set +e; "$@" >"$tmp/out" 2>"$tmp/err"; s=$?; set -e; echo $s
}

has() { # FILE TEXT: the text occurs in the file
	grep -qF -- "$2" "$1"
}

# A CSV cell of the first row matching year,scope,name (columns 1-3) of an
# output table: column $5 (1-based). Outputs have no quoted commas before
# the columns read here.
cell() { # FILE YEAR SCOPE NAME COLUMN
	awk -F, -v y="$2" -v s="$3" -v n="$4" -v c="$5" \
		'$1 == y && $2 == s && $3 == n { print $c; exit }' "$1"
}

# Vietnamese number: thousands '.', decimal ',' (fmt.h), at DEC decimals.
vi_number() { # VALUE DEC
	awk -v v="$1" -v d="$2" 'BEGIN {
		s = sprintf("%.*f", d, v); neg = (substr(s, 1, 1) == "-")
		if (neg) s = substr(s, 2)
		i = index(s, "."); ip = i ? substr(s, 1, i - 1) : s
		fp = i ? substr(s, i + 1) : ""
		out = ""
		while (length(ip) > 3) {
			out = "." substr(ip, length(ip) - 2) out
			ip = substr(ip, 1, length(ip) - 3)
		}
		out = ip out
		if (fp != "") out = out "," fp
		print (neg ? "-" : "") out }'
}

pages_of() { # PDF: its page count
	pdfinfo "$1" | awk '/^Pages:/ { print $2 }'
}

# Dark pixels of page P above the footer band, on a 20 dpi grey image:
# the P5 header is parsed, then bytes below 200 (of 255, white) are
# counted in all rows but the last 20 (the footer).
dark_pixels() { # PDF PAGE
	pdftoppm -gray -r 20 -f "$2" -l "$2" "$1" "$tmp/pg"
	od -An -tu1 -v "$tmp"/pg*.pgm | tr -s ' ' '\n' | awk '
		NF == 0 { next }
		nl < 3 { if ($1 == 10) { nl++; if (nl == 3) { split(h, f, " ");
				w = f[2]; ht = f[3] } } else h = h sprintf("%c", $1 == 10 ? 32 : $1);
			 if ($1 == 10) h = h " "; next }
		{ if (int(i / w) < ht - 20 && $1 < 200) dark++; i++ }
		END { print dark + 0 }'
	rm -f "$tmp"/pg*.pgm
}

# ------------------------------------------------------------------ 1
# The real pipeline on the sample.
out=$tmp/run
for stage in ingest indicators norms gaps audit accreditation; do
	if [ ! -x "$bin/schoolstat-$stage" ]; then
		echo "skip: schoolstat-$stage not built"
		continue
	fi
	if [ "$stage" = ingest ]; then
		set -- data/sample "$out"
	else
		set -- "$out"
	fi
	if ! "$bin/schoolstat-$stage" "$@" >/dev/null 2>"$tmp/stage.err"; then
		cat "$tmp/stage.err" >&2
		echo "FAIL: stage $stage on the sample" >&2
		exit 1
	fi
done
[ -f "$out/clean/schools.csv" ] || { echo "FAIL: no ingest output" >&2; exit 1; }

pdf=$out/report.pdf
check "report exit 0" [ "$(SOURCE_DATE_EPOCH=1748736000 status_of "$prog" "$out")" = 0 ]
check "report.pdf written" [ -s "$pdf" ]
check "no temporary file left" [ ! -e "$pdf.tmp" ]
check "summary line on stderr" grep -q "report.pdf written: [0-9]* pages, school year 2024-2025" "$tmp/err"
pdftotext "$pdf" "$tmp/r.txt"
txt=$tmp/r.txt
n=$(pages_of "$pdf")
check "several pages" [ "$n" -ge 6 ]

# Metadata: dates from SOURCE_DATE_EPOCH, title and author set.
pdfinfo "$pdf" >"$tmp/info"
check "creation date from SOURCE_DATE_EPOCH" grep -q "^CreationDate: *Sun Jun  1 00:00:00 2025 UTC" "$tmp/info"
check "modification date from SOURCE_DATE_EPOCH" grep -q "^ModDate: *Sun Jun  1 00:00:00 2025 UTC" "$tmp/info"
check "title metadata" grep -q "^Title: *Báo cáo thống kê giáo dục năm học 2024-2025" "$tmp/info"
check "author metadata" grep -q "^Author: *Phường Hòa Bình" "$tmp/info"
check "A4 portrait" grep -q "^Page size: *595.276 x 841.89 pts (A4)" "$tmp/info"

# Vietnamese text of each part.
for s in "Báo cáo thống kê giáo dục năm học 2024-2025" \
	 "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" "Độc lập - Tự do - Hạnh phúc" \
	 "PHƯỜNG HÒA BÌNH" "Hòa Bình, ngày 01 tháng 6 năm 2025" \
	 "Kính gửi: Sở Giáo dục và Đào tạo tỉnh Đồng Nai." \
	 "Thành phố Biên Hòa, Tỉnh Đồng Nai" "MỤC LỤC" \
	 "I. KẾT QUẢ THỰC HIỆN CHỈ TIÊU" "Tỷ lệ lên lớp" "Tỷ lệ bỏ học" \
	 "Điểm TB môn Tiếng Anh" "Chưa đạt" "Đạt" "Năm gốc" \
	 "Chưa đúng hướng" "II. CHỈ SỐ THEO CẤP HỌC" \
	 "III. ĐỊNH MỨC GIÁO VIÊN VÀ SĨ SỐ LỚP" \
	 "IV. KẾT QUẢ THI TUYỂN SINH LỚP 10" "V. CHẤT LƯỢNG DỮ LIỆU" \
	 "Mã trường không có trong danh sách trường" "THỦ TRƯỞNG ĐƠN VỊ" \
	 "Nơi nhận:" "PHỤ LỤC" "Biểu đồ 1." "Bảng 1." "Trang 1/$n" "Trang $n/$n"; do
	check "text has '$s'" has "$txt" "$s"
done
# a footer on every page
i=1
while [ "$i" -le "$n" ]; do
	check "footer on page $i" has "$txt" "Trang $i/$n"
	i=$((i + 1))
done

# The table of contents on the cover points at the pages of the headings.
pdftotext -layout -f 1 -l 1 "$pdf" "$tmp/cover.txt"
for entry in "I. Kết quả thực hiện chỉ tiêu|I. KẾT QUẢ THỰC HIỆN CHỈ TIÊU" \
	     "II. Chỉ số theo cấp học|II. CHỈ SỐ THEO CẤP HỌC" \
	     "V. Chất lượng dữ liệu|V. CHẤT LƯỢNG DỮ LIỆU" \
	     "Phụ lục. Số liệu chi tiết theo trường|SỐ LIỆU CHI TIẾT THEO TRƯỜNG"; do
	toc=${entry%%|*}
	head=${entry#*|}
	p=$(grep -F "$toc" "$tmp/cover.txt" | awk '{ print $NF }')
	check "contents entry '$toc' has a page ($p)" [ -n "$p" ]
	if [ -n "$p" ]; then
		pdftotext -f "$p" -l "$p" "$pdf" "$tmp/p.txt"
		check "'$head' is on page $p" has "$tmp/p.txt" "$head"
	fi
done

# Figures read from the CSV outputs, formatted the Vietnamese way.
ind=$out/indicators.csv
if [ -f "$ind" ]; then
	v=$(cell "$ind" 2024-2025 level:tieu_hoc promotion_rate 4)
	num=$(cell "$ind" 2024-2025 level:tieu_hoc promotion_rate 5)
	den=$(cell "$ind" 2024-2025 level:tieu_hoc promotion_rate 6)
	want="$(vi_number "$v" 2)% ($(vi_number "$num" 0)/$(vi_number "$den" 0))"
	check "primary promotion rate '$want'" has "$txt" "$want"
	v=$(cell "$ind" 2024-2025 all students 4)
	check "unit's students '$(vi_number "$v" 0)'" has "$txt" "$(vi_number "$v" 0)"
	v=$(cell "$ind" 2024-2025 level:thcs dropout_rate 4)
	check "lower secondary dropout '$(vi_number "$v" 2)%'" has "$txt" "$(vi_number "$v" 2)%"
	v=$(cell "$ind" 2024-2025 all exam_mean:toan 4)
	check "maths mean '$(vi_number "$v" 2)'" has "$txt" "$(vi_number "$v" 2)"
	v=$(cell "$ind" 2024-2025 level:tieu_hoc students_per_class 4)
	check "primary class size '$(vi_number "$v" 2)'" has "$txt" "$(vi_number "$v" 2)"
fi
gaps=$out/gaps.csv
if [ -f "$gaps" ]; then
	g=$(awk -F, '$2 == "THCS02" && $3 == "dropout_rate" { print $9; exit }' "$gaps")
	check "THCS02 dropout gap '+$(vi_number "$g" 2)'" has "$txt" "+$(vi_number "$g" 2)"
	a=$(awk -F, '$2 == "level:mam_non" && $3 == "promotion_rate" { print $6; exit }' "$gaps")
	check "borderline actual '$(vi_number "$a" 2)%' (not 99,9%)" has "$txt" "$(vi_number "$a" 2)%"
	nt=$(($(wc -l <"$gaps") - 1))
	check "targets counted ($nt)" has "$txt" "Trong $nt chỉ tiêu"
fi
norms=$out/norms.csv
if [ -f "$norms" ]; then
	s=$(cell "$norms" 2024-2025 all teachers_per_class 7)
	check "unit's teacher shortfall 'thiếu $s giáo viên'" has "$txt" "thiếu $s giáo viên"
fi
rej=$out/rejects.csv
if [ -f "$rej" ]; then
	nr=$(($(wc -l <"$rej") - 1))
	check "rejected rows counted ($nr)" has "$txt" "rejects.csv ($nr dòng)"
fi
# every school by name (the appendix)
tail -n +2 "$out/clean/schools.csv" | cut -d, -f2 >"$tmp/names"
while IFS= read -r name; do
	check "school '$name' named" has "$txt" "$name"
done <"$tmp/names"

# No blank page: ink above the footer on every page.
i=1
while [ "$i" -le "$n" ]; do
	d=$(dark_pixels "$pdf" "$i")
	check "page $i is not blank ($d dark pixels)" [ "$d" -ge 100 ]
	i=$((i + 1))
done
pdftoppm -r 30 -png "$pdf" "$tmp/png"
check "a 30 dpi PNG per page" [ "$(ls "$tmp"/png*.png | wc -l)" -eq "$n" ]

# ------------------------------------------------------------------ 2
# Determinism: a rerun a second later gives the same bytes, with or
# without SOURCE_DATE_EPOCH (then the dates come from the data: 1 January
# of the year the newest school year ends in, never the clock).
cp "$pdf" "$tmp/first.pdf"
sleep 1
check "rerun exit 0" [ "$(SOURCE_DATE_EPOCH=1748736000 status_of "$prog" "$out")" = 0 ]
check "rerun byte-identical" cmp -s "$pdf" "$tmp/first.pdf"
(unset SOURCE_DATE_EPOCH; "$prog" "$out" 2>/dev/null) && cp "$pdf" "$tmp/nodate.pdf"
sleep 1
(unset SOURCE_DATE_EPOCH; "$prog" "$out" 2>/dev/null)
check "rerun without SOURCE_DATE_EPOCH byte-identical" cmp -s "$pdf" "$tmp/nodate.pdf"
check "date from the data" sh -c "pdfinfo '$pdf' | grep -q '^CreationDate: *Wed Jan  1 00:00:00 2025 UTC'"
pdftotext -layout "$pdf" "$tmp/nodate.txt"
check "date line left for the signer" grep -q "Hòa Bình, ngày  *tháng  *năm 2025" "$tmp/nodate.txt"

# ------------------------------------------------------------------ 3
# Options.
check "--unit --title exit 0" [ "$(status_of "$prog" --unit "Phòng Văn hóa - Xã hội phường Hòa Bình" --title "Báo cáo nhanh số liệu giáo dục" "$out")" = 0 ]
pdftotext "$pdf" "$tmp/opt.txt"
check "--title printed" has "$tmp/opt.txt" "Báo cáo nhanh số liệu giáo dục"
check "--unit printed" has "$tmp/opt.txt" "PHÒNG VĂN HÓA - XÃ HỘI"
check "--unit in the closing" has "$tmp/opt.txt" "của Phòng Văn hóa - Xã hội phường Hòa Bình"
check "place still from the schools" has "$tmp/opt.txt" "Hòa Bình, ngày"
check "--year=2023-2024 exit 0" [ "$(status_of "$prog" --year=2023-2024 "$out")" = 0 ]
pdftotext "$pdf" "$tmp/y.txt"
check "--year reports that year" has "$tmp/y.txt" "Báo cáo thống kê giáo dục năm học 2023-2024"

# ------------------------------------------------------------------ 4
# Exit statuses and messages.
check "--help exit 0" [ "$(status_of "$prog" --help)" = 0 ]
check "--help has usage, options, exit status, example" sh -c \
	"grep -q '^usage: schoolstat-report' '$tmp/out' && grep -q '^options:' '$tmp/out' && grep -q '^exit status:' '$tmp/out' && grep -q '^example:' '$tmp/out'"
check "no arguments exit 2" [ "$(status_of "$prog")" = 2 ]
check "no arguments prints usage" grep -q '^usage: schoolstat-report' "$tmp/err"
check "unknown option exit 2" [ "$(status_of "$prog" --frobnicate "$out")" = 2 ]
check "unknown option message" grep -qx "schoolstat-report: unknown option '--frobnicate'" "$tmp/err"
check "--year without value exit 2" [ "$(status_of "$prog" "$out" --year)" = 2 ]
check "two directories exit 2" [ "$(status_of "$prog" "$out" "$out")" = 2 ]
check "bad --year exit 2" [ "$(status_of "$prog" --year 2024 "$out")" = 2 ]
check "bad --year message" grep -qx "schoolstat-report: bad school year '2024' (expected two consecutive years such as 2024-2025)" "$tmp/err"
check "--year without data exit 2" [ "$(status_of "$prog" --year 2010-2011 "$out")" = 2 ]
check "--year without data message" grep -q "^schoolstat-report: no indicators for school year '2010-2011' (expected a year from " "$tmp/err"
check "bad SOURCE_DATE_EPOCH exit 2" [ "$(SOURCE_DATE_EPOCH=yesterday status_of "$prog" "$out")" = 2 ]
check "bad SOURCE_DATE_EPOCH message" grep -q "^schoolstat-report: bad SOURCE_DATE_EPOCH 'yesterday'" "$tmp/err"
mkdir "$tmp/empty"
check "no clean/schools.csv exit 3" [ "$(status_of "$prog" "$tmp/empty")" = 3 ]
check "no clean/schools.csv message" grep -qx "schoolstat-report: $tmp/empty/clean/schools.csv: cannot open: No such file or directory" "$tmp/err"
check "no report after a failure" [ ! -e "$tmp/empty/report.pdf" ]
mkdir -p "$tmp/bad/clean"
printf 'school_id,name\nA1,An\n' >"$tmp/bad/clean/schools.csv"
check "malformed schools.csv exit 3" [ "$(status_of "$prog" "$tmp/bad")" = 3 ]
check "malformed schools.csv message" grep -qx "$tmp/bad/clean/schools.csv:1: error: missing column 'level' (expected it in the header written by the pipeline)" "$tmp/err"
cp -R "$out" "$tmp/ro"
rm -f "$tmp/ro/report.pdf"
mkdir "$tmp/ro/report.pdf.tmp"
check "unwritable report exit 3" [ "$(status_of "$prog" "$tmp/ro")" = 3 ]
check "unwritable report message" grep -q "^schoolstat-report: $tmp/ro/report.pdf.tmp: cannot create: " "$tmp/err"
check "no half report" [ ! -e "$tmp/ro/report.pdf" ]

# ------------------------------------------------------------------ 5
# A district of 300 schools: the appendix paginates, its header on every
# page, rows whole; the norm chart keeps to the schools missing a norm;
# 500 findings are cut to 199 rows and "và 301 mục khác".
big=$tmp/big
mkdir -p "$big/clean"
awk -v dir="$big" 'BEGIN {
	s = dir "/clean/schools.csv"; i = dir "/indicators.csv"
	m = dir "/norms.csv"; v = dir "/validation.csv"
	print "school_id,name,level,ownership,commune,district,province,sites,sessions_per_day,region,src_line" > s
	print "year,scope,indicator,value,numerator,denominator,ci_low,ci_high" > i
	print "year,scope,norm,value,limit,status,shortfall" > m
	print "severity,code,file,line,column,message" > v
	for (k = 1; k <= 300; k++) {
		id = sprintf("S%03d", k)
		lv = k % 2 ? "tieu_hoc" : "thcs"
		name = k % 9 ? sprintf("Trường số %d", k) : \
			sprintf("Trường Tiểu học và Trung học cơ sở liên xã số %d mang tên Anh hùng Lực lượng vũ trang Nhân dân", k)
		printf "%s,%s,%s,cong_lap,Xã %d,Huyện Long Thành,Tỉnh Đồng Nai,1,2,3,%d\n", \
			id, name, lv, k % 15, k + 1 > s
		c = 10 + k % 20; st = c * 35 + k % 17; t = c + int(c / 2)
		printf "2024-2025,%s,classes,%d,%d,1,,\n", id, c, c > i
		printf "2024-2025,%s,students,%d,%d,1,,\n", id, st, st > i
		printf "2024-2025,%s,students_per_class,%.6f,%d,%d,,\n", id, st / c, st, c > i
		printf "2024-2025,%s,teachers,%d,%d,1,,\n", id, t, t > i
		printf "2024-2025,%s,teachers_per_class,%.6f,%d,%d,,\n", id, t / c, t, c > i
		e = st - 2; p = e - k % 5
		printf "2024-2025,%s,promotion_rate,%.6f,%d,%d,,\n", id, 100 * p / e, p, e > i
		lim = lv == "thcs" ? 1.9 : 1.5
		printf "2024-2025,%s,teachers_per_class,%.6f,%s,%s,%d\n", id, t / c, lim, \
			t / c < lim ? "below" : "ok", t / c < lim ? int(lim * c - t + 0.999) : 0 > m
		printf "2024-2025,%s,students_per_class,%.6f,35,%s,0\n", id, st / c, \
			(st / c > 35 ? "above" : "ok") > m
	}
	for (k = 1; k <= 500; k++)
		printf "warning,class_too_large,in/enrollment.csv,%d,5,%d students in 1 classes is %d.0 per class (expected at most 60)\n", \
			k + 1, 60 + k, 60 + k > v
}'
check "district report exit 0" [ "$(status_of "$prog" "$big")" = 0 ]
bp=$big/report.pdf
bn=$(pages_of "$bp")
check "district report has many pages ($bn)" [ "$bn" -ge 15 ]
pdftotext "$bp" "$tmp/big.txt"
check "unit derived from the district" has "$tmp/big.txt" "HUYỆN LONG THÀNH"
check "whole unit named after it" has "$tmp/big.txt" "Toàn huyện"
check "findings cut with their count" has "$tmp/big.txt" "và 301 mục khác không hiển thị"
check "norm chart limited to schools missing a norm" has "$tmp/big.txt" "Biểu đồ dưới đây chỉ gồm"
# the appendix: from its title page to the last page, the header on each
first=$(i=1; while [ "$i" -le "$bn" ]; do
	pdftotext -f "$i" -l "$i" "$bp" - | grep -q "SỐ LIỆU CHI TIẾT THEO TRƯỜNG" && { echo "$i"; break; }
	i=$((i + 1)); done)
check "appendix found" [ -n "$first" ]
check "appendix spans pages" [ "${first:-$bn}" -lt $((bn - 2)) ]
i=${first:-$bn}
: >"$tmp/appendix.txt"
while [ "$i" -le "$bn" ]; do
	pdftotext -f "$i" -l "$i" "$bp" "$tmp/p.txt"
	check "appendix page $i repeats the header" has "$tmp/p.txt" "HS/lớp"
	check "appendix page $i footer" has "$tmp/p.txt" "Trang $i/$bn"
	[ "$i" -gt "${first:-$bn}" ] && check "appendix page $i says continued" has "$tmp/p.txt" "(tiếp theo)"
	cat "$tmp/p.txt" >>"$tmp/appendix.txt"
	i=$((i + 1))
done
# each short-named school is a whole row, on exactly one page
k=1
missing=0
while [ "$k" -le 300 ]; do
	if [ $((k % 9)) -ne 0 ] &&
	   [ "$(grep -cx "Trường số $k" "$tmp/appendix.txt")" -ne 1 ]; then
		missing=$((missing + 1))
	fi
	k=$((k + 1))
done
check "every school once in the appendix ($missing not)" [ "$missing" -eq 0 ]
i=1
blank=0
while [ "$i" -le "$bn" ]; do
	[ "$(dark_pixels "$bp" "$i")" -ge 100 ] || blank=$((blank + 1))
	i=$((i + 1))
done
check "no blank page in the district report ($blank)" [ "$blank" -eq 0 ]

echo "e2e_report: $pass passed, $fails failed"
[ "$fails" -eq 0 ]

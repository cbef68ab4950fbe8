#!/bin/sh
# End-to-end tests of schoolstat-report: the real pipeline on data/sample
# (stages that are not built are skipped), then the report: Vietnamese text
# and figures read from the CSV outputs found in the PDF (pdftotext), page
# footers, no blank page (pixels counted on pdftoppm's grey image),
# byte-identical reruns (also from CRLF tables), --unit/--title/--year,
# every exit status, a synthetic district of 300 schools whose appendix
# paginates with its header on every page, and the whole pipeline through
# schoolstat-run, whose run_info.csv becomes the last page "Thông tin lần
# chạy".
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
	 "IV. KIỂM ĐỊNH CHẤT LƯỢNG GIÁO DỤC VÀ TRƯỜNG ĐẠT CHUẨN QUỐC GIA" \
	 "V. KẾT QUẢ THI TUYỂN SINH LỚP 10" "VI. CHẤT LƯỢNG DỮ LIỆU" \
	 "Mã trường không có trong danh sách trường" "THỦ TRƯỞNG ĐƠN VỊ" \
	 "Nơi nhận:" "PHỤ LỤC" "Biểu đồ 1." "Bảng 1." "Trang 1/$n" "Trang $n/$n"; do
	check "text has '$s'" has "$txt" "$s"
done
# run by hand, without run_info.csv: no run information, nor its entry
check "no run information without run_info.csv" sh -c "! grep -qF 'Thông tin lần chạy' '$txt'"
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
	     "III. Định mức giáo viên và sĩ số lớp|III. ĐỊNH MỨC GIÁO VIÊN" \
	     "IV. Kiểm định chất lượng giáo dục và trường đạt chuẩn quốc gia|IV. KIỂM ĐỊNH CHẤT LƯỢNG GIÁO DỤC" \
	     "V. Kết quả thi tuyển sinh lớp 10|V. KẾT QUẢ THI TUYỂN SINH LỚP 10" \
	     "VI. Chất lượng dữ liệu|VI. CHẤT LƯỢNG DỮ LIỆU" \
	     "Phụ lục. Số liệu chi tiết theo trường|SỐ LIỆU CHI TIẾT THEO TRƯỜNG"; do
	toc=${entry%%|*}
	head=${entry#*|}
	# anchored: "V. Kết quả thi" must not match an entry "IV. Kết quả thi"
	p=$(grep "^ *$toc" "$tmp/cover.txt" | awk '{ print $NF }')
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
# Section IV, accreditation: figures read from indicators.csv,
# accreditation_schedule.csv, accreditation_trajectory.csv and gaps.csv,
# found in the text joined into one line (sentences wrap across lines).
sched=$out/accreditation_schedule.csv
traj=$out/accreditation_trajectory.csv
flat=$tmp/flat.txt
tr '\n' ' ' <"$txt" | tr -s ' ' >"$flat"
dmy() { # 2025-08-20 -> 20/08/2025
	echo "$1" | awk -F- 'NF == 3 { print $3 "/" $2 "/" $1 }'
}
# A CSV's column by header name, for every data row (these files have no
# quoted commas).
column() { # FILE NAME
	awk -F, -v n="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == n) c = i; next }
		{ print $c }' "$1"
}
line_of() { # TEXT: first line of the text output holding it
	grep -nF -- "$1" "$txt" | head -n 1 | cut -d: -f1
}
if [ -f "$sched" ] && [ -f "$ind" ]; then
	l3=$(line_of "III. ĐỊNH MỨC GIÁO VIÊN")
	l4=$(line_of "IV. KIỂM ĐỊNH CHẤT LƯỢNG")
	l5=$(line_of "V. KẾT QUẢ THI")
	check "section IV between III ($l3) and V ($l5): $l4" \
		[ "${l3:-0}" -lt "${l4:-0}" ] && [ "${l4:-0}" -lt "${l5:-0}" ]
	# the shares, all schools and public ones, with their parts
	for name in standard_school_share standard_school_share_public; do
		v=$(cell "$ind" 2024-2025 all $name 4)
		num=$(cell "$ind" 2024-2025 all $name 5)
		den=$(cell "$ind" 2024-2025 all $name 6)
		want="$(vi_number "$v" 2)% ($(vi_number "$num" 0)/$(vi_number "$den" 0))"
		check "$name '$want'" has "$flat" "$want"
	done
	want="cuối năm học 2024-2025: $(vi_number "$(cell "$ind" 2024-2025 all standard_school_share 4)" 2)%"
	check "the share is the report year's ($want)" has "$flat" "$want"
	v=$(cell "$ind" 2024-2025 all standard_school_share_public 4)
	check "public share named as such" has "$flat" "riêng trường công lập: $(vi_number "$v" 2)%"
	m1=$(cell "$ind" 2024-2025 all standard_school_share:1 5)
	m2=$(cell "$ind" 2024-2025 all standard_school_share:2 5)
	check "standard levels '$m1, $m2'" has "$flat" "mức độ 1: $m1 trường, mức độ 2: $m2 trường"
	nv=$(cell "$ind" 2024-2025 all accreditation_valid 4)
	no=$(cell "$ind" 2024-2025 all accreditation_overdue 4)
	nx=$(cell "$ind" 2024-2025 all accreditation_expired 4)
	ne=$(cell "$ind" 2024-2025 all accreditation_expiring 4)
	want="$nv trường còn hiệu lực, trong đó $no trường đã quá hạn đăng ký đánh giá lại; $nx trường đã hết hiệu lực; $ne trường có thời hạn công nhận kết thúc"
	check "valid/overdue/expired/expiring counts ($nv/$no/$nx/$ne)" has "$flat" "$want"
	# every school that must act, named with its deadline, in the order
	# of the deadlines (register_by; never recognised last)
	column "$sched" name >"$tmp/s_name"
	column "$sched" status >"$tmp/s_status"
	column "$sched" next_action >"$tmp/s_action"
	column "$sched" register_by >"$tmp/s_reg"
	column "$sched" expires_on >"$tmp/s_exp"
	column "$sched" days_to_register >"$tmp/s_days"
	paste -d '|' "$tmp/s_reg" "$tmp/s_name" "$tmp/s_status" "$tmp/s_action" \
		"$tmp/s_exp" "$tmp/s_days" |
		awk -F'|' '$4 != "none" { print ($1 == "" ? "9999" : $1) "|" $0 }' |
		sort -t'|' -k1,1 -s | cut -d'|' -f2- >"$tmp/due"
	check "the sample has schools that must act" [ -s "$tmp/due" ]
	prev=0
	ordered=1
	while IFS='|' read -r reg name status action exp days; do
		case $action/$status in
		renewal/valid)
			want="$name: đăng ký đánh giá ngoài để công nhận lại chậm nhất ngày $(dmy "$reg") (còn $days ngày)" ;;
		renewal/overdue)
			want="$name: đã quá hạn đăng ký đánh giá lại (hạn ngày $(dmy "$reg"), đã quá ${days#-} ngày), đăng ký ngay" ;;
		renewal/expired)
			want="$name: công nhận đã hết hiệu lực (hiệu lực đến hết ngày $(dmy "$exp")), đăng ký đánh giá ngoài để công nhận lại ngay" ;;
		*)
			want="công nhận lần đầu (chưa có hạn bắt buộc): $name" ;;
		esac
		check "$action/$status: '$want'" has "$flat" "$want"
		at=$(awk -v s="$want" '{ print index($0, s) }' "$flat")
		[ "${at:-0}" -gt "$prev" ] || ordered=0
		prev=${at:-0}
	done <"$tmp/due"
	check "schools listed by registration deadline" [ "$ordered" = 1 ]
	ref=$(column "$sched" reference_date | head -n 1)
	check "list dated $(dmy "$ref")" has "$flat" "Các trường cần đăng ký đánh giá ngoài, đến ngày $(dmy "$ref") (theo hạn đăng ký)"
	nn=$(grep -cx none "$tmp/s_action" || :)
	check "$nn schools with nothing due" has "$flat" "$nn trường còn lại chưa đến hạn đăng ký đánh giá lại"
	# the two charts, drawn as vectors: their own labels are text, and the
	# PDF holds no raster image
	check "levels chart caption" has "$flat" "Trường theo loại hình và mức độ đạt chuẩn quốc gia, đến ngày $(dmy "$ref")"
	check "timeline chart caption" has "$flat" "Thời hạn công nhận, hạn đăng ký đánh giá lại và kế hoạch đánh giá ngoài, đến ngày $(dmy "$ref")"
	check "levels chart legend is text" has "$flat" "Chuẩn quốc gia mức độ 2"
	check "timeline legend is text" has "$flat" "Kế hoạch đánh giá"
	check "no raster image in the PDF" [ "$(pdfimages -list "$pdf" | tail -n +3 | wc -l)" -eq 0 ]
fi
if [ -f "$traj" ] && [ -s "$traj" ]; then
	pdftotext -layout "$pdf" "$tmp/layout.txt"
	schools=$(column "$traj" schools | head -n 1)
	required=$(column "$traj" required | head -n 1)
	check "required $required of $schools" has "$flat" "Với $schools trường, cần ít nhất $required trường đạt chuẩn còn hiệu lực"
	# every row of the path, cells in order on one line of the table
	k=1
	for name in year measured_on path valid_no_renewal expiring \
		    to_recognize planned_valid basis; do
		column "$traj" $name >"$tmp/t$k"
		k=$((k + 1))
	done
	paste -d ' ' "$tmp/t1" "$tmp/t2" "$tmp/t3" "$tmp/t4" "$tmp/t5" \
		"$tmp/t6" "$tmp/t7" "$tmp/t8" >"$tmp/path"
	while read -r y m p v x k q basis; do
		if [ "$basis" = plan ]; then
			pat="^ *$y +$(dmy "$m") +$p +$v +$x +$k +$q *$"
			check "path row $y: $p $v $x $k $q" grep -Eq "$pat" "$tmp/layout.txt"
			if [ "$k" -gt 0 ]; then
				check "$k recognitions in $y said" has "$flat" "$k lượt trong năm học $y"
			fi
		fi
	done <"$tmp/path"
	last=$(tail -n 1 "$tmp/path")
	set -- $last
	if [ "$4" -lt "$required" ]; then
		check "expiries stated: $4 left on $(dmy "$2")" has "$flat" \
			"đến ngày $(dmy "$2") chỉ còn $4 trường đạt chuẩn còn hiệu lực, thấp hơn $required trường cần có"
	fi
	# beside the linear trend of gaps.csv
	on=$(awk -F, '$3 == "standard_school_share" && $2 == "all" { print $15; exit }' "$gaps")
	slope=$(awk -F, '$3 == "standard_school_share" && $2 == "all" { print $12; exit }' "$gaps")
	proj=$(awk -F, '$3 == "standard_school_share" && $2 == "all" { print $13; exit }' "$gaps")
	sign=$(awk -v s="$slope" 'BEGIN { print (s + 0 > 0 ? "+" : "") }')
	check "trend from gaps.csv '$sign$(vi_number "$slope" 2)', '$(vi_number "$proj" 2)%'" has "$flat" \
		"$sign$(vi_number "$slope" 2) điểm phần trăm mỗi năm, dự báo năm 2030: $(vi_number "$proj" 2)%"
	if [ "$on" = yes ] && [ "$4" -lt "$required" ]; then
		check "says the trend is on track but expiries make it unreachable" has "$flat" \
			"chỉ tiêu “đúng hướng”; nhưng xu hướng này chưa tính đến việc công nhận hết hạn"
	fi
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
# The big tables as a spreadsheet saves them (CRLF) are read through csvin
# instead of the direct scanner: the same report.
cp -R "$out" "$tmp/crlf"
for f in indicators.csv exam_histograms.csv clean/exam_hist.csv; do
	if [ -f "$out/$f" ]; then
		sed 's/$/\r/' "$out/$f" >"$tmp/crlf/$f"
	fi
done
check "CRLF tables exit 0" [ "$(SOURCE_DATE_EPOCH=1748736000 status_of "$prog" "$tmp/crlf")" = 0 ]
check "CRLF tables: the same bytes" cmp -s "$tmp/crlf/report.pdf" "$tmp/first.pdf"
(unset SOURCE_DATE_EPOCH; "$prog" "$out" 2>/dev/null) && cp "$pdf" "$tmp/nodate.pdf"
sleep 1
(unset SOURCE_DATE_EPOCH; "$prog" "$out" 2>/dev/null)
check "rerun without SOURCE_DATE_EPOCH byte-identical" cmp -s "$pdf" "$tmp/nodate.pdf"
check "date from the data" sh -c "pdfinfo '$pdf' | grep -q '^CreationDate: *Wed Jan  1 00:00:00 2025 UTC'"
pdftotext -layout "$pdf" "$tmp/nodate.txt"
check "date line left for the signer" grep -q "Hòa Bình, ngày  *tháng  *năm 2025" "$tmp/nodate.txt"

# Section IV without its files: one line each, the report goes on; a
# malformed schedule stops it with the position.
if [ -f "$out/accreditation_schedule.csv" ]; then
	cp -R "$out" "$tmp/na"
	rm -f "$tmp/na/accreditation_trajectory.csv"
	check "no trajectory exit 0" [ "$(status_of "$prog" "$tmp/na")" = 0 ]
	pdftotext "$tmp/na/report.pdf" - | tr '\n' ' ' >"$tmp/na.txt"
	check "no trajectory said" has "$tmp/na.txt" "Chưa có lộ trình (thiếu tệp accreditation_trajectory.csv)."
	check "schedule still used" has "$tmp/na.txt" "Các trường cần đăng ký đánh giá ngoài"
	rm -f "$tmp/na/accreditation_schedule.csv"
	check "no schedule exit 0" [ "$(status_of "$prog" "$tmp/na")" = 0 ]
	pdftotext "$tmp/na/report.pdf" - | tr '\n' ' ' >"$tmp/na.txt"
	check "no schedule said in one line" has "$tmp/na.txt" \
		"Chưa có số liệu kiểm định chất lượng và công nhận trường đạt chuẩn quốc gia (thiếu tệp accreditation_schedule.csv)."
	check "no schedule: no list" sh -c "! grep -qF 'Các trường cần đăng ký' '$tmp/na.txt'"
	cp "$out/accreditation_schedule.csv" "$tmp/na/"
	rm -f "$tmp/na/clean/accreditation.csv"
	check "no register exit 0" [ "$(status_of "$prog" "$tmp/na")" = 0 ]
	pdftotext "$tmp/na/report.pdf" - | tr '\n' ' ' >"$tmp/na.txt"
	check "no register said" has "$tmp/na.txt" "(không có tệp accreditation.csv trong số liệu đầu vào)"
	sed '1s/next_action/next_step/' "$out/accreditation_schedule.csv" >"$tmp/na/accreditation_schedule.csv"
	check "malformed schedule exit 3" [ "$(status_of "$prog" "$tmp/na")" = 3 ]
	check "malformed schedule message" grep -qx \
		"$tmp/na/accreditation_schedule.csv:1: error: missing column 'next_action' (expected it in the header written by the pipeline)" "$tmp/err"
fi

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
check "district without accreditation files says so" sh -c \
	"tr '\\n' ' ' <'$tmp/big.txt' | grep -qF '(thiếu tệp accreditation_schedule.csv)'"
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

# ------------------------------------------------------------------ 6
# Through the driver, which writes run_info.csv just before the report
# stage: the last page, "Thông tin lần chạy", prints its essentials (read
# here from run_info.csv); without the file the page and its contents
# entry are gone. Without SOURCE_DATE_EPOCH, as cron runs it.
unset SOURCE_DATE_EPOCH 2>/dev/null || true
not_built=
for stage in run ingest indicators norms gaps audit accreditation charts report; do
	[ -x "$bin/schoolstat-$stage" ] || not_built="$not_built schoolstat-$stage"
done
if [ -n "$not_built" ]; then
	echo "skip: the driver part, not built:$not_built"
else
	ro=$tmp/full
	if ! "$bin/schoolstat-run" --input data/sample --output "$ro" >/dev/null 2>"$tmp/run.err"; then
		cat "$tmp/run.err" >&2
		echo "FAIL: schoolstat-run on the sample" >&2
		exit 1
	fi
	info=$ro/run_info.csv
	rp=$ro/report.pdf
	check "driver wrote run_info.csv" [ -s "$info" ]
	# a value of run_info.csv (the values read here hold no comma, so
	# none is quoted)
	info_value() { # KEY
		awk -F, -v k="$1" 'NR > 1 && $1 == k { print $2; exit }' "$info"
	}
	rn=$(pages_of "$rp")
	pdftotext -f "$rn" -l "$rn" "$rp" "$tmp/last.txt"
	pdftotext -layout -f "$rn" -l "$rn" "$rp" "$tmp/last_layout.txt"
	tr '\n' ' ' <"$tmp/last.txt" | tr -s ' ' >"$tmp/last_flat.txt"
	last=$tmp/last.txt
	check "last page ($rn) is 'Thông tin lần chạy'" has "$last" "Thông tin lần chạy"
	check "last page has its footer" has "$last" "Trang $rn/$rn"
	v=$(info_value program)
	ver=$(info_value version)
	check "program and version '$v, phiên bản $ver'" has "$last" "$v, phiên bản $ver"
	v=$(info_value input_dir)
	check "input directory '$v'" has "$last" "Thư mục số liệu đầu vào: $v"
	v=$(info_value norms)
	h=$(info_value norms_sha256 | cut -c1-12)
	check "norm table '$v' with its short hash '$h'" has "$last" "$v (SHA-256, 12 ký tự đầu: $h)"
	ne=$(vi_number "$(info_value validation_errors)" 0)
	nw=$(vi_number "$(info_value validation_warnings)" 0)
	nr=$(vi_number "$(info_value rejected_rows)" 0)
	check "counts 'lỗi: $ne; cảnh báo: $nw; dòng bị loại: $nr'" has "$last" "lỗi: $ne; cảnh báo: $nw; dòng bị loại: $nr"
	check "manifest.json named for the full hashes and times" has "$tmp/last_flat.txt" \
		"Tệp manifest.json trong thư mục kết quả ghi đầy đủ mã SHA-256"
	# the table with most rows, so that the count has a thousands group
	tab=$(awk -F, 'NR > 1 && $1 ~ /^table:.*:rows_read$/ && $2 + 0 > best {
			best = $2 + 0; t = $1 }
		END { sub(/^table:/, "", t); sub(/:rows_read$/, "", t); print t }' "$info")
	rr=$(info_value "table:$tab:rows_read")
	ra=$(info_value "table:$tab:rows_accepted")
	rj=$(info_value "table:$tab:rows_rejected")
	path=$(info_value "table:$tab:path")
	sha=$(info_value "table:$tab:sha256")
	h=$(echo "$sha" | cut -c1-12)
	check "the sample has a table of more than 999 rows ($tab: $rr)" [ "${rr:-0}" -ge 1000 ]
	check "$tab rows read '$(vi_number "$rr" 0)'" has "$last" "$(vi_number "$rr" 0)"
	check "$tab sha256 '$h'" has "$last" "$h"
	check "only 12 hex digits printed" sh -c "! grep -qF '$sha' '$last'"
	re() { # a fixed string as an extended regular expression
		printf '%s' "$1" | sed 's/[].[*^$\\/+?(){}|]/\\&/g'
	}
	row="$(re "$path") +$(re "$(vi_number "$rr" 0)") +$(re "$(vi_number "$ra" 0)") +$(re "$(vi_number "$rj" 0)") +$h"
	check "$tab row: path, read, accepted, rejected, hash" grep -Eq "$row" "$tmp/last_layout.txt"
	# every table of the file, by its path
	awk -F, 'NR > 1 && $1 ~ /^table:.*:path$/ { print $2 }' "$info" >"$tmp/paths"
	check "run_info.csv lists tables" [ -s "$tmp/paths" ]
	while IFS= read -r pth; do
		check "input table '$pth' listed" has "$last" "$pth"
	done <"$tmp/paths"
	# the contents entry points at the last page
	pdftotext -layout -f 1 -l 1 "$rp" "$tmp/cover6.txt"
	p=$(grep "^ *Thông tin lần chạy" "$tmp/cover6.txt" | awk '{ print $NF }')
	check "contents entry 'Thông tin lần chạy' on page $rn ($p)" [ "$p" = "$rn" ]
	# the same bytes: another run into another directory, and the report
	# stage run again by hand on the driver's output
	if "$bin/schoolstat-run" --input data/sample --output "$tmp/full2" >/dev/null 2>&1; then
		check "second driver run: report byte-identical" cmp -s "$rp" "$tmp/full2/report.pdf"
	else
		check "second driver run exit 0" false
	fi
	cp "$rp" "$tmp/driver.pdf"
	check "report by hand on the driver's output exit 0" [ "$(status_of "$prog" "$ro")" = 0 ]
	check "report by hand: the driver's bytes" cmp -s "$rp" "$tmp/driver.pdf"
	# an unknown count prints as "—"
	cp -R "$ro" "$tmp/blank"
	sed "s/^table:$tab:rows_read,.*/table:$tab:rows_read,/" "$info" >"$tmp/blank/run_info.csv"
	check "blank count exit 0" [ "$(status_of "$prog" "$tmp/blank")" = 0 ]
	pdftotext -layout -f "$rn" -l "$rn" "$tmp/blank/report.pdf" "$tmp/blank.txt"
	check "blank rows read printed as '—'" grep -Eq "$(re "$path") +— +$(re "$(vi_number "$ra" 0)")" "$tmp/blank.txt"
	# without run_info.csv: one page less, no section, no contents entry
	cp -R "$ro" "$tmp/noinfo"
	rm -f "$tmp/noinfo/run_info.csv"
	check "no run_info.csv exit 0" [ "$(status_of "$prog" "$tmp/noinfo")" = 0 ]
	check "no run_info.csv: one page less" [ "$(pages_of "$tmp/noinfo/report.pdf")" -eq $((rn - 1)) ]
	pdftotext "$tmp/noinfo/report.pdf" "$tmp/noinfo.txt"
	check "no run_info.csv: no run information anywhere" sh -c "! grep -qF 'Thông tin lần chạy' '$tmp/noinfo.txt'"
	check "no run_info.csv: the appendix is last" sh -c \
		"pdftotext -f $((rn - 1)) -l $((rn - 1)) '$tmp/noinfo/report.pdf' - | grep -qF 'HS/lớp'"
	# a malformed file stops the report with its position
	printf 'key,val\nprogram,schoolstat-run\n' >"$tmp/noinfo/run_info.csv"
	check "malformed run_info.csv exit 3" [ "$(status_of "$prog" "$tmp/noinfo")" = 3 ]
	check "malformed run_info.csv message" grep -qx \
		"$tmp/noinfo/run_info.csv:1: error: missing column 'value' (expected it in the header written by the pipeline)" "$tmp/err"
fi

# A national exam file: more than 60 schools with results, so the exam
# table shows levels and provinces, not schools (the appendix still lists
# every school). Needs the generator of tools/ (make bench builds it).
gen=$BUILD/tools/gen_exam
if [ -x "$gen" ]; then
	mkdir -p "$tmp/nat_in"
	"$gen" --candidates 6000 --schools 80 --seed 7 \
		--schools-csv "$tmp/nat_in/schools.csv" >"$tmp/nat_in/exam_scores.csv"
	check "national input: driver exit 0" sh -c \
		"'$bin/schoolstat-run' --input '$tmp/nat_in' --output '$tmp/nat' >/dev/null 2>&1"
	pdftotext "$tmp/nat/report.pdf" "$tmp/nat.txt"
	# section V runs from its heading to section VI's
	sed -n '/^V\. KẾT QUẢ THI/,/^VI\. CHẤT LƯỢNG/p' "$tmp/nat.txt" >"$tmp/nat_v.txt"
	check "national: exam table says why it has no schools" grep -qF "80 trường có thí sinh" "$tmp/nat_v.txt"
	check "national: per-school figures pointed to indicators.csv" grep -qF "indicators.csv" "$tmp/nat_v.txt"
	prov=$(grep -h '^[^,]*,province:[^,]*,exam_candidates:' "$tmp/nat/indicators.csv" |
		head -1 | cut -d, -f2 | sed 's/^province://')
	check "national: indicators.csv has province rows" [ -n "$prov" ]
	check "national: a province row in the exam table" grep -qF "$prov" "$tmp/nat_v.txt"
	name=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "name") c = i }
		NR == 2 { print $c; exit }' "$tmp/nat/clean/schools.csv")
	check "national: a school name to look for" [ -n "$name" ]
	check "national: no school row in the exam table" sh -c "! grep -qF '$name' '$tmp/nat_v.txt'"
	check "national: the school is in the appendix" grep -qF "$name" "$tmp/nat.txt"
else
	echo "e2e_report: $gen not built: national exam check skipped"
fi

echo "e2e_report: $pass passed, $fails failed"
[ "$fails" -eq 0 ]

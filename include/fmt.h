/* fmt — numbers for people, in Vietnamese style: '.' groups thousands and
 * ',' is the decimal mark ("1.062", "4,95", "99,9%"), whatever the C locale
 * (the pipeline never calls setlocale).
 *
 * Rounding: half away from zero on the exact value of the double, as
 * vi-VN Excel shows it, so a chart label agrees with what the user sees in
 * a spreadsheet: 2.5 -> "3", 0.125 -> "0,13", 1.005 -> "1,00" (the double
 * nearest 1.005 is 1.00499999...). A rate of 99.95 with one decimal is
 * shown as "100,0%": callers that must tell it from 100% pass more
 * decimals. A result that rounds to zero loses its sign ("-0,0" never
 * appears). Negative numbers use the ASCII hyphen-minus: "-1.234,5".
 *
 * Every function writes at most size-1 bytes plus NUL into buf (truncating
 * like snprintf) and returns buf; FMT_BUF_SIZE is enough for |v| < 1e40 at
 * any number of decimals. Non-finite values give "" (callers draw no
 * label). decimals is clamped to 0..FMT_MAX_DECIMALS.
 */
#ifndef SCHOOLSTAT_FMT_H
#define SCHOOLSTAT_FMT_H

#include <stddef.h>

#define FMT_BUF_SIZE 64
#define FMT_MAX_DECIMALS 9

/* v with exactly `decimals` decimals: fmt_number(1062.5, 1) = "1.062,5". */
const char *fmt_number(double v, int decimals, char *buf, size_t size);

/* Like fmt_number with at most max_decimals decimals, trailing zeros and a
 * trailing ',' dropped: (98, 2) -> "98", (97.5, 2) -> "97,5". For targets
 * and limits, which people write without padding. */
const char *fmt_number_trim(double v, int max_decimals, char *buf,
			    size_t size);

/* A whole number with thousands grouped: 1062 -> "1.062". */
const char *fmt_count(long long v, char *buf, size_t size);

/* v is already a percentage (0-100, as in the contract's outputs):
 * fmt_percent(99.94, 1) = "99,9%". No space before '%'. */
const char *fmt_percent(double v, int decimals, char *buf, size_t size);

/* fmt_number_trim followed by '%': (98, 1) -> "98%". */
const char *fmt_percent_trim(double v, int max_decimals, char *buf,
			     size_t size);

#endif

/* text — UTF-8 helpers: name folding for header/alias matching, validity,
 * character columns, and legacy Vietnamese encodings through iconv. */
#ifndef SCHOOLSTAT_TEXT_H
#define SCHOOLSTAT_TEXT_H

#include <stddef.h>

#include "err.h"

/* Folds a UTF-8 name for matching without regard to case or diacritics:
 * Vietnamese letters (precomposed or with combining marks) become their
 * base ASCII letter ("Mã trường" -> "ma_truong", "Đ" -> "d"), ASCII is
 * lower-cased, each run of white space, '_', '-', '.', '/' becomes one '_',
 * leading/trailing separators are dropped. Other characters are kept.
 * Writes at most outsz-1 bytes plus NUL; returns the folded length (which
 * may exceed outsz-1 when truncated, like snprintf). */
size_t text_fold(const char *in, char *out, size_t outsz);

/* 1 when s[0..len) is valid UTF-8 (no overlongs, no surrogates); else 0 and
 * *bad_offset (may be NULL) gets the offset of the first invalid byte. */
int text_utf8_valid(const char *s, size_t len, size_t *bad_offset);

/* After a snprintf into buf[0..size) that needed `needed` bytes: when the
 * text was cut, drops a partial UTF-8 character at the end and marks the
 * cut with "…" (room permitting), so a truncated message is still valid
 * UTF-8 and visibly incomplete. */
void text_mark_truncated(char *buf, size_t size, int needed);

/* Number of UTF-8 characters in s[0..len) (for 1-based columns). */
size_t text_utf8_chars(const char *s, size_t len);

/* Writes s[0..len) with every byte that is not part of valid UTF-8 as
 * "\xNN" into a malloc'd NUL-terminated string the caller frees. NULL on
 * allocation failure. */
char *text_escape_invalid(const char *s, size_t len);

/* Legacy encodings. Names accepted: "utf-8"/"utf8" (no conversion),
 * "cp1258"/"windows-1258", "tcvn3"/"tcvn"/"tcvn5712" (TCVN 5712:1993,
 * through glibc's TCVN5712-1). */
typedef struct text_decoder text_decoder;

/* Allocates a decoder; SS_EUSAGE for an unknown name, SS_EINTERNAL when
 * iconv lacks the encoding. The caller frees it with text_decoder_free. */
ss_status text_decoder_alloc(text_decoder **out, const char *encoding,
			     ss_error *e);
void text_decoder_free(text_decoder *d);

/* Converts one complete line in[0..len) to UTF-8 into *buf (malloc'd,
 * grown as needed, owned by the caller; *cap is its size), storing the
 * length in *outlen and NUL-terminating. SS_EDATA with a message naming
 * the byte when the input has a byte invalid in the encoding. */
ss_status text_decode_line(text_decoder *d, const char *in, size_t len,
			   char **buf, size_t *cap, size_t *outlen,
			   ss_error *e);

#endif

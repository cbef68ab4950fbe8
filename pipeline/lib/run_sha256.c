/* SHA-256 over libcrypto's EVP interface (include/run.h says why). */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

int run_sha256_init(run_sha256 *s)
{
	s->failed = 0;
	s->ctx = EVP_MD_CTX_new();
	if (!s->ctx || EVP_DigestInit_ex(s->ctx, EVP_sha256(), NULL) != 1) {
		s->failed = 1;
		return -1;
	}
	return 0;
}

void run_sha256_update(run_sha256 *s, const void *data, size_t len)
{
	if (!s->failed && len > 0 && EVP_DigestUpdate(s->ctx, data, len) != 1)
		s->failed = 1;
}

int run_sha256_final(run_sha256 *s, char hex[RUN_SHA256_HEX])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	hex[0] = '\0';
	if (!s->failed && (EVP_DigestFinal_ex(s->ctx, md, &n) != 1 || n != 32))
		s->failed = 1;
	if (!s->failed) {
		for (unsigned i = 0; i < 32; i++) {
			hex[2 * i] = digits[md[i] >> 4];
			hex[2 * i + 1] = digits[md[i] & 0xf];
		}
		hex[64] = '\0';
	}
	run_sha256_release(s);
	return s->failed ? -1 : 0;
}

void run_sha256_release(run_sha256 *s)
{
	EVP_MD_CTX_free(s->ctx);
	s->ctx = NULL;
}

int run_sha256_hex(const void *data, size_t len, char hex[RUN_SHA256_HEX])
{
	run_sha256 s;

	run_sha256_init(&s);
	run_sha256_update(&s, data, len);
	return run_sha256_final(&s, hex);
}

/* offset only names the start in the message (< 0: not said). */
static ss_status hash_fd(int fd, const char *path, long long offset,
			 long long len, char hex[RUN_SHA256_HEX],
			 long long *bytes, ss_error *e)
{
	unsigned char buf[65536];
	run_sha256 s;
	long long done = 0;

	if (run_sha256_init(&s) != 0) {
		run_sha256_release(&s);
		return err_set(e, SS_ENOMEM, path, 0, 0, "out of memory");
	}
	while (len < 0 || done < len) {
		size_t want = sizeof buf;
		ssize_t got;

		if (len >= 0 && (long long)want > len - done)
			want = (size_t)(len - done);
		got = read(fd, buf, want);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int err = errno;

			run_sha256_release(&s);
			return err_set_errno(e, SS_EIO, path, err, "cannot read");
		}
		if (got == 0)
			break;
		run_sha256_update(&s, buf, (size_t)got);
		done += got;
	}
	if (len >= 0 && done < len)
		run_sha256_release(&s);
	if (len >= 0 && done < len && offset >= 0)
		return err_set(e, SS_EIO, path, 0, 0,
			       "file is shorter than expected: %lld bytes from offset %lld (expected %lld)",
			       done, offset, len);
	if (len >= 0 && done < len)
		return err_set(e, SS_EIO, path, 0, 0,
			       "file is shorter than expected: %lld bytes (expected %lld)",
			       done, len);
	if (run_sha256_final(&s, hex) != 0)
		return err_set(e, SS_ENOMEM, path, 0, 0,
			       "cannot hash: out of memory");
	if (bytes)
		*bytes = done;
	return SS_OK;
}

ss_status run_sha256_fd(int fd, const char *path, long long len,
			char hex[RUN_SHA256_HEX], long long *bytes, ss_error *e)
{
	return hash_fd(fd, path, -1, len, hex, bytes, e);
}

ss_status run_sha256_file(const char *path, long long offset, long long len,
			  char hex[RUN_SHA256_HEX], long long *bytes,
			  ss_error *e)
{
	ss_status st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return err_set_errno(e, SS_EIO, path, errno, "cannot open");
	if (offset > 0 && lseek(fd, (off_t)offset, SEEK_SET) < 0) {
		int err = errno;

		close(fd);
		return err_set_errno(e, SS_EIO, path, err, "cannot seek");
	}
	st = hash_fd(fd, path, offset > 0 ? offset : 0, len, hex, bytes, e);
	close(fd);
	return st;
}

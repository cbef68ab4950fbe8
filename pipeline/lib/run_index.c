/* The hash index (include/run.h): reuse a recorded SHA-256 when the file's
 * size, nanosecond mtime and inode are those recorded, as git's index
 * does, and never for a file that was "racy" when it was hashed. */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int run_index_fresh(const run_file *known, long long size, long long mtime_ns,
		    long long ino)
{
	return known && known->indexed && known->sha256[0] &&
	       known->bytes == size && known->mtime_ns == mtime_ns &&
	       known->ino == ino;
}

long long run_index_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int run_index_untouched(const run_file *known, long long since_ns,
			long long size, long long mtime_ns, long long ino,
			long long ctime_ns)
{
	return known && since_ns > 0 && known->sha256[0] &&
	       known->ctime_ns > 0 && known->ctime_ns % 1000000000LL != 0 &&
	       known->ctime_ns < since_ns - RUN_TICK_NS &&
	       known->ctime_ns == ctime_ns && known->bytes == size &&
	       known->mtime_ns == mtime_ns && known->ino == ino;
}

ss_status run_index_hash(const char *path, const run_file *known,
			 run_file *f, int *hashed, ss_error *e)
{
	return run_index_hash_since(path, known, 0, f, hashed, e);
}

ss_status run_index_hash_since(const char *path, const run_file *known,
			       long long since_ns, run_file *f, int *hashed,
			       ss_error *e)
{
	struct stat sb;
	long long mtime, t0;
	ss_status st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (hashed)
		*hashed = 0;
	if (fd < 0)
		return err_set_errno(e, SS_EIO, path, errno, "cannot open");
	/* the stat of the open file, taken before any byte is read: a write
	   after this moment leaves a newer mtime than the one recorded */
	t0 = run_index_now_ns();
	if (fstat(fd, &sb) != 0) {
		int err = errno;

		close(fd);
		return err_set_errno(e, SS_EIO, path, err, "cannot stat");
	}
	mtime = (long long)sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec;
	f->mtime_ns = mtime;
	f->ino = (long long)sb.st_ino;
	f->ctime_ns = (long long)sb.st_ctim.tv_sec * 1000000000LL +
		      sb.st_ctim.tv_nsec;
	if (run_index_untouched(known, since_ns, (long long)sb.st_size, mtime,
				f->ino, f->ctime_ns)) {
		close(fd);
		memcpy(f->sha256, known->sha256, RUN_SHA256_HEX);
		f->bytes = known->bytes;
		f->indexed = known->indexed;
		return SS_OK;
	}
	if (run_index_fresh(known, (long long)sb.st_size, mtime, f->ino)) {
		close(fd);
		memcpy(f->sha256, known->sha256, RUN_SHA256_HEX);
		f->bytes = known->bytes;
		f->indexed = 1;
		return SS_OK;
	}
	st = run_sha256_fd(fd, path, -1, f->sha256, &f->bytes, e);
	close(fd);
	if (st != SS_OK) {
		f->sha256[0] = '\0';
		f->indexed = 0;
		return st;
	}
	if (hashed)
		*hashed = 1;
	/* racy: written within RUN_RACY_NS of the hash (or dated later), a
	   same-size rewrite could keep this mtime; such a file is hashed
	   again next time. The size read must be the size stat'ed. */
	f->indexed = mtime < t0 - RUN_RACY_NS && f->bytes == (long long)sb.st_size;
	return SS_OK;
}

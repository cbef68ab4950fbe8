/* File operations of the run module: reading, writing, scanning, copying
 * and removing trees. Outputs of reused stages are copied rather than hard
 * linked: a stage that opens an existing file for writing would otherwise
 * write through the link into the published outputs. */
#include "run.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

ss_status run_read_file(const char *path, char **data, size_t *len,
			int *missing, ss_error *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, n = 0;
	char *buf;

	*data = NULL;
	*len = 0;
	if (missing)
		*missing = 0;
	if (fd < 0) {
		if (missing && errno == ENOENT)
			*missing = 1;
		return err_set_errno(e, SS_EIO, path, errno, "cannot open");
	}
	if (!(buf = malloc(cap))) {
		close(fd);
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	}
	for (;;) {
		ssize_t got;

		if (cap - n < 2) {
			char *p = cap > (size_t)-1 / 2 ? NULL : realloc(buf, cap * 2);

			if (!p) {
				free(buf);
				close(fd);
				return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
			}
			buf = p;
			cap *= 2;
		}
		got = read(fd, buf + n, cap - n - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int err = errno;

			free(buf);
			close(fd);
			return err_set_errno(e, SS_EIO, path, err, "cannot read");
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return SS_OK;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

ss_status run_write_file(const char *path, const char *data, size_t len,
			 ss_error *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	int err;

	if (fd < 0)
		return err_set_errno(e, SS_EIO, path, errno, "cannot create");
	if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		err = errno;
		close(fd);
		return err_set_errno(e, SS_EIO, path, err, "cannot write");
	}
	if (close(fd) != 0)
		return err_set_errno(e, SS_EIO, path, errno, "cannot write");
	return SS_OK;
}

/* ------------------------------------------------------------ scanning */

static ss_status scan_dir(const char *root, const char *rel,
			  const run_files *known, long long since_ns,
			  run_files *out, long long *nhashed, ss_error *e)
{
	char *dirpath = rel[0] ? run_path_join(root, rel) : strdup(root);
	DIR *d;
	struct dirent *de;
	ss_status st = SS_OK;

	if (!dirpath)
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	if (!(d = opendir(dirpath))) {
		st = err_set_errno(e, SS_EIO, dirpath, errno, "cannot open directory");
		free(dirpath);
		return st;
	}
	errno = 0;
	while (st == SS_OK && (de = readdir(d)) != NULL) {
		char *relpath, *full;
		struct stat sb;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		relpath = rel[0] ? run_path_join(rel, de->d_name) : strdup(de->d_name);
		full = relpath ? run_path_join(root, relpath) : NULL;
		if (!full) {
			free(relpath);
			st = err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
			break;
		}
		if (lstat(full, &sb) != 0) {
			st = err_set_errno(e, SS_EIO, full, errno, "cannot stat");
		} else if (S_ISDIR(sb.st_mode)) {
			st = scan_dir(root, relpath, known, since_ns, out,
				      nhashed, e);
		} else if (S_ISREG(sb.st_mode)) {
			run_file f;
			int hashed = 0;

			memset(&f, 0, sizeof f);
			f.path = relpath;
			st = run_index_hash_since(
				full, known ? run_files_find(known, relpath, 0) : NULL,
				since_ns, &f, &hashed, e);
			if (st == SS_OK)
				st = run_files_add_copy(out, &f, e);
			if (st == SS_OK && hashed && nhashed)
				*nhashed += f.bytes;
		}
		free(relpath);
		free(full);
		errno = 0;
	}
	if (st == SS_OK && errno != 0)
		st = err_set_errno(e, SS_EIO, dirpath, errno, "cannot read directory");
	closedir(d);
	free(dirpath);
	return st;
}

ss_status run_scan_tree(const char *dir, run_files *out, ss_error *e)
{
	return run_scan_tree_indexed(dir, NULL, out, NULL, e);
}

ss_status run_scan_tree_indexed(const char *dir, const run_files *known,
				run_files *out, long long *nhashed,
				ss_error *e)
{
	return run_scan_tree_since(dir, known, 0, out, nhashed, e);
}

ss_status run_scan_tree_since(const char *dir, const run_files *known,
			      long long since_ns, run_files *out,
			      long long *nhashed, ss_error *e)
{
	ss_status st;

	if (nhashed)
		*nhashed = 0;
	st = scan_dir(dir, "", known, since_ns, out, nhashed, e);

	if (st == SS_OK)
		run_files_sort(out);
	return st;
}

/* ------------------------------------------------------------ copying */

/* Creates the directories above path (not path itself). */
static ss_status make_parents(const char *path, ss_error *e)
{
	char *p = strdup(path);
	ss_status st = SS_OK;

	if (!p)
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST) {
			st = err_set_errno(e, SS_EIO, p, errno,
					   "cannot create directory");
			break;
		}
		*s = '/';
	}
	free(p);
	return st;
}

/* Copies src to dst; hashes what it copies unless known is fresh for
 * src (*hashed says which). got (may be NULL) gets dst's index entry. */
static ss_status copy_file(const char *src, const char *dst,
			   const run_file *known, run_file *got_entry,
			   int *hashed, ss_error *e)
{
	unsigned char buf[65536];
	struct stat sb;
	run_sha256 s;
	long long done = 0;
	int in, out, err = 0, fresh;
	const char *failed_path = src, *what = "cannot read";
	long long mtime, t0;
	struct stat db;
	ss_status st;

	if (hashed)
		*hashed = 0;
	t0 = run_index_now_ns();
	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0)
		return err_set_errno(e, SS_EIO, src, errno, "cannot open");
	if (fstat(in, &sb) != 0) {
		err = errno;
		close(in);
		return err_set_errno(e, SS_EIO, src, err, "cannot stat");
	}
	mtime = (long long)sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec;
	fresh = run_index_fresh(known, (long long)sb.st_size, mtime,
				(long long)sb.st_ino);
	if ((st = make_parents(dst, e)) != SS_OK) {
		close(in);
		return st;
	}
	if ((out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		err = errno;
		close(in);
		return err_set_errno(e, SS_EIO, dst, err, "cannot create");
	}
	if (run_sha256_init(&s) != 0) {
		run_sha256_release(&s);
		close(in);
		close(out);
		unlink(dst);
		return err_set(e, SS_ENOMEM, dst, 0, 0, "out of memory");
	}
	for (;;) {
		ssize_t got = read(in, buf, sizeof buf);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			err = errno;
			break;
		}
		if (got == 0)
			break;
		if (write_all(out, (const char *)buf, (size_t)got) != 0) {
			err = errno;
			failed_path = dst;
			what = "cannot write";
			break;
		}
		if (got_entry && !fresh)
			run_sha256_update(&s, buf, (size_t)got);
		done += got;
	}
	if (!err) {
		struct timespec times[2] = { sb.st_atim, sb.st_mtim };

		failed_path = dst;
		what = "cannot write";
		if (fchmod(out, sb.st_mode & 07777) != 0 ||
		    futimens(out, times) != 0 || fstat(out, &db) != 0)
			err = errno;
	}
	close(in);
	if (close(out) != 0 && !err) {
		err = errno;
		failed_path = dst;
		what = "cannot write";
	}
	if (err || !got_entry || fresh)
		run_sha256_release(&s);
	if (err) {
		unlink(dst);
		return err_set_errno(e, SS_EIO, failed_path, err, "%s", what);
	}
	if (!got_entry)
		return SS_OK;
	if (fresh) {
		memcpy(got_entry->sha256, known->sha256, RUN_SHA256_HEX);
	} else {
		if (run_sha256_final(&s, got_entry->sha256) != 0) {
			unlink(dst);
			return err_set(e, SS_ENOMEM, dst, 0, 0,
				       "cannot hash: out of memory");
		}
		if (hashed)
			*hashed = 1;
	}
	got_entry->bytes = done;
	got_entry->mtime_ns = mtime;
	got_entry->ino = (long long)db.st_ino;
	got_entry->ctime_ns = (long long)db.st_ctim.tv_sec * 1000000000LL +
			      db.st_ctim.tv_nsec;
	/* dst keeps src's mtime: it is racy when that is recent, and a
	   source that changed size while read is not trusted either */
	got_entry->indexed = mtime < t0 - RUN_RACY_NS &&
			     done == (long long)sb.st_size &&
			     done == (long long)db.st_size;
	return SS_OK;
}

ss_status run_copy_file(const char *src, const char *dst,
			char hex[RUN_SHA256_HEX], long long *bytes,
			ss_error *e)
{
	run_file got;
	ss_status st;

	memset(&got, 0, sizeof got);
	if ((st = copy_file(src, dst, NULL, &got, NULL, e)) != SS_OK)
		return st;
	if (hex)
		memcpy(hex, got.sha256, RUN_SHA256_HEX);
	if (bytes)
		*bytes = got.bytes;
	return SS_OK;
}

ss_status run_copy_file_indexed(const char *src, const char *dst,
				const run_file *known, run_file *got,
				int *hashed, ss_error *e)
{
	return copy_file(src, dst, known, got, hashed, e);
}

ss_status run_copy_tree(const char *src, const char *dst, ss_error *e)
{
	struct stat sb;
	DIR *d;
	struct dirent *de;
	ss_status st = SS_OK;

	if (lstat(src, &sb) != 0)
		return err_set_errno(e, SS_EIO, src, errno, "cannot stat");
	if (S_ISREG(sb.st_mode))
		return copy_file(src, dst, NULL, NULL, NULL, e);
	if (S_ISLNK(sb.st_mode)) {
		char target[4096];
		ssize_t n = readlink(src, target, sizeof target - 1);

		if (n < 0)
			return err_set_errno(e, SS_EIO, src, errno, "cannot read link");
		target[n] = '\0';
		if (symlink(target, dst) != 0)
			return err_set_errno(e, SS_EIO, dst, errno, "cannot create link");
		return SS_OK;
	}
	if (!S_ISDIR(sb.st_mode))
		return SS_OK; /* sockets, fifos: nothing worth keeping */
	if (mkdir(dst, sb.st_mode & 07777) != 0)
		return err_set_errno(e, SS_EIO, dst, errno, "cannot create directory");
	if (!(d = opendir(src)))
		return err_set_errno(e, SS_EIO, src, errno, "cannot open directory");
	while (st == SS_OK && (de = readdir(d)) != NULL) {
		char *s, *t;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		s = run_path_join(src, de->d_name);
		t = run_path_join(dst, de->d_name);
		if (!s || !t)
			st = err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
		else
			st = run_copy_tree(s, t, e);
		free(s);
		free(t);
	}
	closedir(d);
	return st;
}

ss_status run_remove_tree(const char *path, ss_error *e)
{
	struct stat sb;
	DIR *d;
	struct dirent *de;
	ss_status st = SS_OK;

	if (lstat(path, &sb) != 0)
		return errno == ENOENT ? SS_OK
				       : err_set_errno(e, SS_EIO, path, errno, "cannot stat");
	if (!S_ISDIR(sb.st_mode)) {
		if (unlink(path) != 0 && errno != ENOENT)
			return err_set_errno(e, SS_EIO, path, errno, "cannot remove");
		return SS_OK;
	}
	if (!(d = opendir(path)))
		return err_set_errno(e, SS_EIO, path, errno, "cannot open directory");
	while (st == SS_OK && (de = readdir(d)) != NULL) {
		char *child;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (!(child = run_path_join(path, de->d_name))) {
			st = err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
			break;
		}
		st = run_remove_tree(child, e);
		free(child);
	}
	closedir(d);
	if (st == SS_OK && rmdir(path) != 0 && errno != ENOENT)
		st = err_set_errno(e, SS_EIO, path, errno, "cannot remove directory");
	return st;
}

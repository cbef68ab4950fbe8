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

static ss_status scan_dir(const char *root, const char *rel, run_files *out,
			  ss_error *e)
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
			st = scan_dir(root, relpath, out, e);
		} else if (S_ISREG(sb.st_mode)) {
			char hex[RUN_SHA256_HEX];
			long long bytes;

			st = run_sha256_file(full, 0, -1, hex, &bytes, e);
			if (st == SS_OK)
				st = run_files_add(out, relpath, hex, bytes, 0, e);
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
	ss_status st = scan_dir(dir, "", out, e);

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

ss_status run_copy_file(const char *src, const char *dst,
			char hex[RUN_SHA256_HEX], long long *bytes,
			ss_error *e)
{
	unsigned char buf[65536];
	struct stat sb;
	run_sha256 s;
	long long done = 0;
	int in, out, err = 0;
	const char *failed_path = src, *what = "cannot read";
	ss_status st;

	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0)
		return err_set_errno(e, SS_EIO, src, errno, "cannot open");
	if (fstat(in, &sb) != 0) {
		err = errno;
		close(in);
		return err_set_errno(e, SS_EIO, src, err, "cannot stat");
	}
	if ((st = make_parents(dst, e)) != SS_OK) {
		close(in);
		return st;
	}
	if ((out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		err = errno;
		close(in);
		return err_set_errno(e, SS_EIO, dst, err, "cannot create");
	}
	run_sha256_init(&s);
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
		run_sha256_update(&s, buf, (size_t)got);
		done += got;
	}
	if (!err) {
		struct timespec times[2] = { sb.st_atim, sb.st_mtim };

		failed_path = dst;
		what = "cannot write";
		if (fchmod(out, sb.st_mode & 07777) != 0 ||
		    futimens(out, times) != 0)
			err = errno;
	}
	close(in);
	if (close(out) != 0 && !err) {
		err = errno;
		failed_path = dst;
		what = "cannot write";
	}
	if (err) {
		unlink(dst);
		return err_set_errno(e, SS_EIO, failed_path, err, "%s", what);
	}
	if (hex)
		run_sha256_final(&s, hex);
	if (bytes)
		*bytes = done;
	return SS_OK;
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
		return run_copy_file(src, dst, NULL, NULL, e);
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

/* The run engine (include/run.h): lock, clean up after killed runs, run or
 * reuse each stage in a work directory beside the output, then swap the
 * work tree into place in one rename.
 *
 * Linux-only calls (renameat2 with RENAME_EXCHANGE, prctl) are why this
 * file asks for _GNU_SOURCE; the rest of the module is POSIX. */
#define _GNU_SOURCE
#include "run.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ctable.h"
#include "schema.h"

#define VALIDATION "validation.csv"
#define MANIFEST "manifest.json"
#define RUN_INFO "run_info.csv"
/* how long a stage gets to exit after SIGTERM before SIGKILL */
#define TERM_GRACE_SECONDS 10

typedef struct engine {
	const run_config *c;
	const run_hooks *h;
	run_result *res;
	ss_error *e;
	char *output;     /* trailing '/' removed */
	char *parent;     /* directory holding output */
	char *base;       /* last component of output */
	char *lock_path;
	int lock_fd;
	char *work;       /* OUTPUT.tmp.XXXXXX, NULL until made */
	char *out;        /* work/out */
	char *logdir;     /* work/log */
	int have_old;     /* output exists */
	int have_prev;    /* its manifest was read */
	run_manifest prev, cur;
	run_files tree;   /* files of out/ with their hashes */
	long long since_ns; /* when the latest writer into out/ started */
	sigset_t stopset; /* SIGTERM, SIGINT, SIGHUP */
	sigset_t waitset; /* those and SIGCHLD */
	sigset_t oldmask;
	struct sigaction old_chld, old_xfsz;
	int signals_set;
	struct timespec t0;
	/* per stage: its external inputs, hashed beside the run (ext_job) */
	struct ext_job *ext;
	size_t next;
} engine;

/* ------------------------------------------------------------ helpers */

static void note(engine *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(engine *g, const char *fmt, ...)
{
	char msg[ERR_MSG_MAX + ERR_FILE_MAX + 128];
	va_list ap;

	if (!g->h || !g->h->note)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	g->h->note(g->h->ctx, msg);
}

static void note_error(engine *g, const char *prefix, const ss_error *err)
{
	char buf[ERR_MSG_MAX + ERR_FILE_MAX + 64];

	note(g, "%s%s", prefix, err_format(err, "warning", buf, sizeof buf));
}

static double seconds_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) +
	       (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static ss_status oom(engine *g)
{
	return err_set(g->e, SS_ENOMEM, NULL, 0, 0, "out of memory");
}

static int exists(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0;
}

/* A path from a manifest that stays inside the tree: relative, no "..",
 * no empty or "." component. */
static int safe_relpath(const char *p)
{
	const char *s = p;

	if (!*p || *p == '/')
		return 0;
	while (*s) {
		const char *slash = strchr(s, '/');
		size_t n = slash ? (size_t)(slash - s) : strlen(s);

		if (n == 0 || (n == 1 && s[0] == '.') ||
		    (n == 2 && s[0] == '.' && s[1] == '.'))
			return 0;
		s += n;
		if (*s == '/')
			s++;
		if (slash && !*s)
			return 0;
	}
	return 1;
}

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGTERM: return "SIGTERM";
	case SIGKILL: return "SIGKILL";
	case SIGINT: return "SIGINT";
	case SIGHUP: return "SIGHUP";
	case SIGSEGV: return "SIGSEGV";
	case SIGABRT: return "SIGABRT";
	case SIGBUS: return "SIGBUS";
	case SIGFPE: return "SIGFPE";
	case SIGPIPE: return "SIGPIPE";
	case SIGXFSZ: return "SIGXFSZ";
	case SIGXCPU: return "SIGXCPU";
	default: return "a signal";
	}
}

/* mkdir -p */
static ss_status make_dirs(engine *g, const char *dir)
{
	char *p = strdup(dir);
	ss_status st = SS_OK;

	if (!p)
		return oom(g);
	for (char *s = p + 1;; s++) {
		if (*s && *s != '/')
			continue;
		char keep = *s;

		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST) {
			st = err_set_errno(g->e, SS_EIO, p, errno,
					   "cannot create directory");
			break;
		}
		*s = keep;
		if (!keep)
			break;
	}
	free(p);
	return st;
}

/* ------------------------------------------------------------ signals */

static void signals_begin(engine *g)
{
	struct sigaction dfl, ign;

	sigemptyset(&g->stopset);
	sigaddset(&g->stopset, SIGTERM);
	sigaddset(&g->stopset, SIGINT);
	sigaddset(&g->stopset, SIGHUP);
	g->waitset = g->stopset;
	sigaddset(&g->waitset, SIGCHLD);
	sigprocmask(SIG_BLOCK, &g->waitset, &g->oldmask);
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	ign = dfl;
	ign.sa_handler = SIG_IGN;
	/* an inherited SIG_IGN would reap children behind our back */
	sigaction(SIGCHLD, &dfl, &g->old_chld);
	sigaction(SIGXFSZ, &ign, &g->old_xfsz);
	g->signals_set = 1;
}

/* A termination signal that arrived (and is taken off the pending set),
 * or 0. */
static int pending_stop(engine *g)
{
	struct timespec zero = { 0, 0 };
	int sig = sigtimedwait(&g->stopset, NULL, &zero);

	return sig > 0 ? sig : 0;
}

static void signals_end(engine *g)
{
	if (!g->signals_set)
		return;
	/* a signal that came after publishing has nothing left to stop */
	while (pending_stop(g))
		;
	sigaction(SIGCHLD, &g->old_chld, NULL);
	sigaction(SIGXFSZ, &g->old_xfsz, NULL);
	sigprocmask(SIG_SETMASK, &g->oldmask, NULL);
	g->signals_set = 0;
}

/* ------------------------------------------------------------ paths, lock */

static ss_status paths_init(engine *g)
{
	size_t n = strlen(g->c->output);
	char *slash;

	while (n > 1 && g->c->output[n - 1] == '/')
		n--;
	if (!(g->output = strndup(g->c->output, n)))
		return oom(g);
	slash = strrchr(g->output, '/');
	if (!slash) {
		g->parent = strdup(".");
		g->base = strdup(g->output);
	} else {
		g->parent = slash == g->output ? strdup("/")
					       : strndup(g->output, (size_t)(slash - g->output));
		g->base = strdup(slash + 1);
	}
	g->lock_path = malloc(n + sizeof ".lock");
	if (!g->parent || !g->base || !g->lock_path)
		return oom(g);
	snprintf(g->lock_path, n + sizeof ".lock", "%s.lock", g->output);
	snprintf(g->res->lock_path, sizeof g->res->lock_path, "%s", g->lock_path);
	return SS_OK;
}

/* 1 locked, 0 held by another run, -1 error (in g->e). */
static int lock_acquire(engine *g)
{
	char pid[32];
	int n;

	/* not O_CLOEXEC: the stage programs inherit the lock, so it is
	   held as long as any process of the run is alive */
	g->lock_fd = open(g->lock_path, O_RDWR | O_CREAT, 0666);
	if (g->lock_fd < 0) {
		err_set_errno(g->e, SS_EIO, g->lock_path, errno,
			      "cannot open the lock file");
		return -1;
	}
	if (flock(g->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		int err = errno;

		if (err == EWOULDBLOCK) {
			ssize_t got = pread(g->lock_fd, pid, sizeof pid - 1, 0);

			pid[got > 0 ? got : 0] = '\0';
			g->res->lock_holder = strtol(pid, NULL, 10);
			return 0;
		}
		err_set_errno(g->e, SS_EIO, g->lock_path, err, "cannot lock");
		return -1;
	}
	/* for people looking at a stuck run; the lock is the flock alone */
	n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(g->lock_fd, 0) != 0 || pwrite(g->lock_fd, pid, (size_t)n, 0) != n)
		note(g, "cannot write the pid into %s: %s", g->lock_path,
		     strerror(errno));
	return 1;
}

/* ------------------------------------------------------------ cleanup */

/* "<base>.tmp.XXXXXX" as made by mkdtemp. */
static int is_work_name(const engine *g, const char *name)
{
	size_t nb = strlen(g->base);

	if (strncmp(name, g->base, nb) != 0 || strncmp(name + nb, ".tmp.", 5) != 0)
		return 0;
	name += nb + 5;
	if (strlen(name) != 6)
		return 0;
	for (; *name; name++)
		if (!((*name >= 'a' && *name <= 'z') || (*name >= 'A' && *name <= 'Z') ||
		      (*name >= '0' && *name <= '9')))
			return 0;
	return 1;
}

/* Under the lock, every work directory of this output is left over from
 * a killed run. When that run was killed between the two renames of the
 * fallback publish, the previous outputs are in its old/: put them back. */
static ss_status clean_stale(engine *g)
{
	DIR *d = opendir(g->parent);
	struct dirent *de;
	run_strv stale;
	ss_status st = SS_OK;

	if (!d)
		return err_set_errno(g->e, SS_EIO, g->parent, errno,
				     "cannot open directory");
	run_strv_init(&stale);
	while ((de = readdir(d)) != NULL)
		if (is_work_name(g, de->d_name) &&
		    (st = run_strv_add(&stale, de->d_name, g->e)) != SS_OK)
			break;
	closedir(d);
	for (size_t i = 0; st == SS_OK && i < stale.n; i++) {
		char *path = run_path_join(g->parent, stale.v[i]);
		char *old = path ? run_path_join(path, "old") : NULL;
		ss_error err;

		if (!old) {
			free(path);
			st = oom(g);
			break;
		}
		if (!exists(g->output) && exists(old)) {
			if (rename(old, g->output) == 0)
				note(g, "restored the previous outputs of %s from %s, left by an interrupted run",
				     g->output, path);
			else
				st = err_set_errno(g->e, SS_EIO, old, errno,
						   "cannot restore the previous outputs");
		}
		err_clear(&err);
		if (st == SS_OK) {
			if (run_remove_tree(path, &err) == SS_OK)
				note(g, "removed %s, left by an interrupted run", path);
			else
				note_error(g, "cannot remove a stale work directory: ", &err);
		}
		free(old);
		free(path);
	}
	run_strv_release(&stale);
	return st;
}

/* An existing output is replaced only when it is one: it has a manifest,
 * or the validation.csv of a run before the driver existed, or nothing but
 * README files and dot files (a fresh checkout's output/). */
static ss_status check_output(engine *g)
{
	struct stat sb;
	DIR *d;
	struct dirent *de;
	int ours = 0, foreign = 0;

	if (lstat(g->output, &sb) != 0) {
		if (errno == ENOENT)
			return SS_OK;
		return err_set_errno(g->e, SS_EIO, g->output, errno, "cannot stat");
	}
	if (S_ISLNK(sb.st_mode))
		return err_set(g->e, SS_EUSAGE, g->output, 0, 0,
			       "output is a symbolic link (expected a directory: give the path it points to)");
	if (!S_ISDIR(sb.st_mode))
		return err_set(g->e, SS_EUSAGE, g->output, 0, 0,
			       "output exists and is not a directory (expected a directory or a new path)");
	g->have_old = 1;
	if (!(d = opendir(g->output)))
		return err_set_errno(g->e, SS_EIO, g->output, errno,
				     "cannot open directory");
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, MANIFEST) == 0 ||
		    strcmp(de->d_name, VALIDATION) == 0)
			ours = 1;
		else if (de->d_name[0] != '.' && strncmp(de->d_name, "README", 6) != 0)
			foreign = 1;
	}
	closedir(d);
	if (foreign && !ours)
		return err_set(g->e, SS_EUSAGE, g->output, 0, 0,
			       "refusing to replace this directory: it holds files but no manifest.json or validation.csv (expected an output directory of schoolstat, an empty one or a new path)");
	return SS_OK;
}

static void load_prev(engine *g)
{
	char *path = run_path_join(g->output, MANIFEST);
	char *text = NULL;
	size_t len = 0;
	int missing = 0;
	ss_error err;

	err_clear(&err);
	if (!path || !g->have_old) {
		free(path);
		return;
	}
	if (run_read_file(path, &text, &len, &missing, &err) != SS_OK) {
		if (missing)
			note(g, "no %s in %s: every stage runs", MANIFEST, g->output);
		else
			note_error(g, "every stage runs: ", &err);
		free(path);
		return;
	}
	if (run_manifest_parse(&g->prev, text, len, path, &err) != SS_OK) {
		note_error(g, "every stage runs: ", &err);
		run_manifest_release(&g->prev);
	} else {
		int ok = 1;

		for (size_t i = 0; i < g->prev.nstages; i++)
			for (size_t j = 0; j < g->prev.stages[i].outputs.n; j++)
				ok &= safe_relpath(g->prev.stages[i].outputs.v[j].path);
		if (ok) {
			g->have_prev = 1;
		} else {
			note(g, "%s names an output outside the output directory: every stage runs",
			     path);
			run_manifest_release(&g->prev);
		}
	}
	free(text);
	free(path);
}

static ss_status make_work(engine *g)
{
	size_t n = strlen(g->output) + sizeof ".tmp.XXXXXX";

	if (!(g->work = malloc(n)))
		return oom(g);
	snprintf(g->work, n, "%s.tmp.XXXXXX", g->output);
	if (!mkdtemp(g->work)) {
		ss_status st = err_set_errno(g->e, SS_EIO, g->work, errno,
					     "cannot create the work directory");

		free(g->work);
		g->work = NULL;
		return st;
	}
	g->out = run_path_join(g->work, "out");
	g->logdir = run_path_join(g->work, "log");
	if (!g->out || !g->logdir)
		return oom(g);
	if (mkdir(g->out, 0777) != 0)
		return err_set_errno(g->e, SS_EIO, g->out, errno,
				     "cannot create directory");
	if (mkdir(g->logdir, 0777) != 0)
		return err_set_errno(g->e, SS_EIO, g->logdir, errno,
				     "cannot create directory");
	return SS_OK;
}

/* Rescans out/, through the hash index: known (may be NULL) holds what
 * is already known of its files; g->tree is used when it is NULL. */
static ss_status rescan_known(engine *g, const run_files *known)
{
	run_files old = g->tree;
	ss_status st;

	run_files_init(&g->tree);
	st = run_scan_tree_since(g->out, known ? known : &old, g->since_ns,
				 &g->tree, NULL, g->e);
	run_files_release(&old);
	return st;
}

static ss_status rescan(engine *g)
{
	return rescan_known(g, NULL);
}

/* ------------------------------------------------------------ children */

typedef struct child_result {
	int exited, code;  /* exited normally with code */
	int sig;           /* killed by this signal */
	int stopped_by;    /* a signal to the driver that stopped the run */
} child_result;

/* A stage program started and not yet waited for. */
typedef struct child {
	pid_t pid;
	int running;
	struct timespec t0;
	double seconds;    /* from start to exit */
	child_result cr;
} child;

/* Starts argv (argv[0] is the program path) with stdout and stderr into
 * log_path (NULL: inherited), stdin from /dev/null, the caller's signal
 * mask and default dispositions, after delay seconds. */
static ss_status spawn_child(engine *g, char *const argv[], const char *log_path,
			     double delay, child *ch)
{
	static const int reset[] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGXFSZ,
				     SIGPIPE };
	char execmsg[512];
	int logfd = -1, nullfd, msglen;
	pid_t parent = getpid(), pid;

	memset(ch, 0, sizeof *ch);
	/* everything the child needs is prepared here: after fork() it may
	   only call async-signal-safe functions */
	msglen = snprintf(execmsg, sizeof execmsg,
			  "schoolstat-run: cannot execute %s\n", argv[0]);
	if (msglen < 0 || (size_t)msglen >= sizeof execmsg)
		msglen = (int)strlen(execmsg);
	if (log_path &&
	    (logfd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) < 0)
		return err_set_errno(g->e, SS_EIO, log_path, errno, "cannot create");
	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	clock_gettime(CLOCK_MONOTONIC, &ch->t0);
	pid = fork();
	if (pid < 0) {
		int err = errno;

		if (logfd >= 0)
			close(logfd);
		if (nullfd >= 0)
			close(nullfd);
		return err_set_errno(g->e, SS_EIO, argv[0], err, "cannot fork");
	}
	if (pid == 0) {
		struct sigaction dfl;

		memset(&dfl, 0, sizeof dfl);
		dfl.sa_handler = SIG_DFL;
		sigemptyset(&dfl.sa_mask);
		for (size_t i = 0; i < sizeof reset / sizeof reset[0]; i++)
			sigaction(reset[i], &dfl, NULL);
		sigprocmask(SIG_SETMASK, &g->oldmask, NULL);
		/* a killed driver takes its stage with it, so no orphan keeps
		   writing into a work directory the next run removes */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		if (nullfd >= 0)
			dup2(nullfd, 0);
		if (logfd >= 0) {
			dup2(logfd, 1);
			dup2(logfd, 2);
		}
		if (delay > 0) {
			struct timespec ts;

			ts.tv_sec = (time_t)delay;
			ts.tv_nsec = (long)((delay - (double)ts.tv_sec) * 1e9);
			while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
				;
		}
		execv(argv[0], argv);
		if (write(2, execmsg, (size_t)msglen) < 0)
			_exit(127);
		/* the only exit in the core: a child whose exec failed */
		_exit(127);
	}
	if (logfd >= 0)
		close(logfd);
	if (nullfd >= 0)
		close(nullfd);
	ch->pid = pid;
	ch->running = 1;
	return SS_OK;
}

/* Lowers a started child's priority by incr (its threads made later
 * inherit it). From the parent, since after fork() the child may only make
 * async-signal-safe calls; the child runs at the usual priority for the
 * moment between the two, while it is still loading. Advisory. */
static void lower_priority(const child *ch, int incr)
{
	errno = 0;
	int now = getpriority(PRIO_PROCESS, (id_t)ch->pid);

	if (now != -1 || errno == 0)
		(void)setpriority(PRIO_PROCESS, (id_t)ch->pid, now + incr);
}

static void signal_children(child *const ch[], size_t n, int sig)
{
	for (size_t i = 0; i < n; i++)
		if (ch[i]->running)
			kill(ch[i]->pid, sig);
}

/* Waits for the started children ch[0..n). A SIGTERM, SIGINT or SIGHUP to
 * the driver meanwhile is passed on to each as SIGTERM (then SIGKILL after
 * TERM_GRACE_SECONDS) and reported in their stopped_by. */
static ss_status wait_children(engine *g, child *const ch[], size_t n,
				int *stop_sig)
{
	size_t live = 0;
	int killing = 0, stopped_by = 0;
	struct timespec deadline = { 0, 0 };

	*stop_sig = 0;
	for (size_t i = 0; i < n; i++)
		live += ch[i]->running != 0;
	while (live > 0) {
		struct timespec left = { 0, 0 }, now;
		int sig;

		/* the grace runs from the first stop signal, whatever comes
		   after it (another signal, a child's exit) */
		if (killing == 1) {
			long long ns;

			clock_gettime(CLOCK_MONOTONIC, &now);
			ns = (deadline.tv_sec - now.tv_sec) * 1000000000LL +
			     (deadline.tv_nsec - now.tv_nsec);
			if (ns < 0)
				ns = 0;
			left.tv_sec = (time_t)(ns / 1000000000LL);
			left.tv_nsec = (long)(ns % 1000000000LL);
		}
		sig = killing == 1 ? sigtimedwait(&g->waitset, NULL, &left)
				   : sigwaitinfo(&g->waitset, NULL);

		if (sig < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN && killing == 1) {
				signal_children(ch, n, SIGKILL);
				killing = 2;
				continue;
			}
			int err = errno;

			signal_children(ch, n, SIGKILL);
			for (size_t i = 0; i < n; i++)
				if (ch[i]->running) {
					waitpid(ch[i]->pid, NULL, 0);
					ch[i]->running = 0;
				}
			return err_set_errno(g->e, SS_EIO, "schoolstat-run", err,
					     "cannot wait for the stage");
		}
		if (sig == SIGCHLD) {
			for (size_t i = 0; i < n; i++) {
				int status = 0;
				pid_t r;

				if (!ch[i]->running)
					continue;
				r = waitpid(ch[i]->pid, &status, WNOHANG);
				if (r < 0 && errno != EINTR)
					return err_set_errno(g->e, SS_EIO,
							     "schoolstat-run", errno,
							     "cannot wait for the stage");
				if (r != ch[i]->pid)
					continue;
				ch[i]->running = 0;
				ch[i]->seconds = seconds_since(&ch[i]->t0);
				ch[i]->cr.stopped_by = stopped_by;
				if (WIFEXITED(status)) {
					ch[i]->cr.exited = 1;
					ch[i]->cr.code = WEXITSTATUS(status);
				} else if (WIFSIGNALED(status)) {
					ch[i]->cr.sig = WTERMSIG(status);
				}
				live--;
			}
			continue;
		}
		if (!stopped_by) {
			stopped_by = sig;
			*stop_sig = sig;
			signal_children(ch, n, SIGTERM);
			killing = 1;
			clock_gettime(CLOCK_MONOTONIC, &deadline);
			deadline.tv_sec += TERM_GRACE_SECONDS;
		}
	}
	return SS_OK;
}

/* ------------------------------------------------------------ stages */

static void emit(engine *g, const run_stage_rec *r, const char *log_path)
{
	run_stage_event ev;

	if (!g->h || !g->h->stage)
		return;
	ev.stage = r->stage;
	ev.status = r->status;
	ev.seconds = r->seconds;
	ev.why = r->why;
	ev.log_path = log_path;
	g->h->stage(g->h->ctx, &ev);
}

static ss_status set_why(engine *g, run_stage_rec *r, const char *why)
{
	free(r->why);
	r->why = NULL;
	if (why && !(r->why = strdup(why)))
		return oom(g);
	return SS_OK;
}

/* What the previous manifest knows of the external file path. */
static const run_file *prev_external(const engine *g, const char *path)
{
	if (!g->have_prev)
		return NULL;
	for (size_t i = 0; i < g->prev.nstages; i++) {
		const run_file *f = run_files_find(&g->prev.stages[i].inputs, path, 1);

		if (f && f->indexed)
			return f;
	}
	return NULL;
}

/* Hashes an external file into list (absent: empty hash), through the
 * hash index; errors go to e. */
static ss_status add_external(engine *g, run_files *list, const char *path,
			      char sha[RUN_SHA256_HEX], long long *bytes,
			      ss_error *e)
{
	struct stat sb;
	run_file f;
	ss_status st;

	sha[0] = '\0';
	*bytes = -1;
	/* a missing input is the stage's to report, in its own words */
	if (stat(path, &sb) != 0 && (errno == ENOENT || errno == ENOTDIR))
		return run_files_add(list, path, "", -1, 1, e);
	memset(&f, 0, sizeof f);
	f.path = (char *)path;
	f.external = 1;
	if ((st = run_index_hash(path, prev_external(g, path), &f, NULL,
				 e)) != SS_OK)
		return st;
	memcpy(sha, f.sha256, RUN_SHA256_HEX);
	*bytes = f.bytes;
	return run_files_add_copy(list, &f, e);
}

/* The files from outside the output tree that d reads (input tables, the
 * norm table), hashed into list, and the manifest's record of them. Reads
 * nothing of the engine that a running stage changes (the tree), so it
 * may run on a thread beside the stage; errors go to e. */
static ss_status collect_external(engine *g, const run_stage_def *d,
				  run_files *list, ss_error *e)
{
	const run_config *c = g->c;
	char sha[RUN_SHA256_HEX];
	long long bytes;
	ss_status st = SS_OK;

	if (d->flags & RUN_READS_INPUT) {
		size_t n;
		const schema_table *t = schema_tables(&n);

		if (!g->cur.tables && !(g->cur.tables = calloc(n, sizeof *g->cur.tables)))
			return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
		for (size_t i = 0; i < n; i++) {
			char *path = run_path_join(c->input, t[i].file);
			run_table *tb = &g->cur.tables[i];

			if (!path)
				return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
			st = add_external(g, list, path, sha, &bytes, e);
			if (st == SS_OK && i >= g->cur.ntables) {
				tb->table = strdup(t[i].file);
				tb->path = strdup(path);
				tb->present = sha[0] != '\0';
				memcpy(tb->sha256, sha, sizeof sha);
				tb->bytes = bytes;
				tb->rows_read = tb->rows_accepted = tb->rows_rejected = -1;
				g->cur.ntables = i + 1;
				if (!tb->table || !tb->path)
					st = err_set(e, SS_ENOMEM, NULL, 0, 0,
						     "out of memory");
			}
			free(path);
			if (st != SS_OK)
				return st;
		}
	}
	if (d->flags & RUN_READS_NORMS) {
		if ((st = add_external(g, list, g->cur.norms, sha, &bytes, e)) != SS_OK)
			return st;
		memcpy(g->cur.norms_sha256, sha, sizeof sha);
	}
	return st;
}

/* The files of the output tree that d reads, with their known hashes. */
static ss_status collect_tree(engine *g, const run_stage_def *d,
			      run_stage_rec *r)
{
	ss_status st = SS_OK;

	if (d->flags & RUN_READS_ALL) {
		for (size_t i = 0; i < g->tree.n && st == SS_OK; i++)
			st = run_files_add(&r->inputs, g->tree.v[i].path,
					   g->tree.v[i].sha256, -1, 0, g->e);
		return st;
	}
	for (size_t i = 0; d->reads[i] && st == SS_OK; i++) {
		const run_file *f = run_files_find(&g->tree, d->reads[i], 0);

		st = run_files_add(&r->inputs, d->reads[i], f ? f->sha256 : "", -1,
				   0, g->e);
	}
	return st;
}

/* Moves the entries of from to the end of to. */
static ss_status take_files(engine *g, run_files *to, run_files *from)
{
	ss_status st = SS_OK;

	for (size_t i = 0; i < from->n && st == SS_OK; i++)
		st = run_files_add_copy(to, &from->v[i], g->e);
	run_files_release(from);
	return st;
}

/* The external inputs of a stage hashed on a helper thread while the
 * run goes on: when its rerun is settled without them (run_decide_settled)
 * they are needed only for the manifest and run_info.csv, so reading them,
 * 69 MB for a national exam table, waits neither for the stage nor makes
 * it wait; late_join collects it where needed, by when the single-threaded
 * stages after ingest have left it a core. (At the lowest priority it was
 * no faster, 25 runs each, and a busy machine could starve it.) */
typedef struct ext_job {
	engine *g;
	const run_stage_def *d;
	run_files list;
	ss_error err;
	ss_status st;
	pthread_t thread;
	int started;
	int finished;
	run_stage_rec *owner; /* the stage ran: its inputs and key wait for j */
	/* each file's stat before the stage started: a file hashed after a
	   change the stage may not have seen must not vouch for its outputs */
	struct ext_stat {
		char *path;
		int exists;
		long long bytes, mtime_ns, ctime_ns, ino;
	} *before;
	size_t nbefore;
} ext_job;

static void *ext_job_main(void *arg)
{
	ext_job *j = arg;

	j->st = collect_external(j->g, j->d, &j->list, &j->err);
	return NULL;
}

static void ext_job_forget(ext_job *j)
{
	for (size_t i = 0; i < j->nbefore; i++)
		free(j->before[i].path);
	free(j->before);
	j->before = NULL;
	j->nbefore = 0;
}

/* Records the stat of one file d reads from outside the tree. */
static void ext_stat_one(ext_job *j, const char *path)
{
	struct ext_stat *e = &j->before[j->nbefore];
	struct stat sb;

	memset(e, 0, sizeof *e);
	if (!(e->path = strdup(path)))
		return;
	j->nbefore++;
	if (stat(path, &sb) != 0)
		return;
	e->exists = 1;
	e->bytes = (long long)sb.st_size;
	e->mtime_ns = (long long)sb.st_mtim.tv_sec * 1000000000LL +
		      sb.st_mtim.tv_nsec;
	e->ctime_ns = (long long)sb.st_ctim.tv_sec * 1000000000LL +
		      sb.st_ctim.tv_nsec;
	e->ino = (long long)sb.st_ino;
}

/* The stat of every external file of d, now, before the stage starts
 * (the same files collect_external hashes). Out of memory: fewer
 * records, and the files without one count as changed. */
static void ext_stat_all(ext_job *j, engine *g, const run_stage_def *d)
{
	size_t n = 0, cap = 1;
	const schema_table *t = NULL;

	if (d->flags & RUN_READS_INPUT)
		t = schema_tables(&n);
	cap += n;
	if (!(j->before = calloc(cap, sizeof *j->before)))
		return;
	for (size_t i = 0; t && i < n; i++) {
		char *path = run_path_join(g->c->input, t[i].file);

		if (path)
			ext_stat_one(j, path);
		free(path);
	}
	if (d->flags & RUN_READS_NORMS)
		ext_stat_one(j, g->cur.norms);
}

/* Whether f, as hashed, may differ from what the stage read: its stat
 * is not the one taken before the stage started. */
static int ext_changed(const ext_job *j, const run_file *f)
{
	for (size_t i = 0; i < j->nbefore; i++) {
		const struct ext_stat *e = &j->before[i];

		if (strcmp(e->path, f->path) != 0)
			continue;
		if (!e->exists)
			return f->sha256[0] != '\0';
		return f->sha256[0] == '\0' || f->bytes != e->bytes ||
		       f->mtime_ns != e->mtime_ns || f->ctime_ns != e->ctime_ns ||
		       f->ino != e->ino;
	}
	return 1;
}

/* Starts j (called before the stage starts); when no thread can be made,
 * does the work now. */
static void ext_job_start(ext_job *j, engine *g, const run_stage_def *d)
{
	memset(j, 0, sizeof *j);
	j->finished = 0;
	j->g = g;
	j->d = d;
	run_files_init(&j->list);
	err_clear(&j->err);
	ext_stat_all(j, g, d);
	if (pthread_create(&j->thread, NULL, ext_job_main, j) == 0)
		j->started = 1;
	else
		ext_job_main(j);
}

/* Waits for j and forgets what it found (the stage did not run). */
static void ext_job_discard(ext_job *j)
{
	if (j->started)
		pthread_join(j->thread, NULL);
	j->started = 0;
	j->finished = 1;
	run_files_release(&j->list);
	ext_job_forget(j);
}

/* Waits for j and adds what it found to r's inputs; j's error, if any,
 * becomes the engine's. */
static ss_status ext_job_finish(ext_job *j, run_stage_rec *r)
{
	if (j->started)
		pthread_join(j->thread, NULL);
	j->started = 0;
	j->finished = 1;
	if (j->st != SS_OK) {
		*j->g->e = j->err;
		run_files_release(&j->list);
		ext_job_forget(j);
		return j->st;
	}
	/* An input that changed after the stage started (an export landing
	   during the run) was hashed as it is now, which the stage may not
	   have read: its outputs must not be reused on that hash. Hashing
	   first, as for an unsettled stage, records the older content
	   instead, and the next run sees the change. */
	for (size_t i = 0; i < j->list.n; i++)
		if (ext_changed(j, &j->list.v[i]))
			r->reusable = 0;
	ext_job_forget(j);
	return take_files(j->g, &r->inputs, &j->list);
}

/* Collects every hashing handed over by a stage that ran: its inputs
 * and its key. Called before run_info.csv and the manifest are written,
 * which show the input tables' hashes. */
static ss_status late_join(engine *g)
{
	ss_status st = SS_OK;

	for (size_t i = 0; g->ext && i < g->next; i++) {
		ext_job *j = &g->ext[i];

		if (j->finished || !j->owner)
			continue;
		if (st == SS_OK) {
			if ((st = ext_job_finish(j, j->owner)) == SS_OK)
				st = run_stage_key(j->owner, g->e);
		} else {
			ext_job_discard(j);
		}
	}
	return st;
}

/* Waits for every hashing still running, keeping nothing (the run ends). */
static void late_discard(engine *g)
{
	for (size_t i = 0; g->ext && i < g->next; i++)
		if (!g->ext[i].finished)
			ext_job_discard(&g->ext[i]);
}

/* Appends bytes [off, off+len) of src to dst (created when missing;
 * emptied first when replace) if they hash to want; *match says whether
 * they did (else dst is untouched). */
static ss_status append_range(engine *g, const char *src, long long off,
			      long long len, const char *dst, int replace,
			      const char *want, int *match)
{
	unsigned char buf[65536];
	char hex[RUN_SHA256_HEX];
	long long done = 0;
	ss_error ignored;
	int in, out, err = 0;

	*match = 0;
	err_clear(&ignored);
	/* checked first, so that a mismatch leaves dst as it was */
	if (run_sha256_file(src, off, len, hex, NULL, &ignored) != SS_OK ||
	    strcmp(hex, want) != 0)
		return SS_OK;
	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0)
		return SS_OK;
	out = open(dst, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC |
			(replace ? O_TRUNC : 0), 0666);
	if (out < 0) {
		err = errno;
		close(in);
		return err_set_errno(g->e, SS_EIO, dst, err, "cannot open");
	}
	if (lseek(in, (off_t)off, SEEK_SET) < 0)
		err = errno;
	while (!err && done < len) {
		size_t want_n = len - done < (long long)sizeof buf ? (size_t)(len - done)
								   : sizeof buf;
		ssize_t got = read(in, buf, want_n);
		const unsigned char *p = buf;

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			err = got < 0 ? errno : EIO;
			break;
		}
		done += got;
		while (got > 0) {
			ssize_t w = write(out, p, (size_t)got);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				err = errno;
				break;
			}
			p += w;
			got -= w;
		}
	}
	close(in);
	if (close(out) != 0 && !err)
		err = errno;
	if (err)
		return err_set_errno(g->e, SS_EIO, dst, err, "cannot write");
	*match = 1;
	return SS_OK;
}

/* Copies the outputs and the validation.csv part of prev into out/.
 * *why gets a reason when they cannot be reused (then nothing was
 * copied); SS_EIO only for failures to write the new tree. */
static ss_status try_reuse(engine *g, const run_stage_rec *prev,
			   run_stage_rec *r, char *why, size_t size)
{
	char *vsrc = run_path_join(g->output, VALIDATION);
	char *vdst = run_path_join(g->out, VALIDATION);
	const run_file *v = run_files_find(&g->tree, VALIDATION, 0);
	long long vlen = v ? v->bytes : 0;
	ss_status st = SS_OK;
	size_t copied = 0;

	why[0] = '\0';
	if (!vsrc || !vdst) {
		free(vsrc);
		free(vdst);
		return oom(g);
	}
	for (; copied < prev->outputs.n && st == SS_OK && !why[0]; copied++) {
		const run_file *f = &prev->outputs.v[copied];
		char *src = run_path_join(g->output, f->path);
		char *dst = run_path_join(g->out, f->path);
		run_file got;
		struct stat sb;

		memset(&got, 0, sizeof got);
		got.path = f->path;
		if (!src || !dst) {
			st = oom(g);
		} else if (lstat(src, &sb) != 0 || !S_ISREG(sb.st_mode)) {
			snprintf(why, size, "its previous output %s is missing", f->path);
		} else if (exists(dst)) {
			snprintf(why, size, "%s is now written by an earlier stage", f->path);
		} else if ((st = run_copy_file_indexed(src, dst,
				run_files_find(&g->prev.outputs, f->path, 0), &got,
				NULL, g->e)) == SS_OK) {
			if (strcmp(got.sha256, f->sha256) != 0) {
				snprintf(why, size,
					 "its previous output %s was changed after the last run",
					 f->path);
				unlink(dst);
			} else
				st = run_files_add_copy(&r->outputs, &got, g->e);
		}
		free(src);
		free(dst);
	}
	if (st == SS_OK && !why[0] && prev->vmode != RUN_VAL_NONE) {
		int match;

		st = append_range(g, vsrc, prev->voffset, prev->vbytes, vdst,
				  prev->vmode == RUN_VAL_REPLACE, prev->vsha256, &match);
		if (st == SS_OK && !match)
			snprintf(why, size,
				 "its part of the previous validation.csv was changed after the last run");
		r->vmode = prev->vmode;
		r->voffset = prev->vmode == RUN_VAL_REPLACE ? 0 : vlen;
		r->vbytes = prev->vbytes;
		memcpy(r->vsha256, prev->vsha256, RUN_SHA256_HEX);
	}
	if (st == SS_OK && why[0]) {
		/* undo: the stage reruns into a tree without these files */
		for (size_t i = 0; i < r->outputs.n; i++) {
			char *dst = run_path_join(g->out, r->outputs.v[i].path);

			if (dst)
				unlink(dst);
			free(dst);
		}
		run_files_release(&r->outputs);
		r->vmode = RUN_VAL_NONE;
		r->voffset = r->vbytes = 0;
		r->vsha256[0] = '\0';
	}
	free(vsrc);
	free(vdst);
	return st;
}

/* Which changes of the tree a stage answers for: all of them, or, for
 * two stages run at the same time, those under only's writes prefixes
 * (the first) or those not under not's (the second). */
typedef struct owner {
	const run_stage_def *only, *not;
} owner;

static int owns(const owner *o, const char *path)
{
	if (o->only && !run_stage_writes(o->only, path))
		return 0;
	return !(o->not && run_stage_writes(o->not, path));
}

/* After a rerun: the files the stage wrote, and its validation.csv part. */
static ss_status record_outputs(engine *g, const run_files *before,
				run_stage_rec *r, const owner *o)
{
	const run_file *vb = run_files_find(before, VALIDATION, 0);
	const run_file *va = run_files_find(&g->tree, VALIDATION, 0);
	ss_status st = SS_OK;

	r->reusable = 1;
	for (size_t i = 0; i < g->tree.n && st == SS_OK; i++) {
		const run_file *f = &g->tree.v[i];
		const run_file *old = run_files_find(before, f->path, 0);

		if (!owns(o, f->path) || strcmp(f->path, VALIDATION) == 0 ||
		    (old && strcmp(old->sha256, f->sha256) == 0))
			continue;
		if (old)
			r->reusable = 0; /* rewrote a file of an earlier stage */
		st = run_files_add(&r->outputs, f->path, f->sha256, f->bytes, 0, g->e);
	}
	for (size_t i = 0; i < before->n; i++)
		if (owns(o, before->v[i].path) &&
		    !run_files_find(&g->tree, before->v[i].path, 0))
			r->reusable = 0; /* removed one */
	if (st != SS_OK)
		return st;
	r->vmode = RUN_VAL_NONE;
	r->voffset = r->vbytes = 0;
	r->vsha256[0] = '\0';
	if (!va)
		return SS_OK;
	if (!owns(o, VALIDATION)) {
		/* as when it runs alone and adds nothing: its part starts
		   where the file ended before it */
		r->voffset = vb ? vb->bytes : 0;
		return SS_OK;
	}
	if (!vb) {
		r->vmode = RUN_VAL_APPEND;
		r->vbytes = va->bytes;
		memcpy(r->vsha256, va->sha256, RUN_SHA256_HEX);
		return SS_OK;
	}
	if (va->bytes >= vb->bytes) {
		char *path = run_path_join(g->out, VALIDATION);
		char hex[RUN_SHA256_HEX];

		if (!path)
			return oom(g);
		st = run_sha256_file(path, 0, vb->bytes, hex, NULL, g->e);
		if (st == SS_OK && strcmp(hex, vb->sha256) == 0) {
			r->voffset = vb->bytes;
			r->vbytes = va->bytes - vb->bytes;
			if (r->vbytes > 0) {
				r->vmode = RUN_VAL_APPEND;
				st = run_sha256_file(path, vb->bytes, r->vbytes,
						     r->vsha256, NULL, g->e);
			}
			free(path);
			return st;
		}
		free(path);
		if (st != SS_OK)
			return st;
	}
	r->vmode = RUN_VAL_REPLACE;
	r->vbytes = va->bytes;
	memcpy(r->vsha256, va->sha256, RUN_SHA256_HEX);
	return SS_OK;
}

/* Starts writing r's new outputs to disk while the later stages run, so
 * that the fsync before publishing finds little left to write (it was
 * 40 ms of a national run, for 40 MB). Advisory: a failure here shows
 * again, and is reported, in that fsync. */
static void start_writeback(engine *g, const run_stage_rec *r)
{
	for (size_t i = 0; i < r->outputs.n; i++) {
		char *p = run_path_join(g->out, r->outputs.v[i].path);
		int fd = p ? open(p, O_RDONLY | O_CLOEXEC) : -1;

		if (fd >= 0) {
			(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
			close(fd);
		}
		free(p);
	}
}

/* Writes run_info.csv into out/ for the report stage. */
static ss_status fill_counts(engine *g, run_manifest *m, const char *dir);

static ss_status write_run_info(engine *g)
{
	run_buf b;
	char *path;
	ss_status st;

	if ((st = late_join(g)) != SS_OK)
		return st;
	if (!(path = run_path_join(g->out, RUN_INFO)))
		return oom(g);
	if ((st = fill_counts(g, &g->cur, g->out)) != SS_OK) {
		free(path);
		return st;
	}
	run_buf_init(&b);
	run_info_write_csv(&g->cur, &b);
	g->since_ns = run_index_now_ns();
	st = b.failed ? oom(g) : run_write_file(path, run_buf_str(&b), b.len, g->e);
	run_buf_release(&b);
	free(path);
	return st == SS_OK ? rescan(g) : st;
}

/* A stage as decided before it runs. */
typedef struct plan {
	const run_stage_def *d;
	run_stage_rec *r;
	const run_stage_rec *prev;
	int absent;        /* no program: nothing to run */
	int reuse;         /* its previous outputs may be copied */
	int settled;       /* reruns whatever its inputs hold: ext hashes them */
	ext_job *ext;      /* g->ext[the stage's index] */
	char **argv;
	char *log_path;
	child ch;
} plan;

static void plan_init(plan *p, engine *g, const run_stage_def *d,
		      run_stage_rec *r)
{
	memset(p, 0, sizeof *p);
	p->d = d;
	p->r = r;
	p->prev = g->have_prev ? run_manifest_stage(&g->prev, d->name) : NULL;
	p->ext = &g->ext[r - g->cur.stages];
}

static void plan_release(plan *p)
{
	/* a stage that did not run: its inputs are of no use */
	if (!p->ext->finished && !p->ext->owner)
		ext_job_discard(p->ext);
	free(p->argv);
	free(p->log_path);
}

/* Fills p->r (program, options, environment, inputs) and decides between
 * a rerun and a reuse; a stage whose rerun is settled has its external
 * inputs hashed by p->ext from now on. */
static ss_status plan_stage(engine *g, plan *p)
{
	const run_stage_def *d = p->d;
	run_stage_rec *r = p->r;
	char why[512];
	ss_status st;

	if (!(r->stage = strdup(d->name)))
		return oom(g);
	if (!(r->binary = malloc(strlen(g->c->bin_dir) + strlen(d->name) + 16)))
		return oom(g);
	sprintf(r->binary, "%s/schoolstat-%s", g->c->bin_dir, d->name);
	if (access(r->binary, X_OK) != 0) {
		r->status = RUN_STAGE_ABSENT;
		snprintf(why, sizeof why, "no program %s", r->binary);
		p->absent = 1;
		return set_why(g, r, why);
	}
	if ((st = run_sha256_file(r->binary, 0, -1, r->binary_sha256, NULL,
				  g->e)) != SS_OK ||
	    (st = run_stage_args(d, g->c, &r->args, g->e)) != SS_OK)
		return st;
	if ((d->flags & RUN_TAKES_EPOCH) && g->c->source_date_epoch) {
		snprintf(why, sizeof why, "SOURCE_DATE_EPOCH=%s",
			 g->c->source_date_epoch);
		if ((st = run_strv_add(&r->env, why, g->e)) != SS_OK)
			return st;
	}
	if (run_decide_settled(p->prev, r, why, sizeof why)) {
		if ((st = set_why(g, r, why)) != SS_OK ||
		    (st = collect_tree(g, d, r)) != SS_OK)
			return st;
		p->settled = 1;
		ext_job_start(p->ext, g, d);
		return SS_OK;
	}
	if ((st = collect_external(g, d, &r->inputs, g->e)) != SS_OK ||
	    (st = collect_tree(g, d, r)) != SS_OK ||
	    (st = run_stage_key(r, g->e)) != SS_OK)
		return st;
	if (run_decide(p->prev, r, why, sizeof why) == RUN_DECIDE_REUSE)
		p->reuse = 1;
	else if ((st = set_why(g, r, why)) != SS_OK)
		return st;
	return SS_OK;
}

/* Starts p's program, writing into out/. */
static ss_status plan_launch(engine *g, plan *p)
{
	run_stage_rec *r = p->r;
	double delay = 0;

	if (!(p->argv = calloc(r->args.n + 3, sizeof *p->argv)))
		return oom(g);
	p->argv[0] = r->binary;
	for (size_t i = 0; i < r->args.n; i++)
		p->argv[i + 1] = r->args.v[i];
	p->argv[r->args.n + 1] = g->out;
	if (!g->c->verbose) {
		char name[64];

		snprintf(name, sizeof name, "%s.log", p->d->name);
		if (!(p->log_path = run_path_join(g->logdir, name)))
			return oom(g);
	}
	if (g->c->delay_stage && strcmp(g->c->delay_stage, p->d->name) == 0)
		delay = g->c->delay_seconds;
	return spawn_child(g, p->argv, p->log_path, delay, &p->ch);
}

static int plan_succeeded(const plan *p)
{
	return !p->ch.cr.stopped_by && p->ch.cr.exited && p->ch.cr.code == 0;
}

/* After p's program exited (the tree rescanned when it succeeded): its
 * key, its outputs (those o gives it) or its failure, announced. */
static ss_status plan_result(engine *g, plan *p, const run_files *before,
			     const owner *o, int *stop)
{
	run_stage_rec *r = p->r;
	const child_result *cr = &p->ch.cr;
	ss_status st;

	r->seconds = p->ch.seconds;
	/* its inputs and key come with late_join; an error there still ends
	   the run before anything is published */
	if (p->settled)
		p->ext->owner = r;
	if (plan_succeeded(p)) {
		if ((st = record_outputs(g, before, r, o)) != SS_OK)
			return st;
		start_writeback(g, r);
		r->status = RUN_STAGE_RERUN;
		r->exit_status = 0;
		g->res->nrerun++;
		emit(g, r, NULL);
		return SS_OK;
	} else {
		char why[160];

		r->status = RUN_STAGE_FAILED;
		if (cr->exited)
			r->exit_status = cr->code;
		r->signal = cr->sig;
		if (cr->stopped_by)
			snprintf(why, sizeof why, "stopped: the run received %s",
				 signal_name(cr->stopped_by));
		else if (cr->exited)
			snprintf(why, sizeof why, "exit status %d%s", cr->code,
				 cr->code == 127 ? " (could not be executed)" : "");
		else
			snprintf(why, sizeof why, "killed by signal %d (%s)", cr->sig,
				 signal_name(cr->sig));
		if ((st = set_why(g, r, why)) != SS_OK)
			return st;
		emit(g, r, p->log_path);
		*stop = 1;
		if (cr->stopped_by) {
			g->res->outcome = RUN_OUT_INTERRUPTED;
			g->res->signal = cr->stopped_by;
		} else {
			g->res->outcome = RUN_OUT_STAGE_FAILED;
			g->res->failed = p->d;
		}
		return SS_OK;
	}
}

/* Runs the stages ps[0..n) at the same time (n is 1 or 2; ps[1] runs
 * beside ps[0]) and takes their results in stage order; after a failure
 * the later ones are neither recorded nor announced, as if they had not
 * run. */
/* Whether some file changed between before and after that is under
 * neither a's nor b's writes prefixes. */
static int stray_change(const run_files *before, const run_files *after,
			const run_stage_def *a, const run_stage_def *b)
{
	for (size_t i = 0; i < after->n; i++) {
		const run_file *f = &after->v[i];
		const run_file *old = run_files_find(before, f->path, 0);

		if (old && strcmp(old->sha256, f->sha256) == 0)
			continue;
		if (!run_stage_writes(a, f->path) && !run_stage_writes(b, f->path))
			return 1;
	}
	for (size_t i = 0; i < before->n; i++)
		if (!run_files_find(after, before->v[i].path, 0) &&
		    !run_stage_writes(a, before->v[i].path) &&
		    !run_stage_writes(b, before->v[i].path))
			return 1;
	return 0;
}

static ss_status rerun(engine *g, plan *const ps[], size_t n, int *stop)
{
	child *ch[2];
	run_files before;
	size_t started = 0;
	int stop_sig = 0;
	ss_status st = SS_OK;

	/* the tree before, to tell what the stages wrote */
	before = g->tree;
	run_files_init(&g->tree);
	g->since_ns = run_index_now_ns();
	for (size_t i = 0; i < n && st == SS_OK; i++) {
		st = plan_launch(g, ps[i]);
		ch[i] = &ps[i]->ch;
		started += ps[i]->ch.running;
		/* The stage beside (the report) is the longer one: the first
		   yields it the cores and fills the time they idle, instead of
		   taking half of them and making the report wait (0.681 s
		   against 0.717 s a run, national input). Neither's output
		   changes. */
		if (st == SS_OK && n > 1 && i == 0)
			lower_priority(&ps[0]->ch, 10);
	}
	if (st != SS_OK && started > 0) {
		/* a stage could not start: the run ends, the others with it */
		ss_error keep = *g->e;

		signal_children(ch, started, SIGKILL);
		wait_children(g, ch, started, &stop_sig);
		*g->e = keep;
	}
	if (st == SS_OK)
		st = wait_children(g, ch, n, &stop_sig);
	if (st == SS_OK && plan_succeeded(ps[0]))
		st = rescan_known(g, &before);
	for (size_t i = 0; i < n && st == SS_OK && !*stop; i++) {
		owner o = { NULL, NULL };

		if (n > 1 && i == 0)
			o.only = ps[0]->d;
		else if (n > 1)
			o.not = ps[0]->d;
		st = plan_result(g, ps[i], &before, &o, stop);
	}
	/* a file neither stage of a pair declares: who wrote it is not
	   known, so neither's outputs may be reused next time */
	if (st == SS_OK && !*stop && n > 1 &&
	    stray_change(&before, &g->tree, ps[0]->d, ps[1]->d))
		ps[0]->r->reusable = ps[1]->r->reusable = 0;
	/* a stop signal ends the run as a stop, even when the first stage
	   had failed on its own before it came */
	if (st == SS_OK && stop_sig) {
		*stop = 1;
		g->res->outcome = RUN_OUT_INTERRUPTED;
		g->res->signal = stop_sig;
	}
	run_files_release(&before);
	return st;
}

/* Copies p's previous outputs when it may, else reruns it alone. */
static ss_status reuse_or_rerun(engine *g, plan *p, int *stop)
{
	run_stage_rec *r = p->r;
	struct timespec t;
	ss_status st;

	if (p->absent) {
		g->res->nabsent++;
		emit(g, r, NULL);
		return SS_OK;
	}
	if (p->reuse) {
		char why[512];

		clock_gettime(CLOCK_MONOTONIC, &t);
		g->since_ns = run_index_now_ns();
		if ((st = try_reuse(g, p->prev, r, why, sizeof why)) != SS_OK)
			return st;
		if (!why[0]) {
			r->seconds = seconds_since(&t);
			r->status = RUN_STAGE_REUSED;
			r->reusable = 1;
			r->exit_status = p->prev->exit_status;
			g->res->nreused++;
			emit(g, r, NULL);
			/* the copies' hashes are known: no need to read them */
			for (size_t i = 0; i < r->outputs.n && st == SS_OK; i++)
				st = run_files_add_copy(&g->tree, &r->outputs.v[i], g->e);
			return st == SS_OK ? rescan(g) : st;
		}
		if ((st = set_why(g, r, why)) != SS_OK)
			return st;
	}
	{
		plan *const one[1] = { p };

		return rerun(g, one, 1, stop);
	}
}

/* What the driver itself writes for a stage before it is planned. */
static ss_status before_stage(engine *g, const run_stage_def *d)
{
	return strcmp(d->name, "report") == 0 ? write_run_info(g) : SS_OK;
}

static ss_status do_stage(engine *g, const run_stage_def *d, run_stage_rec *r,
			  int *stop)
{
	plan p;
	ss_status st;

	plan_init(&p, g, d, r);
	if ((st = before_stage(g, d)) == SS_OK &&
	    (st = plan_stage(g, &p)) == SS_OK)
		st = reuse_or_rerun(g, &p, stop);
	plan_release(&p);
	return st;
}

/* d2 (RUN_BESIDE_PREV) and d1, the stage before it: both planned on the
 * tree before d1, then run at the same time when both rerun, else one
 * after the other as usual. */
static ss_status do_pair(engine *g, const run_stage_def *d1, run_stage_rec *r1,
			 const run_stage_def *d2, run_stage_rec *r2, int *stop)
{
	plan p1, p2;
	ss_status st;
	int sig;

	plan_init(&p1, g, d1, r1);
	plan_init(&p2, g, d2, r2);
	if ((st = before_stage(g, d1)) != SS_OK ||
	    (st = before_stage(g, d2)) != SS_OK ||
	    (st = plan_stage(g, &p1)) != SS_OK ||
	    (st = plan_stage(g, &p2)) != SS_OK)
		goto done;
	if (!p1.absent && !p2.absent && !p1.reuse && !p2.reuse) {
		plan *const both[2] = { &p1, &p2 };

		st = rerun(g, both, 2, stop);
		goto done;
	}
	if ((st = reuse_or_rerun(g, &p1, stop)) != SS_OK || *stop)
		goto done;
	if ((sig = pending_stop(g)) != 0) {
		g->res->outcome = RUN_OUT_INTERRUPTED;
		g->res->signal = sig;
		*stop = 1;
		goto done;
	}
	st = reuse_or_rerun(g, &p2, stop);
done:
	plan_release(&p1);
	plan_release(&p2);
	return st;
}

/* ------------------------------------------------------------ finishing */

static long long count_rows(engine *g, const char *dir, const char *name,
			    const char *col, const char *value, ctable *keep)
{
	char *path = run_path_join(dir, name);
	ctable t;
	ss_error err;
	long long n = -1;

	ctable_init(&t);
	err_clear(&err);
	if (!path)
		return -1;
	if (!exists(path)) {
		free(path);
		return -1;
	}
	if (ctable_load(&t, path, &err) != SS_OK) {
		note_error(g, "counts left empty: ", &err);
	} else if (!col) {
		n = (long long)t.nrows;
	} else {
		int k = ctable_col(&t, col);

		n = 0;
		for (size_t i = 0; k >= 0 && i < t.nrows; i++)
			n += strcmp(ctable_get(&t, i, k), value) == 0;
	}
	if (keep && n >= 0) {
		*keep = t;
		ctable_init(&t);
	}
	ctable_release(&t);
	free(path);
	return n;
}

static ss_status fill_counts(engine *g, run_manifest *m, const char *dir)
{
	ctable src;
	long long ok = 0;

	ctable_init(&src);
	m->nerrors = count_rows(g, dir, VALIDATION, "severity", "error", NULL);
	m->nwarnings = count_rows(g, dir, VALIDATION, "severity", "warning", NULL);
	m->nrejected = count_rows(g, dir, "rejects.csv", NULL, NULL, NULL);
	if (count_rows(g, dir, "clean/sources.csv", NULL, NULL, &src) >= 0) {
		int ct = ctable_col(&src, "table"), cr = ctable_col(&src, "rows_read");
		int ca = ctable_col(&src, "accepted"), cj = ctable_col(&src, "rejected");

		for (size_t i = 0; i < m->ntables; i++) {
			run_table *tb = &m->tables[i];

			tb->rows_read = tb->rows_accepted = tb->rows_rejected = -1;
			for (size_t r = 0; ct >= 0 && r < src.nrows; r++) {
				if (strcmp(ctable_get(&src, r, ct), tb->table) != 0)
					continue;
				if (ctable_get_ll(&src, r, cr, &ok) == 1)
					tb->rows_read = ok;
				if (ctable_get_ll(&src, r, ca, &ok) == 1)
					tb->rows_accepted = ok;
				if (ctable_get_ll(&src, r, cj, &ok) == 1)
					tb->rows_rejected = ok;
			}
		}
	}
	ctable_release(&src);
	return SS_OK;
}

/* Top-level entries of the old output that no stage wrote and the old
 * manifest does not list (a README, a note someone left) go along. */
static ss_status carry_over(engine *g)
{
	DIR *d;
	struct dirent *de;
	run_strv names;
	ss_status st = SS_OK;

	if (!g->have_old)
		return SS_OK;
	if (!(d = opendir(g->output)))
		return err_set_errno(g->e, SS_EIO, g->output, errno,
				     "cannot open directory");
	run_strv_init(&names);
	while ((de = readdir(d)) != NULL && st == SS_OK) {
		const char *n = de->d_name;
		size_t len = strlen(n);
		int owned = 0;
		char *dst;

		if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0 ||
		    strcmp(n, MANIFEST) == 0)
			continue;
		if (!(dst = run_path_join(g->out, n))) {
			st = oom(g);
			break;
		}
		owned = exists(dst);
		free(dst);
		for (size_t i = 0; !owned && i < g->prev.outputs.n; i++) {
			const char *p = g->prev.outputs.v[i].path;

			owned = strncmp(p, n, len) == 0 && (p[len] == '\0' || p[len] == '/');
		}
		if (!owned)
			st = run_strv_add(&names, n, g->e);
	}
	closedir(d);
	/* sorted, so that the manifest lists them in a fixed order */
	for (size_t i = 1; i < names.n; i++)
		for (size_t j = i; j > 0 && strcmp(names.v[j - 1], names.v[j]) > 0; j--) {
			char *tmp = names.v[j];

			names.v[j] = names.v[j - 1];
			names.v[j - 1] = tmp;
		}
	for (size_t i = 0; i < names.n && st == SS_OK; i++) {
		char *src = run_path_join(g->output, names.v[i]);
		char *dst = run_path_join(g->out, names.v[i]);

		if (!src || !dst)
			st = oom(g);
		else if ((st = run_copy_tree(src, dst, g->e)) == SS_OK)
			st = run_strv_add(&g->cur.kept, names.v[i], g->e);
		free(src);
		free(dst);
	}
	run_strv_release(&names);
	return st;
}

static ss_status sync_dir(engine *g, const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return err_set_errno(g->e, SS_EIO, dir, errno, "cannot open directory");
	if (fsync(fd) != 0)
		err = errno;
	close(fd);
	/* some file systems cannot fsync a directory: not a failure */
	if (err && err != EINVAL && err != ENOTSUP)
		return err_set_errno(g->e, SS_EIO, dir, err, "cannot sync");
	return SS_OK;
}

/* fsync every file and directory under dir. Per file rather than
 * syncfs(): that would also report write-back errors of other programs'
 * files on the same file system. */
static ss_status sync_tree(engine *g, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	ss_status st = SS_OK;

	if (!d)
		return err_set_errno(g->e, SS_EIO, dir, errno, "cannot open directory");
	while (st == SS_OK && (de = readdir(d)) != NULL) {
		char *p;
		struct stat sb;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (!(p = run_path_join(dir, de->d_name))) {
			st = oom(g);
			break;
		}
		if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			st = sync_tree(g, p);
		} else if (lstat(p, &sb) == 0 && S_ISREG(sb.st_mode)) {
			int fd = open(p, O_RDONLY | O_CLOEXEC);

			if (fd < 0 || fsync(fd) != 0)
				st = err_set_errno(g->e, SS_EIO, p, errno, "cannot sync");
			if (fd >= 0)
				close(fd);
		}
		free(p);
	}
	closedir(d);
	return st == SS_OK ? sync_dir(g, dir) : st;
}

/* Swaps out/ into place. With RENAME_EXCHANGE both names exist at every
 * instant; without it (file systems that lack it), the old tree moves to
 * work/old first, where the next run finds it if this one dies between
 * the two renames. */
static ss_status publish(engine *g)
{
	ss_status st;

	/* the stages wrote without fsync: all on disk before the switch */
	if ((st = sync_tree(g, g->out)) != SS_OK)
		return st;
	if (g->have_old) {
		char *old;

		if (renameat2(AT_FDCWD, g->out, AT_FDCWD, g->output, RENAME_EXCHANGE) == 0)
			return sync_dir(g, g->parent);
		if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
			return err_set_errno(g->e, SS_EIO, g->output, errno,
					     "cannot exchange with %s", g->out);
		if (!(old = run_path_join(g->work, "old")))
			return oom(g);
		if (rename(g->output, old) != 0) {
			int err = errno;

			free(old);
			return err_set_errno(g->e, SS_EIO, g->output, err, "cannot move aside");
		}
		if (rename(g->out, g->output) != 0) {
			int err = errno;

			if (rename(old, g->output) != 0)
				note(g, "cannot put the previous outputs back from %s: %s",
				     old, strerror(errno));
			free(old);
			return err_set_errno(g->e, SS_EIO, g->output, err, "cannot move into place");
		}
		free(old);
		return sync_dir(g, g->parent);
	}
	if (renameat2(AT_FDCWD, g->out, AT_FDCWD, g->output, RENAME_NOREPLACE) != 0 &&
	    ((errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) ||
	     rename(g->out, g->output) != 0))
		return err_set_errno(g->e, SS_EIO, g->output, errno, "cannot move into place");
	return sync_dir(g, g->parent);
}

static ss_status finish(engine *g)
{
	struct stat sb;
	char *path;
	run_buf b;
	ss_status st;
	int sig;

	if ((st = late_join(g)) != SS_OK ||
	    (st = fill_counts(g, &g->cur, g->out)) != SS_OK ||
	    (st = rescan(g)) != SS_OK)
		return st;
	run_files_release(&g->cur.outputs);
	g->cur.outputs = g->tree;
	run_files_init(&g->tree);
	if ((st = carry_over(g)) != SS_OK)
		return st;
	/* a group-writable or private output stays so */
	if (g->have_old && stat(g->output, &sb) == 0 &&
	    chmod(g->out, sb.st_mode & 07777) != 0)
		return err_set_errno(g->e, SS_EIO, g->out, errno, "cannot set the mode");
	run_iso_time((long long)time(NULL), g->cur.finished);
	run_buf_init(&b);
	run_manifest_write_json(&g->cur, &b);
	if (!(path = run_path_join(g->out, MANIFEST)) || b.failed) {
		free(path);
		run_buf_release(&b);
		return oom(g);
	}
	st = run_write_file(path, run_buf_str(&b), b.len, g->e);
	free(path);
	run_buf_release(&b);
	if (st != SS_OK)
		return st;
	if ((sig = pending_stop(g)) != 0) {
		g->res->outcome = RUN_OUT_INTERRUPTED;
		g->res->signal = sig;
		return SS_OK;
	}
	if ((st = publish(g)) != SS_OK)
		return st;
	g->res->outcome = RUN_OUT_OK;
	g->res->nerrors = g->cur.nerrors;
	g->res->nwarnings = g->cur.nwarnings;
	g->res->nrejected = g->cur.nrejected;
	return SS_OK;
}

static ss_status settings(engine *g)
{
	const run_config *c = g->c;
	struct {
		char **slot;
		const char *v;
	} s[] = {
		{ &g->cur.version, SCHOOLSTAT_VERSION },
		{ &g->cur.config_path, c->config_path },
		{ &g->cur.input_dir, c->input },
		{ &g->cur.output_dir, c->output },
		{ &g->cur.unit, c->unit },
		{ &g->cur.year, c->year },
		{ &g->cur.number_style, c->number_style },
		{ &g->cur.encoding, c->encoding },
		{ &g->cur.norms, c->norms ? c->norms : "data/norms.csv" },
	};

	for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
		if (s[i].v && !(*s[i].slot = strdup(s[i].v)))
			return oom(g);
	g->cur.strict = c->strict;
	run_iso_time((long long)time(NULL), g->cur.started);
	return SS_OK;
}

ss_status run_execute(const run_config *c, const run_hooks *hooks,
		      run_result *res, ss_error *e)
{
	engine g;
	size_t nstages;
	const run_stage_def *stages = run_stages(&nstages);
	ss_status st;
	int locked, stop = 0, sig;

	memset(&g, 0, sizeof g);
	memset(res, 0, sizeof *res);
	res->outcome = RUN_OUT_ERROR;
	res->nerrors = res->nwarnings = res->nrejected = -1;
	g.c = c;
	g.h = hooks;
	g.res = res;
	g.e = e;
	g.lock_fd = -1;
	run_manifest_init(&g.prev);
	run_manifest_init(&g.cur);
	run_files_init(&g.tree);
	clock_gettime(CLOCK_MONOTONIC, &g.t0);
	if ((st = run_config_check(c, e)) != SS_OK)
		goto done;
	if (!c->bin_dir) {
		st = err_set(e, SS_EUSAGE, NULL, 0, 0,
			     "no directory of stage programs (expected --bin-dir DIR)");
		goto done;
	}
	/* checked before the lock too, so that a wrong --output leaves no
	   lock file beside someone else's directory */
	if ((st = paths_init(&g)) != SS_OK || (st = check_output(&g)) != SS_OK ||
	    (st = make_dirs(&g, g.parent)) != SS_OK)
		goto done;
	g.have_old = 0;
	signals_begin(&g);
	if ((locked = lock_acquire(&g)) <= 0) {
		st = locked < 0 ? e->status : SS_OK;
		if (locked == 0)
			res->outcome = RUN_OUT_LOCKED;
		goto done;
	}
	if ((st = settings(&g)) != SS_OK || (st = clean_stale(&g)) != SS_OK ||
	    (st = check_output(&g)) != SS_OK)
		goto done;
	res->had_output = g.have_old;
	load_prev(&g);
	if ((st = make_work(&g)) != SS_OK)
		goto done;
	if (!(g.cur.stages = calloc(nstages, sizeof *g.cur.stages))) {
		st = oom(&g);
		goto done;
	}
	for (size_t i = 0; i < nstages; i++)
		run_stage_rec_init(&g.cur.stages[i]);
	g.cur.nstages = nstages;
	if (!(g.ext = calloc(nstages, sizeof *g.ext))) {
		st = oom(&g);
		goto done;
	}
	g.next = nstages;
	for (size_t i = 0; i < nstages; i++)
		g.ext[i].finished = 1;
	for (size_t i = 0; i < nstages && !stop; i++) {
		if ((sig = pending_stop(&g)) != 0) {
			res->outcome = RUN_OUT_INTERRUPTED;
			res->signal = sig;
			break;
		}
		if (i + 1 < nstages && (stages[i + 1].flags & RUN_BESIDE_PREV)) {
			st = do_pair(&g, &stages[i], &g.cur.stages[i], &stages[i + 1],
				     &g.cur.stages[i + 1], &stop);
			i++;
		} else {
			st = do_stage(&g, &stages[i], &g.cur.stages[i], &stop);
		}
		if (st != SS_OK)
			goto done;
	}
	if (!stop && res->outcome != RUN_OUT_INTERRUPTED)
		st = finish(&g);
done:
	late_discard(&g);
	free(g.ext);
	if (st != SS_OK)
		res->outcome = RUN_OUT_ERROR;
	if (g.work) {
		ss_error err;

		err_clear(&err);
		if (run_remove_tree(g.work, &err) != SS_OK)
			note_error(&g, "cannot remove the work directory (the next run will): ",
				   &err);
	}
	if (g.lock_fd >= 0)
		close(g.lock_fd);
	signals_end(&g);
	run_manifest_release(&g.prev);
	run_manifest_release(&g.cur);
	run_files_release(&g.tree);
	free(g.output);
	free(g.parent);
	free(g.base);
	free(g.lock_path);
	free(g.work);
	free(g.out);
	free(g.logdir);
	return st;
}

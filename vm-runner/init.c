/*
 * lockstep-vm init: PID 1 of the test VM (built with gcc -static -Os, no libraries needed).
 *
 * Mounts proc, sysfs, devtmpfs, tmpfs on /tmp and /dev/shm, securityfs; loads the kernel modules
 * listed in /lockstep-vm/modules (if any); prints what the runner needs to know about the kernel;
 * runs the payload whose argv is in /lockstep-vm/argv (NUL-separated) with stdout/stderr on the
 * console; prints "lockstep-vm: payload exit N" and powers off. Nothing else is brought up.
 *
 * Every line this init prints starts with "lockstep-vm: " so that the runner can tell it from the
 * payload's output and from kernel messages.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#endif
#ifndef __NR_finit_module
#define __NR_finit_module 313
#endif
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#define LANDLOCK_CREATE_RULESET_ERRATA (1U << 1)
#define MODULE_INIT_COMPRESSED_FILE 4

static void vsay(int newline_first, const char *fmt, va_list ap)
{
	char buf[1024];
	int n = 0, m;

	/* A leading newline ends a partial line the payload may have left on the console. */
	if (newline_first)
		buf[n++] = '\n';
	memcpy(buf + n, "lockstep-vm: ", 13);
	n += 13;
	m = vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	if (m < 0)
		return;
	n += m < (int)sizeof(buf) - n - 1 ? m : (int)sizeof(buf) - n - 2;
	buf[n++] = '\n';
	(void)!write(1, buf, n);
}

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(0, fmt, ap);
	va_end(ap);
}

/* For the lines after the payload ran: start on a fresh line. */
static void say_nl(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(1, fmt, ap);
	va_end(ap);
}

static double uptime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void do_mount(const char *src, const char *dst, const char *type, unsigned long flags,
		     const char *data)
{
	mkdir(dst, 0755);
	if (mount(src, dst, type, flags, data) != 0)
		say("mount %s on %s failed: %s", type, dst, strerror(errno));
}

static void power_off(void)
{
	sync();
	/*
	 * A reset first: QEMU runs with -no-reboot, so it ends QEMU just as a
	 * power-off would, and it works on every kernel.  A power-off does not:
	 * a kernel that cannot power off (no ACPI, or ACPI tables that do not
	 * load, as in a tinyconfig kernel without PCI) halts instead and never
	 * returns, which the runner could only see as a hang at shutdown.
	 */
	reboot(RB_AUTOBOOT);
	reboot(RB_POWER_OFF);
	say("power-off failed: %s", strerror(errno));
	for (;;)
		pause();
}

/* Read a whole small file; returns a malloc'd, NUL-terminated buffer and its length. */
static char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, n = 0;
	char *buf;
	ssize_t r;

	if (fd < 0)
		return NULL;
	buf = malloc(cap + 1);
	while (buf && (r = read(fd, buf + n, cap - n)) > 0) {
		n += r;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
		}
	}
	close(fd);
	if (!buf)
		return NULL;
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static void setup_console(void)
{
	int fd;

	/* The initramfs holds /dev/console, so fds 0-2 are normally open; make sure anyway. */
	if (fcntl(1, F_GETFD) < 0) {
		fd = open("/dev/console", O_RDWR | O_NOCTTY);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
	}
}

static void load_modules(void)
{
	char *list = slurp("/lockstep-vm/modules", NULL);
	char *save = NULL, *name;

	if (!list)
		return;
	for (name = strtok_r(list, "\n", &save); name; name = strtok_r(NULL, "\n", &save)) {
		char path[512];
		int fd, flags = 0;
		size_t l = strlen(name);

		if (!l)
			continue;
		snprintf(path, sizeof(path), "/lib/modules/%s", name);
		if ((l > 3 && !strcmp(name + l - 3, ".xz")) || (l > 4 && !strcmp(name + l - 4, ".zst")) ||
		    (l > 3 && !strcmp(name + l - 3, ".gz")))
			flags = MODULE_INIT_COMPRESSED_FILE;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || syscall(__NR_finit_module, fd, "", flags) != 0) {
			if (errno == EEXIST)
				say("module %s: already loaded", name);
			else
				say("module %s: load failed: %s", name, strerror(errno));
		} else {
			say("module %s: loaded", name);
		}
		if (fd >= 0)
			close(fd);
	}
	free(list);
}

static void report_kernel(void)
{
	struct utsname u;
	long abi, errata;
	char *lsm;

	if (uname(&u) == 0)
		say("uname %s %s", u.release, u.version);
	abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 0) {
		say("landlock-abi %ld errno %d (%s)", abi, errno, strerror(errno));
	} else {
		errata = syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_ERRATA);
		if (errata < 0)
			say("landlock-abi %ld errata unknown (%s)", abi, strerror(errno));
		else
			say("landlock-abi %ld errata %ld", abi, errata);
	}
	lsm = slurp("/sys/kernel/security/lsm", NULL);
	if (lsm) {
		say("lsm %s", lsm);
		free(lsm);
	}
}

int main(void)
{
	char *argbuf, *envbuf;
	size_t arglen = 0, envlen = 0;
	char *argv[256], *envp[64];
	int argc = 0, envc = 0, status;
	pid_t pid, w;
	size_t i;

	setup_console();
	say("init start %.3f", uptime());
	do_mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	do_mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	do_mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
	do_mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	do_mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	do_mount("securityfs", "/sys/kernel/security", "securityfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		 NULL);
	setup_console();
	load_modules();
	report_kernel();

	argbuf = slurp("/lockstep-vm/argv", &arglen);
	if (!argbuf || !arglen) {
		say("no /lockstep-vm/argv in the initramfs");
		say("payload exit 127");
		power_off();
	}
	for (i = 0; i < arglen && argc < 255; i += strlen(argbuf + i) + 1)
		argv[argc++] = argbuf + i;
	argv[argc] = NULL;
	envp[envc++] = "PATH=/bin:/sbin:/usr/bin";
	envp[envc++] = "HOME=/tmp";
	envp[envc++] = "TMPDIR=/tmp";
	envp[envc++] = "LANG=C";
	envbuf = slurp("/lockstep-vm/env", &envlen);
	for (i = 0; envbuf && i < envlen && envc < 63; i += strlen(envbuf + i) + 1)
		envp[envc++] = envbuf + i;
	envp[envc] = NULL;

	say("payload start %.3f %s", uptime(), argv[0]);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null >= 0) {
			dup2(null, 0);
			close(null);
		}
		if (chdir("/") != 0)
			_exit(127);
		execve(argv[0], argv, envp);
		say_nl("exec %s failed: %s", argv[0], strerror(errno));
		_exit(127);
	}
	if (pid < 0) {
		say("fork failed: %s", strerror(errno));
		say("payload exit 127");
		power_off();
	}
	/* PID 1 reaps every orphan; stop when the payload itself is gone. */
	for (;;) {
		w = wait(&status);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			say("wait failed: %s", strerror(errno));
			status = 127 << 8;
			break;
		}
		if (w == pid)
			break;
	}
	if (WIFSIGNALED(status))
		say_nl("payload exit %d signal %d %.3f", 128 + WTERMSIG(status), WTERMSIG(status), uptime());
	else
		say_nl("payload exit %d %.3f", WEXITSTATUS(status), uptime());
	power_off();
	return 0;
}

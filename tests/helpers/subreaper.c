/* subreaper: act like conmon or containerd's shim around a command that
 * leaves a process behind and names it in a pid file.
 *
 *   subreaper PIDFILE CMD [ARGS...]
 *
 * Becomes a child subreaper, runs CMD and waits for it (its status must be
 * 0), then reads the pid from PIDFILE and waits for that pid as its own
 * child, printing "exit N" or "signal N". Exit status 2: usage or CMD
 * failed; 3: the pid is not a child of ours (ECHILD). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	pid_t cmd, pid;
	int status;
	FILE *f;

	if (argc < 3) {
		fprintf(stderr, "usage: subreaper PIDFILE CMD [ARGS...]\n");
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		perror("subreaper: prctl");
		return 2;
	}
	cmd = fork();
	if (cmd == 0) {
		execvp(argv[2], argv + 2);
		perror("subreaper: exec");
		_exit(127);
	}
	if (cmd < 0 || waitpid(cmd, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "subreaper: command failed\n");
		return 2;
	}
	f = fopen(argv[1], "r");
	if (!f || fscanf(f, "%d", &pid) != 1) {
		fprintf(stderr, "subreaper: no pid in %s\n", argv[1]);
		return 2;
	}
	fclose(f);
	printf("started\n");
	fflush(stdout);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno == EINTR)
			continue;
		perror("subreaper: waitpid");
		return 3;
	}
	if (WIFSIGNALED(status))
		printf("signal %d\n", WTERMSIG(status));
	else
		printf("exit %d\n", WEXITSTATUS(status));
	return 0;
}

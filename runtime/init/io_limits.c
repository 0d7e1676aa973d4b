/* linux.resources.blockIO.weight without a cgroup: an I/O priority.
 *
 * The weight (10-1000, the cgroup's default 500) becomes a best-effort
 * I/O priority level (0 highest, 7 lowest, 4 the kernel's default), so
 * that the container's share against others follows the weight as the
 * kernel's own table makes a level's share follow (BFQ weighs level L as
 * 8 - L): level = 8 - weight / 125, rounded, within 0..7. 500 is 4, 1000
 * is 0, 125 and below are 7. Only a scheduler that reads levels (BFQ)
 * acts on it; mq-deadline reads the class alone, and "none" neither
 * (docs/resources.md). The supervisor traps ioprio_set so the container
 * cannot raise its level back (shim/supervisor/handlers_io.c). */
#include <errno.h>
#include <inttypes.h>
#include <linux/ioprio.h>

#include "runtime/init/process.h"

int io_weight_level(uint64_t weight)
{
	int level = 8 - (int)((weight + 62) / 125);

	return level < 0 ? 0 : level > 7 ? 7 : level;
}

int io_level_of(const struct oci_config *c)
{
	const struct oci_resources *r = c->linux_ ? c->linux_->resources : NULL;

	if (!r || !r->has_blkio_weight || r->blkio_weight < 10 || r->blkio_weight > 1000)
		return -1;
	return io_weight_level(r->blkio_weight);
}

int io_limits_build(const struct oci_config *c, struct process_plan *p, struct rl_error *e)
{
	const struct oci_resources *r = c->linux_ ? c->linux_->resources : NULL;
	int level = io_level_of(c);

	p->ioprio = 0;
	if (level >= 0) {
		p->ioprio = IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, level);
		return 0;
	}
	if (r && r->has_blkio_weight && r->blkio_weight != 0)
		return rl_fail(e, EINVAL,
		               "config.json: linux.resources.blockIO.weight: %" PRIu64
		               " (expected 10 to 1000)",
		               r->blkio_weight);
	return 0;
}

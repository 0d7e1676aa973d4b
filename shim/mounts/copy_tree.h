/* Copying an image's directory into a tmpfs's scratch directory (the
 * copy-up a tmpfs mount over an image directory gets, as runc's). */
#ifndef RUNLOCK_SHIM_MOUNTS_COPY_TREE_H
#define RUNLOCK_SHIM_MOUNTS_COPY_TREE_H

/* Copy what directory src holds into directory dst (depth: the recursion
 * depth so far, bounded). 0 or -1 with errno. */
int copy_tree(int src, int dst, int depth);

#endif

package io.percore.engine;

/** A task addressed to a non-default scheduling group, as carried by rings and the foreign queue. */
final class GroupTask {
    final int group;
    final Runnable task;

    GroupTask(int group, Runnable task) {
        this.group = group;
        this.task = task;
    }
}

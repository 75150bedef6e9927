package io.cvmfsthin.plugin.server;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The driver executor of handler tests: tasks wait until the test runs them, on the test thread, so
 * what a handler does on the event loop and what its worker does can be checked apart.
 */
final class TaskQueue implements Executor {
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  boolean rejecting;

  @Override
  public void execute(Runnable task) {
    if (rejecting) {
      throw new RejectedExecutionException("test executor refuses work");
    }
    tasks.add(task);
  }

  int size() {
    return tasks.size();
  }

  /** Runs the queued tasks, and those they queue, until none is left. */
  void runAll() {
    Runnable task;
    while ((task = tasks.poll()) != null) {
      task.run();
    }
  }
}

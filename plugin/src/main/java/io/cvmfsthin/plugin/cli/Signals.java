package io.cvmfsthin.plugin.cli;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT as ordinary events: the handler runs and the command then returns normally
 * (exit 0), instead of the JVM's default of running shutdown hooks and exiting with 143/130. The
 * one user of {@code sun.misc.Signal} (module jdk.unsupported), kept in this class.
 */
final class Signals {
  private Signals() {}

  /** Runs {@code action} (once per signal) on SIGTERM and SIGINT. */
  static void onTermination(Runnable action) {
    Signal.handle(new Signal("TERM"), s -> action.run());
    Signal.handle(new Signal("INT"), s -> action.run());
  }

  /** Runs {@code action} on SIGHUP (instead of the JVM's shutdown). */
  static void onHangup(Runnable action) {
    Signal.handle(new Signal("HUP"), s -> action.run());
  }
}

package dev.experiencegraph.neo4j;

import java.io.IOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

/**
 * Runs Neo4j 5.26 community embedded, with only the Bolt connector open, so the project can use a
 * real Neo4j on machines without Docker or a Neo4j install.
 *
 * <p>Configuration comes from the environment:
 *
 * <ul>
 *   <li>{@code NEO4J_HOME_DIR} (required): data and logs live here (created if missing); data
 *       survives restarts. Neo4j's own logs go to {@code logs/debug.log} under it, not to stdout.
 *   <li>{@code NEO4J_BOLT_HOST} (default {@code 127.0.0.1}) and {@code NEO4J_BOLT_PORT} (default
 *       {@code 7687}): where Bolt listens, also advertised to clients.
 *   <li>{@code NEO4J_PASSWORD} (required, at least 8 characters, as Neo4j 5 demands): the {@code
 *       neo4j} user's password, applied on every start.
 *   <li>{@code NEO4J_PAGECACHE} (default {@code 512m}): the page cache, in bytes or with a {@code
 *       k}, {@code m} or {@code g} suffix, at least {@code 8m}. The JVM options (heap, GC, JIT)
 *       are the caller's: see {@code profiles.json} beside this launcher.
 * </ul>
 *
 * <p>Once clients can connect it prints exactly one line, {@code NEO4J_READY bolt://host:port}, to
 * stdout. Exit codes: 2 for bad configuration, 1 when Neo4j cannot start (for example the port is
 * taken or another process holds the store). SIGTERM shuts the database down cleanly.
 */
public final class Launcher {
  private Launcher() {}

  public static void main(String[] args) throws InterruptedException {
    // Collect every problem first so one run reports all misconfigured variables at once.
    List<String> problems = new ArrayList<>();
    String home = System.getenv("NEO4J_HOME_DIR");
    if (home == null || home.isBlank()) problems.add("NEO4J_HOME_DIR must name a folder");
    String host = envOr("NEO4J_BOLT_HOST", "127.0.0.1");
    int port = -1;
    String rawPort = envOr("NEO4J_BOLT_PORT", "7687");
    try {
      port = Integer.parseInt(rawPort.trim());
      if (port < 1 || port > 65535) {
        problems.add("NEO4J_BOLT_PORT must be between 1 and 65535, got " + rawPort);
      }
    } catch (NumberFormatException e) {
      problems.add("NEO4J_BOLT_PORT must be a number, got '" + rawPort + "'");
    }
    String password = System.getenv("NEO4J_PASSWORD");
    if (password == null || password.length() < 8) {
      problems.add("NEO4J_PASSWORD must have at least 8 characters");
    }
    long pageCache = -1;
    String rawPageCache = envOr("NEO4J_PAGECACHE", "512m");
    try {
      pageCache = parseBytes(rawPageCache);
      if (pageCache < 8L * 1024 * 1024) {
        problems.add("NEO4J_PAGECACHE must be at least 8m, got " + rawPageCache);
      }
    } catch (NumberFormatException | ArithmeticException e) {
      problems.add(
          "NEO4J_PAGECACHE must be a size such as 512m or 2g, got '" + rawPageCache + "'");
    }
    Path homePath = null;
    // Only touch the disk once everything else is valid, so a typo leaves no stray folder behind.
    if (problems.isEmpty()) {
      try {
        homePath = Files.createDirectories(Path.of(home).toAbsolutePath());
      } catch (IOException | RuntimeException e) {
        problems.add("NEO4J_HOME_DIR " + home + " cannot be created: " + describe(e));
      }
    }
    if (!problems.isEmpty()) {
      problems.forEach(p -> System.err.println("neo4j-launcher: " + p));
      System.exit(2);
    }

    String address = host + ":" + port;
    DatabaseManagementService dbms;
    try {
      dbms =
          new DatabaseManagementServiceBuilder(homePath)
              .setConfig(BoltConnector.enabled, true)
              .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
              .setConfig(BoltConnector.advertised_address, new SocketAddress(host, port))
              // Only Bolt is needed; fewer open ports and less memory.
              .setConfig(HttpConnector.enabled, false)
              .setConfig(HttpsConnector.enabled, false)
              .setConfig(GraphDatabaseSettings.auth_enabled, true)
              // No "anonymous usage data" calls home from developer machines and CI.
              .setConfig(GraphDatabaseSettings.udc_enabled, false)
              .setConfig(GraphDatabaseSettings.pagecache_memory, pageCache)
              // Transaction logs only serve crash recovery here, not backups: cap them by size,
              // and use smaller files than the 256 MiB default, which is preallocated on disk.
              .setConfig(GraphDatabaseSettings.keep_logical_logs, "100M size")
              .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, 32L * 1024 * 1024)
              // Don't let open transactions hold up SIGTERM for long.
              .setConfig(GraphDatabaseSettings.shutdown_transaction_end_timeout, Duration.ofSeconds(5))
              // Bolt's Netty event loops otherwise idle 5 s each (10 s in all) after the databases
              // have already been checkpointed and closed; 1 s keeps stops and restarts quick.
              .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 1)
              .build();
    } catch (RuntimeException e) {
      if (hasCause(e, BindException.class) || describe(e).contains("Address already in use")) {
        System.err.println(
            "neo4j-launcher: Bolt address " + address + " is already in use (" + describe(e) + ")");
      } else {
        System.err.println("neo4j-launcher: could not start Neo4j (Bolt " + address + "): " + describe(e));
      }
      System.exit(1);
      return;
    }
    // SIGTERM / SIGINT run shutdown hooks; shutdown() checkpoints, so the next start needs no recovery.
    Runtime.getRuntime().addShutdownHook(new Thread(dbms::shutdown, "neo4j-shutdown"));

    try {
      setPassword(dbms, password);
    } catch (RuntimeException e) {
      System.err.println("neo4j-launcher: could not set the neo4j user's password: " + describe(e));
      System.exit(1); // the shutdown hook stops Neo4j
    }
    System.out.println("NEO4J_READY bolt://" + address);
    System.out.flush();

    // Neo4j's threads would keep the JVM alive anyway; waiting here makes that explicit.
    new CountDownLatch(1).await();
  }

  /**
   * Sets the password on every start, so the environment stays the single source of truth. A
   * fresh store starts with neo4j/neo4j and "change required"; this clears both.
   */
  private static void setPassword(DatabaseManagementService dbms, String password) {
    try {
      dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME)
          .executeTransactionally(
              "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
              Map.of("password", password));
    } catch (RuntimeException e) {
      // Neo4j refuses to "change" a password to the one already set; that is the goal anyway.
      if (!describe(e).contains("Old password and new password cannot be the same")) throw e;
    }
  }

  /** {@code 512m}, {@code 2g}, {@code 65536k} or plain bytes. */
  private static long parseBytes(String raw) {
    String value = raw.trim().toLowerCase(java.util.Locale.ROOT);
    long unit = 1;
    char last = value.isEmpty() ? ' ' : value.charAt(value.length() - 1);
    if (last == 'k' || last == 'm' || last == 'g') {
      unit = last == 'k' ? 1024L : last == 'm' ? 1024L * 1024 : 1024L * 1024 * 1024;
      value = value.substring(0, value.length() - 1);
    }
    return Math.multiplyExact(Long.parseLong(value), unit);
  }

  private static String envOr(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  private static boolean hasCause(Throwable error, Class<? extends Throwable> type) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) return true;
    }
    return false;
  }

  /** One line naming the innermost cause: enough to act on, without a wall of stack trace. */
  private static String describe(Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null && cause.getCause() != cause) cause = cause.getCause();
    return cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }
}

package dev.experiencegraph.neo4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

/**
 * Runs Neo4j 5.26 community embedded, with only the Bolt connector open, for machines without
 * Docker. Configuration comes from the environment:
 *
 * <ul>
 *   <li>{@code NEO4J_HOME_DIR} (required): where data and logs live; survives restarts.
 *   <li>{@code NEO4J_BOLT_HOST} (default 127.0.0.1) and {@code NEO4J_BOLT_PORT} (default 7687).
 *   <li>{@code NEO4J_PASSWORD} (required, at least 8 characters): the {@code neo4j} user's password.
 * </ul>
 *
 * <p>Prints {@code NEO4J_READY bolt://host:port} once clients can connect; exits 2 on bad
 * configuration and 1 when the server cannot start.
 */
public final class Launcher {
  private Launcher() {}

  public static void main(String[] args) {
    List<String> problems = new ArrayList<>();
    String home = System.getenv("NEO4J_HOME_DIR");
    if (home == null || home.isBlank()) problems.add("NEO4J_HOME_DIR must name a folder");
    String host = envOr("NEO4J_BOLT_HOST", "127.0.0.1");
    int port = -1;
    try {
      port = Integer.parseInt(envOr("NEO4J_BOLT_PORT", "7687"));
      if (port < 1 || port > 65535) problems.add("NEO4J_BOLT_PORT must be between 1 and 65535");
    } catch (NumberFormatException e) {
      problems.add("NEO4J_BOLT_PORT must be a number");
    }
    String password = System.getenv("NEO4J_PASSWORD");
    if (password == null || password.length() < 8) {
      problems.add("NEO4J_PASSWORD must have at least 8 characters");
    }
    if (!problems.isEmpty()) {
      problems.forEach(p -> System.err.println("neo4j-launcher: " + p));
      System.exit(2);
    }

    DatabaseManagementService dbms;
    try {
      Path homePath = Path.of(home).toAbsolutePath();
      Files.createDirectories(homePath);
      dbms =
          new DatabaseManagementServiceBuilder(homePath)
              .setConfig(BoltConnector.enabled, true)
              .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
              .setConfig(BoltConnector.advertised_address, new SocketAddress(host, port))
              .setConfig(HttpConnector.enabled, false)
              .setConfig(HttpsConnector.enabled, false)
              .setConfig(GraphDatabaseSettings.auth_enabled, true)
              // Sized for a laptop or a small CI machine shared with the rest of the system.
              .setConfig(GraphDatabaseSettings.pagecache_memory, 256L * 1024 * 1024)
              // Transaction logs are only needed for recovery here, not for backups.
              .setConfig(GraphDatabaseSettings.keep_logical_logs, "1 days")
              .setConfig(GraphDatabaseSettings.shutdown_transaction_end_timeout, Duration.ofSeconds(5))
              .build();
    } catch (Exception e) {
      System.err.println(
          "neo4j-launcher: could not start Neo4j with Bolt on " + host + ":" + port + ": " + rootCause(e));
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(dbms::shutdown, "neo4j-shutdown"));

    try {
      setPassword(dbms, password);
    } catch (RuntimeException e) {
      System.err.println("neo4j-launcher: could not set the neo4j user's password: " + rootCause(e));
      dbms.shutdown();
      System.exit(1);
    }
    System.out.println("NEO4J_READY bolt://" + host + ":" + port);
    System.out.flush();
  }

  /** Sets the password on every start, so the environment is the single source of truth. */
  private static void setPassword(DatabaseManagementService dbms, String password) {
    try {
      dbms.database("system")
          .executeTransactionally(
              "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
              Map.of("password", password));
    } catch (RuntimeException e) {
      // Neo4j refuses to "change" a password to the one already set; that is the goal anyway.
      if (!String.valueOf(rootCause(e)).contains("Old password and new password cannot be the same")) {
        throw e;
      }
    }
  }

  private static String envOr(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  private static String rootCause(Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null && cause.getCause() != cause) cause = cause.getCause();
    return cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }
}

/*
 * Connects with MariaDB Connector/J (JDBC) in one MySQL ssl-mode, runs SELECT 1, and prints one
 * JSON line. Written for Debian 12's libmariadb-java 2.7.6 on OpenJDK 17; run as a single source
 * file (no build step), with the driver on the class path:
 *
 *   java -cp /usr/share/java/mariadb-java-client.jar MariadbJdbcProbe.java --host H --port P
 *        --user U --password PW --mode MODE --ca FILE [--socket PATH]
 *   java -cp ... MariadbJdbcProbe.java --batch   (one JSON job a line on stdin, one result out)
 *
 * A job: {"host","port","socket","user","password","mode","ca"}; a result:
 * {"loggedIn","queried","error","errorCode","notExpressible"}. Exit codes (one-shot): 0 logged in
 * and queried; 1 not logged in; 2 SELECT 1 failed; 3 the mode cannot be expressed; 4 the driver is
 * not on the class path; 64 bad arguments. The password is never printed.
 *
 * How the ssl-modes map (MariaDB Connector/J 2.7 documentation, "TLS parameters": useSsl,
 * trustServerCertificate, serverSslCert, disableSslHostnameVerification):
 * - DISABLED: useSsl=false.
 * - PREFERRED: cannot be expressed: Connector/J 2.x has no "TLS if offered"; useSsl=true is
 *   mandatory TLS ("SSL is required but the server does not support it" otherwise). Exit 3.
 * - REQUIRED: useSsl=true, trustServerCertificate=true (no chain, no host name check).
 * - VERIFY_CA: useSsl=true, serverSslCert=FILE (the CA), disableSslHostnameVerification=true.
 * - VERIFY_IDENTITY: useSsl=true, serverSslCert=FILE (the chain and the host name).
 * Client certificates (keyStore) are not passed: the probe contract's --cert/--key are PEM files.
 * A Unix socket (localSocket) needs JNA on the class path (Connector/J 2.x, UnixDomainSocket):
 * without it the probe says the socket cannot be reached that way (exit 3) instead of failing.
 */
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class MariadbJdbcProbe {
  static final int EXIT_OK = 0, EXIT_NOT_LOGGED_IN = 1, EXIT_QUERY_FAILED = 2,
      EXIT_MODE_NOT_EXPRESSIBLE = 3, EXIT_DRIVER_MISSING = 4, EXIT_USAGE = 64;
  static final String CONNECT_TIMEOUT_MS = "10000";
  static final String PREFERRED_REASON =
      "Connector/J 2.x has no \"TLS if offered\": useSsl=true makes TLS mandatory";

  static void usage(String message) {
    System.err.println("MariadbJdbcProbe: " + message);
    System.err.println("usage: java -cp mariadb-java-client.jar MariadbJdbcProbe.java (--batch | --host H --port P --user U --password PW --mode MODE --ca FILE [--socket P])");
    System.exit(EXIT_USAGE);
  }

  static String json(String s) {
    if (s == null) return "null";
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') out.append('\\').append(c);
      else if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
      else out.append(c);
    }
    return out.append('"').toString();
  }

  static String result(boolean loggedIn, boolean queried, String error, Object code, String notExpressible) {
    String codeJson = code == null ? "null" : code instanceof Integer ? code.toString() : json(code.toString());
    return "{\"loggedIn\":" + loggedIn + ",\"queried\":" + queried + ",\"error\":" + json(error)
        + ",\"errorCode\":" + codeJson + ",\"notExpressible\":" + json(notExpressible) + "}";
  }

  /** A flat JSON object of strings and numbers: all a job is. */
  static Map<String, String> parseJob(String line) {
    Map<String, String> job = new LinkedHashMap<>();
    Matcher m = Pattern.compile("\"(\\w+)\"\\s*:\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|(-?\\d+)|null)").matcher(line);
    while (m.find()) {
      String value = m.group(2) != null ? m.group(2).replaceAll("\\\\(.)", "$1") : m.group(3);
      if (value != null) job.put(m.group(1), value);
    }
    return job;
  }

  static String oneLine(Throwable error, String password) {
    StringBuilder text = new StringBuilder(error.getMessage() == null ? error.toString() : error.getMessage());
    String line = text.toString().replaceAll("\\s*\\n\\s*", " ").trim();
    return password.isEmpty() ? line : line.replace(password, "***");
  }

  static Object code(Throwable error) {
    if (error instanceof SQLException && ((SQLException) error).getErrorCode() != 0) {
      return ((SQLException) error).getErrorCode();
    }
    return error.getClass().getSimpleName();
  }

  static String runJob(Map<String, String> job) {
    String mode = job.getOrDefault("mode", "");
    if (mode.equals("PREFERRED")) return result(false, false, null, null, PREFERRED_REASON);
    String password = job.getOrDefault("password", "");
    Properties props = new Properties();
    props.setProperty("user", job.getOrDefault("user", ""));
    props.setProperty("password", password);
    props.setProperty("connectTimeout", CONNECT_TIMEOUT_MS);
    props.setProperty("socketTimeout", CONNECT_TIMEOUT_MS);
    if (job.get("socket") != null && !job.get("socket").isEmpty()) {
      try {
        Class.forName("com.sun.jna.Native");
      } catch (ClassNotFoundException missing) {
        return result(false, false, null, null, "Connector/J reaches a Unix socket only with JNA on the class path (Debian's libjna-java)");
      }
      props.setProperty("localSocket", job.get("socket"));
    }
    switch (mode) {
      case "DISABLED":
        props.setProperty("useSsl", "false");
        break;
      case "REQUIRED":
        props.setProperty("useSsl", "true");
        props.setProperty("trustServerCertificate", "true");
        break;
      case "VERIFY_CA":
        props.setProperty("useSsl", "true");
        props.setProperty("serverSslCert", job.get("ca"));
        props.setProperty("disableSslHostnameVerification", "true");
        break;
      default:
        props.setProperty("useSsl", "true");
        props.setProperty("serverSslCert", job.get("ca"));
    }
    String url = "jdbc:mariadb://" + job.getOrDefault("host", "127.0.0.1") + ":" + job.getOrDefault("port", "3306") + "/";
    Connection connection;
    try {
      connection = DriverManager.getConnection(url, props);
    } catch (Exception error) {
      return result(false, false, oneLine(error, password), code(error), null);
    }
    try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery("SELECT 1")) {
      if (!rows.next() || rows.getInt(1) != 1 || rows.next()) throw new SQLException("SELECT 1 returned something else");
      return result(true, true, null, null, null);
    } catch (Exception error) {
      return result(true, false, oneLine(error, password), code(error), null);
    } finally {
      try { connection.close(); } catch (Exception ignored) { /* the server may have gone */ }
    }
  }

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = new LinkedHashMap<>();
    boolean batch = false;
    for (int i = 0; i < argv.length; i++) {
      if (argv[i].equals("--batch")) { batch = true; continue; }
      if (!argv[i].matches("--(host|port|user|password|mode|ca|cert|key|socket)") || i + 1 >= argv.length) usage("bad argument " + argv[i]);
      args.put(argv[i].substring(2), argv[++i]);
    }
    if (!batch) {
      if (!args.containsKey("mode")) usage("--mode is required");
      if (!args.get("mode").matches("DISABLED|PREFERRED|REQUIRED|VERIFY_CA|VERIFY_IDENTITY")) usage("--mode must be one of DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY");
      if (!args.containsKey("user") || !args.containsKey("ca")) usage("--user and --ca are required");
    }
    try {
      Class.forName("org.mariadb.jdbc.Driver");
    } catch (ClassNotFoundException error) {
      System.err.println("MariadbJdbcProbe: MariaDB Connector/J is not on the class path; install Debian's libmariadb-java (/usr/share/java/mariadb-java-client.jar) or pass its jar with -cp");
      System.exit(EXIT_DRIVER_MISSING);
    }
    if (batch) {
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null; ) {
        if (line.isBlank()) continue;
        System.out.println(runJob(parseJob(line)));
        System.out.flush();
      }
      System.exit(EXIT_OK);
    }
    String answer = runJob(args);
    Matcher reason = Pattern.compile("\"notExpressible\":\"(.*)\"}$").matcher(answer);
    if (reason.find()) {
      System.err.println("MariadbJdbcProbe: " + args.get("mode") + " cannot be expressed with Connector/J: " + reason.group(1).replace("\\\"", "\""));
      System.exit(EXIT_MODE_NOT_EXPRESSIBLE);
    }
    answer = answer.replace(",\"notExpressible\":null", "");
    System.out.println(answer);
    System.exit(answer.contains("\"queried\":true") ? EXIT_OK : answer.contains("\"loggedIn\":true") ? EXIT_QUERY_FAILED : EXIT_NOT_LOGGED_IN);
  }
}

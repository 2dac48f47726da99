// Drives weir serve with pgJDBC (Debian's libpostgresql-jdbc-java), run as
// a single-file program: java -cp postgresql.jar JdbcClient.java URL.
// It prints one line per check; pgwire/jdbc_test.go compares them.
import java.sql.*;
import java.util.*;

public class JdbcClient {
    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.setProperty("user", "weir");
        // Server-side prepared statements from the first execution, so the
        // named-statement path (Parse once, Bind/Execute many) is covered.
        props.setProperty("prepareThreshold", "1");
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(args[0], props)) {
            DatabaseMetaData md = c.getMetaData();
            out.add("product=" + md.getDatabaseProductName() + " " + md.getDatabaseMajorVersion());
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT 1 AS one, 'x' AS s")) {
                r.next();
                out.add("one=" + r.getInt("one") + " s=" + r.getString("s") + " type=" + r.getMetaData().getColumnTypeName(1));
            }
            try (PreparedStatement p = c.prepareStatement("SELECT customer, amount FROM default.orders WHERE amount > ?")) {
                for (int min : new int[] {100, 1000}) {
                    p.setInt(1, min);
                    List<String> rows = new ArrayList<>();
                    try (ResultSet r = p.executeQuery()) {
                        while (r.next()) {
                            rows.add(r.getString(1) + ":" + r.getString(2));
                        }
                    }
                    out.add("over" + min + "=" + rows);
                }
            }
            try (Statement s = c.createStatement()) {
                s.executeQuery("SELECT FROM WHERE");
            } catch (SQLException e) {
                out.add("error=" + e.getSQLState());
            }
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT 2")) {
                r.next();
                out.add("after=" + r.getInt(1));
            }
            // A cursor: fetch size in a transaction reads with Execute row
            // limits (PortalSuspended).
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.setFetchSize(2);
                List<Integer> ids = new ArrayList<>();
                try (ResultSet r = s.executeQuery("SELECT orderId::int4 AS id FROM default.orders")) {
                    while (r.next()) {
                        ids.add(r.getInt(1));
                    }
                }
                out.add("fetched=" + ids);
            }
            c.commit();
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("CREATE STREAM PROCESSOR big AS INSERT INTO default.big SELECT customer, amount FROM default.orders WHERE amount > 1000");
                s.execute("START STREAM PROCESSOR big");
                try (ResultSet r = s.executeQuery("SHOW STREAM PROCESSORS")) {
                    List<String> names = new ArrayList<>();
                    while (r.next()) {
                        names.add(r.getString("name"));
                    }
                    out.add("processors=" + names);
                }
                s.execute("DROP STREAM PROCESSOR big");
            }
            List<String> tables = new ArrayList<>();
            try (ResultSet r = md.getTables(null, null, "%", new String[] {"TABLE"})) {
                while (r.next()) {
                    tables.add(r.getString("TABLE_SCHEM") + "." + r.getString("TABLE_NAME"));
                }
            }
            out.add("tables=" + tables);
        }
        System.out.println(String.join("\n", out));
    }
}

package dev.kiln.postgres.internal;

import dev.kiln.KilnException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where the store connects: a JDBC URL, the user named by the URL if any, and a description for
 * messages that never carries a password (nor the query string, where JDBC URLs may keep one).
 *
 * @param jdbcUrl     what the driver gets
 * @param user        the user of a {@code postgres://user@...} URL
 * @param description the URL without secrets, for logs and messages
 */
public record ConnectionTarget(String jdbcUrl, Optional<String> user, String description) {

    private static final String ALLOWED = "postgres://user@host:port/database (also postgresql://) or"
            + " jdbc:postgresql://host:port/database";
    private static final Pattern USER_PASSWORD = Pattern.compile("(//[^/@:?#]*):[^/@?#]*@");
    private static final Pattern QUERY = Pattern.compile("[?#].*$");
    private static final int DEFAULT_PORT = 5432;

    public static ConnectionTarget parse(String url) {
        if (url == null || url.isBlank()) {
            throw new KilnException("PostgreSQL coordination: no URL given; expected " + ALLOWED);
        }
        String trimmed = url.strip();
        if (trimmed.startsWith("jdbc:postgresql:")) {
            return new ConnectionTarget(trimmed, Optional.empty(), redact(trimmed));
        }
        if (trimmed.startsWith("postgres://") || trimmed.startsWith("postgresql://")) {
            return fromLibpqUrl(trimmed);
        }
        throw new KilnException("PostgreSQL coordination: '" + redact(trimmed) + "' is not a PostgreSQL URL;"
                + " expected " + ALLOWED);
    }

    private static ConnectionTarget fromLibpqUrl(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            // The message of URISyntaxException quotes the whole input, password included: not passed on.
            throw new KilnException("PostgreSQL coordination: '" + redact(url) + "' is not a valid URL"
                    + " (at index " + e.getIndex() + ": " + e.getReason() + "); expected " + ALLOWED);
        }
        String userInfo = uri.getUserInfo();
        if (userInfo != null && userInfo.contains(":")) {
            throw new KilnException("PostgreSQL coordination: the URL '" + redact(url) + "' carries a password;"
                    + " a URL ends up in command lines and logs, so give the password through PGPASSWORD or"
                    + " the builder's password supplier instead");
        }
        if (uri.getHost() == null) {
            throw new KilnException("PostgreSQL coordination: the URL '" + redact(url) + "' names no host;"
                    + " expected " + ALLOWED);
        }
        String query = uri.getRawQuery();
        if (query != null && Pattern.compile("(^|&)password=").matcher(query).find()) {
            throw new KilnException("PostgreSQL coordination: the URL '" + redact(url) + "' carries a password"
                    + " parameter; give the password through PGPASSWORD or the builder's password supplier instead");
        }
        Optional<String> user = Optional.ofNullable(userInfo).filter(u -> !u.isEmpty());
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String database = path.startsWith("/") ? path.substring(1) : path;
        if (database.isEmpty()) {
            // As libpq: the database defaults to the user's name.
            database = user.orElseThrow(() -> new KilnException("PostgreSQL coordination: the URL '" + redact(url)
                    + "' names neither a database nor a user; expected " + ALLOWED));
        }
        int port = uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort();
        String jdbc = "jdbc:postgresql://" + uri.getHost() + ":" + port + "/" + database
                + (query == null ? "" : "?" + query);
        String description = "postgres://" + user.map(u -> u + "@").orElse("") + uri.getHost() + ":" + port
                + "/" + database;
        return new ConnectionTarget(jdbc, user, description);
    }

    /** {@code url} without a password in its user info and without its query string. */
    public static String redact(String url) {
        return QUERY.matcher(USER_PASSWORD.matcher(url).replaceAll("$1:***@")).replaceAll("");
    }
}

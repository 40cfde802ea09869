package dev.kiln.vsphere.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A vCenter user and where its password comes from. The password is asked for at each login and
 * wiped as soon as the basic-authentication header is made; it is never kept, printed or logged.
 */
public final class Credentials {

    private final String user;
    private final Supplier<char[]> password;
    private final String source;

    public Credentials(String user, Supplier<char[]> password) {
        this(user, password, "the credentials given to VsphereProvider.builder()");
    }

    private Credentials(String user, Supplier<char[]> password, String source) {
        this.user = Objects.requireNonNull(user, "user");
        this.password = Objects.requireNonNull(password, "password");
        this.source = source;
    }

    /** The Java system property of the user in {@link #defaultChain()}. */
    public static final String USER_PROPERTY = "vsphere.user";
    /** The Java system property of the password in {@link #defaultChain()}. */
    public static final String PASSWORD_PROPERTY = "vsphere.password";
    /** The environment variable of the user in {@link #defaultChain()}. */
    public static final String USER_VARIABLE = "VSPHERE_USER";
    /** The environment variable of the password in {@link #defaultChain()}. */
    public static final String PASSWORD_VARIABLE = "VSPHERE_PASSWORD";

    /**
     * The provider's default, decided now: the Java system properties {@value #USER_PROPERTY} and
     * {@value #PASSWORD_PROPERTY} when the user property is set (as the AWS SDK reads
     * {@code aws.accessKeyId} before the environment, so that whoever owns the JVM, an embedder or
     * {@code kiln demo}, can point it at another vCenter), else {@value #USER_VARIABLE} and
     * {@value #PASSWORD_VARIABLE} from the environment.
     */
    public static Credentials defaultChain() {
        String user = System.getProperty(USER_PROPERTY);
        if (user != null && !user.isBlank()) {
            return new Credentials(user, () -> {
                String p = System.getProperty(PASSWORD_PROPERTY);
                return p == null ? null : p.toCharArray();
            }, "the Java system properties " + USER_PROPERTY + " and " + PASSWORD_PROPERTY);
        }
        return fromEnvironment(USER_VARIABLE, PASSWORD_VARIABLE);
    }

    /** From two environment variables, read at each login (so a rotated secret is picked up). */
    public static Credentials fromEnvironment(String userVariable, String passwordVariable) {
        String user = System.getenv(userVariable);
        return new Credentials(user == null ? "" : user, () -> {
            String p = System.getenv(passwordVariable);
            return p == null ? null : p.toCharArray();
        }, "the environment variables " + userVariable + " and " + passwordVariable);
    }

    public String user() {
        return user;
    }

    /** Where the credentials come from, for error messages: the variables' names when from the environment. */
    public String source() {
        return source;
    }

    /** {@code Basic base64(user:password)}, or null when there is no user or password to send. */
    String basicHeader() {
        if (user.isEmpty()) {
            return null;
        }
        char[] secret = password.get();
        if (secret == null) {
            return null;
        }
        CharBuffer chars = CharBuffer.allocate(user.length() + 1 + secret.length);
        byte[] raw = null;
        try {
            chars.put(user).put(':').put(secret).flip();
            ByteBuffer bytes = StandardCharsets.UTF_8.encode(chars);
            raw = new byte[bytes.remaining()];
            bytes.get(raw);
            if (bytes.hasArray()) {
                Arrays.fill(bytes.array(), (byte) 0);
            }
            return "Basic " + Base64.getEncoder().encodeToString(raw);
        } finally {
            Arrays.fill(secret, '\0');
            Arrays.fill(chars.array(), '\0');
            if (raw != null) {
                Arrays.fill(raw, (byte) 0);
            }
        }
    }

    /**
     * The bytes of a vim25 {@code Login} request for {@code sessionManager}, user and password
     * XML-escaped; null when there is no user or password to send. The caller wipes the array once sent.
     */
    byte[] soapLogin(String sessionManager) {
        if (user.isEmpty()) {
            return null;
        }
        char[] secret = password.get();
        if (secret == null) {
            return null;
        }
        StringBuilder escaped = new StringBuilder(secret.length + 16);
        try {
            for (char c : secret) {
                switch (c) {
                    case '<' -> escaped.append("&lt;");
                    case '>' -> escaped.append("&gt;");
                    case '&' -> escaped.append("&amp;");
                    default -> escaped.append(c);
                }
            }
            CharBuffer chars = CharBuffer.wrap(VimXml.envelope("<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">"
                    + VimXml.escape(sessionManager) + "</_this><userName>" + VimXml.escape(user) + "</userName><password>"
                    + escaped + "</password></Login>"));
            ByteBuffer bytes = StandardCharsets.UTF_8.encode(chars);
            byte[] raw = new byte[bytes.remaining()];
            bytes.get(raw);
            if (bytes.hasArray()) {
                Arrays.fill(bytes.array(), (byte) 0);
            }
            return raw;
        } finally {
            Arrays.fill(secret, '\0');
            escaped.setLength(0);
        }
    }

    @Override
    public String toString() {
        return "Credentials[user=" + user + ", password=(hidden)]";
    }
}

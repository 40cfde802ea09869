package dev.kiln.internal.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.KilnException;
import dev.kiln.event.KilnEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Reads {@code events.jsonl} back into {@link KilnEvent}s: the inverse of {@link EventLog#toMap}.
 * Driven by the records' components, so every event type round-trips without a case of its own.
 * Tolerant the way a journal reader must be: a line of a type this version does not know, or the
 * torn last line of a run that crashed mid-write, is skipped; a field missing from an older log
 * reads as null, zero or empty.
 */
public final class EventLogReader {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Class<?>> TYPES = new HashMap<>();

    static {
        for (Class<?> c : KilnEvent.class.getPermittedSubclasses()) {
            TYPES.put(c.getSimpleName(), c);
        }
    }

    private EventLogReader() {
    }

    /** Every event in {@code file} that this version understands, in file order. */
    public static List<KilnEvent> read(Path file) {
        return read(file, line -> !line.isBlank(), e -> true);
    }

    /**
     * The events of {@code types} in {@code file}, in file order. Other lines are not parsed (a line
     * is parsed when it names one of the types), so a run's journal, mostly packer's output, reads fast.
     */
    public static List<KilnEvent> read(Path file, Set<Class<? extends KilnEvent>> types) {
        List<String> names = types.stream().map(t -> "\"type\":\"" + t.getSimpleName() + "\"").toList();
        return read(file, line -> names.stream().anyMatch(line::contains), e -> types.contains(e.getClass()));
    }

    private static List<KilnEvent> read(Path file, Predicate<String> worthParsing, Predicate<KilnEvent> kept) {
        List<KilnEvent> events = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (worthParsing.test(line)) {
                    KilnEvent e = parse(line);
                    if (e != null && kept.test(e)) {
                        events.add(e);
                    }
                }
            }
        } catch (NoSuchFileException e) {
            throw new KilnException("no event log at " + file + ": a run directory holds events.jsonl from the"
                    + " moment its run starts");
        } catch (IOException e) {
            throw new KilnException("cannot read the event log " + file + ": " + e.getMessage(), e);
        }
        return events;
    }

    /** One line as an event, or null when it is not one this version knows (or not whole). */
    public static KilnEvent parse(String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            return null;
        }
        if (node == null || !node.isObject()) {
            return null;
        }
        Class<?> type = TYPES.get(node.path("type").asText(""));
        if (type == null) {
            return null;
        }
        try {
            return (KilnEvent) record(type, node);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Object record(Class<?> type, JsonNode node) {
        RecordComponent[] components = type.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            args[i] = value(components[i].getGenericType(), node.get(components[i].getName()));
        }
        try {
            Constructor<?> constructor = type.getDeclaredConstructor(types);
            return constructor.newInstance(args);
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException("cannot make a " + type.getSimpleName() + ": " + e.getCause(), e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make a " + type.getSimpleName(), e);
        }
    }

    private static Object value(Type type, JsonNode node) {
        boolean missing = node == null || node.isNull();
        if (type instanceof ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            Type[] args = p.getActualTypeArguments();
            if (List.class.isAssignableFrom(raw)) {
                List<Object> out = new ArrayList<>();
                if (!missing) {
                    for (JsonNode item : node) {
                        out.add(value(args[0], item));
                    }
                }
                return out;
            }
            if (Map.class.isAssignableFrom(raw)) {
                Map<Object, Object> out = new LinkedHashMap<>();
                if (!missing) {
                    for (Map.Entry<String, JsonNode> f : node.properties()) {
                        Object v = value(args[1], f.getValue());
                        if (v != null) {
                            out.put(key((Class<?>) args[0], f.getKey()), v);
                        }
                    }
                }
                return out;
            }
            throw new IllegalStateException("no reader for " + type);
        }
        Class<?> c = (Class<?>) type;
        if (c == int.class) {
            return missing ? 0 : node.asInt();
        }
        if (c == long.class) {
            return missing ? 0L : node.asLong();
        }
        if (c == double.class) {
            return missing ? 0.0 : node.asDouble();
        }
        if (c == boolean.class) {
            return !missing && node.asBoolean();
        }
        if (missing) {
            return null;
        }
        if (c == String.class) {
            return node.asText();
        }
        if (c == Integer.class) {
            return node.asInt();
        }
        if (c == Long.class) {
            return node.asLong();
        }
        if (c == Double.class) {
            return node.asDouble();
        }
        if (c == Boolean.class) {
            return node.asBoolean();
        }
        if (c == Instant.class) {
            return Instant.parse(node.asText());
        }
        if (c == Path.class) {
            return Path.of(node.asText());
        }
        if (c.isEnum()) {
            return enumValue(c, node.asText());
        }
        if (c.isRecord()) {
            return record(c, node);
        }
        throw new IllegalStateException("no reader for " + c);
    }

    private static Object key(Class<?> type, String text) {
        return type.isEnum() ? enumValue(type, text) : text;
    }

    private static Object enumValue(Class<?> type, String name) {
        for (Object constant : type.getEnumConstants()) {
            if (((Enum<?>) constant).name().equals(name)) {
                return constant;
            }
        }
        throw new IllegalArgumentException("no " + type.getSimpleName() + " named " + name);
    }
}

package dev.kiln.internal.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.KilnException;
import dev.kiln.event.KilnEvent;
import dev.kiln.event.KilnListener;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes every event as one JSON object per line to {@code events.jsonl}: the run's journal.
 * Flushed per event, so a crashed run leaves a complete prefix behind.
 */
public final class EventLog implements KilnListener, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BufferedWriter out;

    public EventLog(Path file) {
        try {
            this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new KilnException("cannot write the event log " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void onEvent(KilnEvent event) {
        try {
            out.write(JSON.writeValueAsString(toMap(event)));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The event as plain JSON-ready values, with its record name under {@code type}. */
    public static Map<String, Object> toMap(KilnEvent event) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("type", event.getClass().getSimpleName());
        map.putAll(recordToMap((Record) event));
        return map;
    }

    private static Map<String, Object> recordToMap(Record record) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (RecordComponent c : record.getClass().getRecordComponents()) {
            try {
                map.put(c.getName(), plain(c.getAccessor().invoke(record)));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + c.getName() + " of " + record.getClass(), e);
            }
        }
        return map;
    }

    private static Object plain(Object value) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Instant || value instanceof Path || value instanceof Enum<?>) {
            return value.toString();
        }
        if (value instanceof Optional<?> o) {
            return o.map(EventLog::plain).orElse(null);
        }
        if (value instanceof Record r) {
            return recordToMap(r);
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), plain(v)));
            return out;
        }
        if (value instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>();
            c.forEach(v -> out.add(plain(v)));
            return out;
        }
        return value.toString();
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.kiln.gate.internal;

import dev.kiln.gate.GateEvent;
import dev.kiln.gate.GateListener;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gate's only voice: events to Kiln's listeners and lines to the log. What it logs is the
 * event's message (built in {@link Messages}, free of secrets) or host, method, path and status.
 */
final class Reporter {

    private static final Logger LOG = LoggerFactory.getLogger("dev.kiln.gate");

    private final List<GateListener> listeners;

    Reporter(List<GateListener> listeners) {
        this.listeners = listeners;
    }

    void publish(GateEvent event) {
        if (event instanceof GateEvent.ClientRefused refused && refused.refusal() != GateEvent.Refusal.NOT_LOOPBACK) {
            LOG.info("{}", event.message());
        } else {
            LOG.warn("{}", event.message());
        }
        for (GateListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                LOG.warn("a gate listener threw {} on {}", e.getClass().getName(), event.getClass().getSimpleName());
            }
        }
    }

    void exchanged(String method, String host, String path, int status, long heldMillis, long elapsedMillis) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} {}{} -> {} (held {} ms, {} ms)", method, host, path, status, heldMillis, elapsedMillis);
        }
    }

    void resent(String method, String host, String path, String why) {
        LOG.debug("{} {}{} sent again on a new connection (the pooled one broke: {})", method, host, path, why);
    }

    void tunnelled(String host, int port) {
        LOG.debug("CONNECT {}:{} tunnelled", host, port);
    }

    /** A failure of the gate's own: its messages are the gate's, any other exception is named by class only. */
    void failed(String what, RuntimeException e) {
        LOG.warn("{} failed: {}", what, e instanceof dev.kiln.gate.GateException ? e.getMessage()
                : e.getClass().getName());
    }

    void quiet(String what, Exception e) {
        LOG.debug("{}: {}", what, e.getClass().getName());
    }
}

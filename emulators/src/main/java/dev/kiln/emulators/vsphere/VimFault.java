package dev.kiln.emulators.vsphere;

import dev.kiln.emulators.ApiCounters.Outcome;
import dev.kiln.emulators.spi.ApiError;
import java.util.List;

/**
 * A vim25 fault: its type ({@code ManagedObjectNotFound}, {@code InvalidLogin}...), the sentence
 * vCenter gives as {@code faultstring} or a task error's {@code localizedMessage}, and the fault's
 * fields. A method answers it as a SOAP fault (HTTP 500, or 503 when vCenter is unavailable); a
 * task reports it in its {@code TaskInfo.error}.
 */
final class VimFault extends ApiError {

    private static final long serialVersionUID = 1L;

    final String faultType;
    final transient List<Node> fields;

    VimFault(int status, String faultType, String message, Outcome outcome, List<Node> fields) {
        super(status, faultType, message, outcome);
        this.faultType = faultType;
        this.fields = List.copyOf(fields);
    }

    VimFault(String faultType, String message, Node... fields) {
        this(500, faultType, message, Outcome.ERROR, List.of(fields));
    }

    /** The fault as a {@code LocalizedMethodFault}'s {@code fault}: a node of its type with its fields. */
    Node asNode(String name) {
        Node n = Node.object(name, faultType);
        fields.forEach(f -> n.add(f.copy()));
        return n;
    }

    static VimFault notFound(MoRef ref) {
        return new VimFault("ManagedObjectNotFound",
                "The object '" + ref + "' has already been deleted or has not been completely created",
                Node.ref("obj", ref).untyped());
    }

    static VimFault notAuthenticated() {
        return new VimFault("NotAuthenticated", "The session is not authenticated.");
    }

    static VimFault invalidArgument(String property) {
        return new VimFault("InvalidArgument", "A specified parameter was not correct: " + property,
                Node.text("invalidProperty", null, property));
    }

    static VimFault invalidRequest(String message) {
        return new VimFault("InvalidRequest", message);
    }

    static VimFault invalidProperty(String path) {
        return new VimFault("InvalidProperty", "Property '" + path + "' is not valid here.",
                Node.text("name", null, path));
    }

    static VimFault invalidState(String message) {
        return new VimFault("InvalidState", message);
    }

    static VimFault invalidPowerState(String requested, String existing) {
        return new VimFault("InvalidPowerState", "The attempted operation cannot be performed in the current state ("
                + existing + ").", Node.text("requestedState", null, requested),
                Node.text("existingState", null, existing));
    }

    static VimFault notSupported(String message) {
        return new VimFault("NotSupported", message);
    }

    static VimFault duplicateName(String name, MoRef object) {
        return new VimFault("DuplicateName", "The name '" + name + "' already exists.",
                Node.text("name", null, name), Node.ref("object", object).untyped());
    }

    static VimFault fileNotFound(String file) {
        return new VimFault("FileNotFound", "File " + file + " was not found", Node.text("file", null, file));
    }
}

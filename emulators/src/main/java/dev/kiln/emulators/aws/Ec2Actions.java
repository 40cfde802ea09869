package dev.kiln.emulators.aws;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Every EC2 action the emulator answers, by name. */
final class Ec2Actions {

    /** Answers one call with the response document; throws {@link Ec2Error} for EC2's error answers. */
    @FunctionalInterface
    interface Action {
        String run(Ec2Call call);
    }

    /** Actions run under the world's lock, after every resource has moved on to the present. */
    private final Map<String, Action> locked = new TreeMap<>();

    Ec2Actions() {
        ComputeActions.register(locked);
        NetworkActions.register(locked);
    }

    boolean knows(String action) {
        return locked.containsKey(action) || action.equals("CreateKeyPair");
    }

    Set<String> names() {
        Set<String> all = new java.util.TreeSet<>(locked.keySet());
        all.add("CreateKeyPair");
        return all;
    }

    String run(Ec2Call call) {
        if (call.action().equals("CreateKeyPair")) {
            // Generating an RSA key takes a while: do it before taking the lock everyone shares.
            KeyMaterial.Generated key = KeyMaterial.generate(call.params().get("KeyType"));
            return underLock(call, c -> NetworkActions.createKeyPair(c, key));
        }
        return underLock(call, locked.get(call.action()));
    }

    private static String underLock(Ec2Call call, Action action) {
        synchronized (call.world()) {
            call.region().tick();
            return action.run(call);
        }
    }
}

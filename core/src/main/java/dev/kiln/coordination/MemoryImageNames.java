package dev.kiln.coordination;

import dev.kiln.spi.ImageNames;
import java.util.HashMap;
import java.util.Map;

/** Image names by scope and name, each with its owner. */
final class MemoryImageNames implements ImageNames {

    private final Map<String, String> owners = new HashMap<>();

    @Override
    public synchronized boolean tryReserve(String scope, String name, String owner) {
        String holder = owners.putIfAbsent(scope + "\u0000" + name, owner);
        return holder == null || holder.equals(owner);
    }

    @Override
    public synchronized void release(String scope, String name, String owner) {
        owners.remove(scope + "\u0000" + name, owner);
    }
}

package dev.kiln.testkit.contract;

import dev.kiln.spi.Coordination;
import dev.kiln.time.TimeSource;

class InMemoryCoordinationContractTest extends CoordinationContract {

    @Override
    protected Coordination newStore(TimeSource time) {
        return Coordination.inMemory(time);
    }
}

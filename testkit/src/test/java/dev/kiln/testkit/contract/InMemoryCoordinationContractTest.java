package dev.kiln.testkit.contract;

import dev.kiln.coordination.InMemoryCoordination;
import dev.kiln.spi.Coordination;
import dev.kiln.time.TimeSource;

class InMemoryCoordinationContractTest extends CoordinationContract {

    @Override
    protected Coordination newStore(TimeSource time) {
        return InMemoryCoordination.of(time);
    }
}

package dev.kiln.emulators.spi;

import dev.kiln.emulators.ApiCounters.Outcome;
import dev.kiln.emulators.Faults;
import dev.kiln.emulators.spi.EmulatorServer.Request;
import dev.kiln.emulators.spi.EmulatorServer.Response;

/** The steps {@link Protocol} lists, the same for every emulator. */
final class RequestPipeline<X extends Exchange> implements EmulatorServer.Handler {

    private final Protocol<X> protocol;
    private final EmulatorBase emulator;

    RequestPipeline(Protocol<X> protocol, EmulatorBase emulator) {
        this.protocol = protocol;
        this.emulator = emulator;
    }

    @Override
    public Response handle(Request request) throws InterruptedException {
        X x = protocol.open(request);
        try {
            Call call = protocol.route(x);
            x.routedTo(call);
            Faults.Effect effect = emulator.faults.apply(call.action());
            switch (effect) {
                case NONE -> { }
                case RESET -> {
                    record(x, 0, protocol.resetCode(), Outcome.INJECTED_FAULT);
                    throw new EmulatorServer.ConnectionReset();
                }
                default -> throw protocol.injected(effect, x);
            }
            protocol.admit(call, x);
            if (call.api() != null) {
                x.drew(emulator.limits.charge(protocol.limitNamespace(), call.api(), call.account(), call.region(),
                        charge -> protocol.tokens(charge, x), refusal -> protocol.throttled(refusal, x)));
            }
            Answer answer = call.work().run();
            record(x, answer.response().status(), answer.errorCode(), answer.outcome());
            return protocol.answered(answer.response(), x);
        } catch (ApiError e) {
            record(x, e.status(), e.code(), e.outcome());
            return protocol.render(e, x);
        }
    }

    private void record(X x, int status, String errorCode, Outcome outcome) {
        emulator.record(x.account(), x.region(), x.action(), status, errorCode, outcome);
    }
}

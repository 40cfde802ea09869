/**
 * Kiln core: plans, limits, the scheduler, packer dispatch and simulation. Exports only the API
 * and the {@code spi} package; everything under {@code dev.kiln.internal} is private.
 */
module dev.kiln.core {
    requires transitive io.github.bucket4j.core;
    requires io.github.resilience4j.core;
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;
    requires org.slf4j;

    exports dev.kiln;
    exports dev.kiln.coordination;
    exports dev.kiln.event;
    exports dev.kiln.job;
    exports dev.kiln.limits;
    exports dev.kiln.naming;
    exports dev.kiln.packer;
    exports dev.kiln.plan;
    exports dev.kiln.report;
    exports dev.kiln.sim;
    exports dev.kiln.spi;
    exports dev.kiln.template;
    exports dev.kiln.time;

    opens dev.kiln.event to com.fasterxml.jackson.databind;

    uses dev.kiln.spi.ProviderFactory;
}

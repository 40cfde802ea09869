/**
 * Kiln's events as Micrometer meters: {@code dev.kiln.micrometer.KilnMetrics}. Micrometer's jars are
 * automatic modules named by their {@code Automatic-Module-Name}; {@code micrometer.core} is read
 * transitively, since {@code KilnMetrics} is a {@code MeterBinder}.
 */
module dev.kiln.micrometer {
    requires transitive dev.kiln.core;
    requires transitive micrometer.core;

    exports dev.kiln.micrometer;
}

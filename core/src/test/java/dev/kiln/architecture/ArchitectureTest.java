package dev.kiln.architecture;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Keeps the rules of the house that the compiler cannot. */
class ArchitectureTest {

    private static JavaClasses core;

    @BeforeAll
    static void importCore() {
        core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.kiln");
    }

    @Test
    void only_the_time_package_reads_the_clock_or_sleeps() {
        noClasses().that().resideOutsideOfPackage("dev.kiln.time..")
                .should().callMethod(Instant.class, "now")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().callMethod(Thread.class, "sleep", long.class)
                .orShould().callMethod(Thread.class, "sleep", long.class, int.class)
                .orShould().callMethod(LocalDateTime.class, "now")
                .orShould().callMethod(Clock.class, "systemUTC")
                .because("every wait and timestamp goes through TimeSource, so runs work in virtual time")
                .check(core);
    }

    @Test
    void core_depends_on_no_cloud_sdk_database_driver_or_cli() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage(
                        "software.amazon..", "com.azure..", "com.google.cloud..", "com.google.api..",
                        "java.sql..", "org.postgresql..", "picocli..", "dev.kiln.emulators..", "dev.kiln.testkit..",
                        "dev.kiln.cli..", "dev.kiln.aws..", "dev.kiln.azure..", "dev.kiln.gcp..", "dev.kiln.vsphere..")
                .because("arrows point toward core")
                .check(core);
    }

    @Test
    void public_signatures_never_expose_internal_types() {
        methods().that().arePublic().and().areDeclaredInClassesThat().resideOutsideOfPackage("dev.kiln.internal..")
                .should().haveRawReturnType(resideInAPackage("dev.kiln.internal..").negate()
                        .as("a type outside dev.kiln.internal"))
                .because("module-info exports only the API and spi packages")
                .check(core);
    }

    @Test
    void simulation_uses_only_the_public_api() {
        noClasses().that().resideInAPackage("dev.kiln.sim..")
                .should().dependOnClassesThat().resideInAPackage("dev.kiln.internal..")
                .because("the simulator is a client of Kiln like any other, so it proves the API suffices")
                .check(core);
    }
}

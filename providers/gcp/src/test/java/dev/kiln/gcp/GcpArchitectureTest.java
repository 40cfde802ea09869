package dev.kiln.gcp;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The house rules core keeps, kept by this provider too. */
class GcpArchitectureTest {

    private static JavaClasses provider;

    @BeforeAll
    static void importProvider() {
        provider = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.kiln.gcp");
    }

    @Test
    void itNeverReadsTheClockOrSleepsButThroughTheRunsTimeSource() {
        noClasses().should().callMethod(java.time.Instant.class, "now")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().callMethod(Thread.class, "sleep", long.class)
                .orShould().callMethod(Thread.class, "sleep", long.class, int.class)
                .orShould().callMethod(java.time.LocalDateTime.class, "now")
                .orShould().callMethod(java.time.Clock.class, "systemUTC")
                .because("backoff and operation polling wait in the run's TimeSource, so they work in virtual time")
                .check(provider);
    }

    @Test
    void itDependsOnNoOtherProviderAndNotOnTheTestkit() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("dev.kiln.aws..", "dev.kiln.azure..",
                        "dev.kiln.vsphere..", "dev.kiln.emulators..", "dev.kiln.testkit..", "dev.kiln.internal..")
                .because("a provider is a client of core's API and SPI only")
                .check(provider);
    }
}

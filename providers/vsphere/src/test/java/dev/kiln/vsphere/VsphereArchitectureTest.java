package dev.kiln.vsphere;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The house rules core keeps, kept by the vSphere provider too. */
class VsphereArchitectureTest {

    private static JavaClasses provider;

    @BeforeAll
    static void importProvider() {
        provider = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.kiln.vsphere");
    }

    @Test
    void it_reads_the_clock_and_waits_only_through_the_time_source() {
        noClasses().should().callMethod(java.time.Instant.class, "now")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().callMethod(Thread.class, "sleep", long.class)
                .orShould().callMethod(Thread.class, "sleep", long.class, int.class)
                .because("every wait and timestamp goes through Kiln's TimeSource, so runs work in virtual time")
                .check(provider);
    }

    @Test
    void it_depends_on_core_only_never_on_another_provider_or_the_testkit() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("dev.kiln.emulators..", "dev.kiln.testkit..",
                        "dev.kiln.aws..", "dev.kiln.azure..", "dev.kiln.gcp..", "dev.kiln.cli..", "dev.kiln.internal..")
                .because("arrows point toward core's API, and a provider never imports another")
                .check(provider);
    }

    @Test
    void its_api_never_returns_internal_types() {
        methods().that().arePublic().and().areDeclaredInClassesThat().resideInAPackage("dev.kiln.vsphere")
                .should().haveRawReturnType(resideInAPackage("dev.kiln.vsphere.internal..").negate()
                        .as("a type outside dev.kiln.vsphere.internal"))
                .because("module-info exports only dev.kiln.vsphere")
                .check(provider);
    }
}

package dev.kiln.gate;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The house rules core keeps, kept by the gate too. */
class GateArchitectureTest {

    private static JavaClasses gate;

    @BeforeAll
    static void importGate() {
        gate = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.kiln.gate");
    }

    @Test
    void it_reads_the_clock_and_waits_only_through_the_time_source() {
        noClasses().should().callMethod(java.time.Instant.class, "now")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().callMethod(Thread.class, "sleep", long.class)
                .orShould().callMethod(Thread.class, "sleep", long.class, int.class)
                .because("every timestamp and duration goes through Kiln's TimeSource")
                .check(gate);
    }

    @Test
    void it_depends_on_cores_api_only() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("dev.kiln.testkit..", "dev.kiln.aws..",
                        "dev.kiln.azure..", "dev.kiln.gcp..", "dev.kiln.vsphere..", "dev.kiln.cli..",
                        "dev.kiln.internal..")
                .because("the gate is a component others wire in; arrows point toward core's API")
                .check(gate);
    }

    @Test
    void it_never_registers_a_security_provider() {
        noClasses().should().callMethod(java.security.Security.class, "addProvider", java.security.Provider.class)
                .orShould().callMethod(java.security.Security.class, "insertProviderAt", java.security.Provider.class,
                        int.class)
                .because("a library changes no JVM-wide state: Bouncy Castle builds certificates, the JDK signs")
                .check(gate);
    }

    @Test
    void its_api_never_returns_internal_types() {
        methods().that().arePublic().and().areDeclaredInClassesThat().resideInAPackage("dev.kiln.gate")
                .should().haveRawReturnType(resideInAPackage("dev.kiln.gate.internal..").negate()
                        .as("a type outside dev.kiln.gate.internal"))
                .because("module-info exports only dev.kiln.gate")
                .check(gate);
    }
}

package dev.kiln.testkit;

import dev.kiln.emulators.EmulatorSettings;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class provider emulators as parameters: declare one of type
 * {@code Ec2Emulator} (or any registered emulator type) on a constructor, a lifecycle method or a
 * test method. One emulator per type is started for the class, shared by its tests and closed
 * after the last. Each also answers over HTTPS ({@code emulator.tls()}), its certificate issued by
 * the class's test CA, which a parameter of type {@code TestCa} receives: hand its PEM or trust
 * store to clients that refuse plain HTTP.
 *
 * <pre>{@code
 * @KilnEmulators
 * class MyTest {
 *     @Test
 *     void runs(Ec2Emulator ec2) { ... ec2.endpoint() ... }
 *
 *     @Test
 *     void overTls(ArmEmulator arm, TestCa ca) { ... arm.tls().orElseThrow().endpoint() ... ca.pem() ... }
 * }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(EmulatorsExtension.class)
public @interface KilnEmulators {

    /** Seed of the emulators' ids and fault draws. */
    long seed() default EmulatorSettings.DEFAULT_SEED;
}

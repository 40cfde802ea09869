package dev.kiln.testkit;

import dev.kiln.emulators.Emulator;
import dev.kiln.emulators.EmulatorSettings;
import dev.kiln.emulators.TestCa;
import dev.kiln.emulators.spi.EmulatorProvider;
import dev.kiln.emulators.spi.EmulatorProviders;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Resolves parameters whose type is a registered emulator, and {@link TestCa} (see
 * {@link KilnEmulators}). The emulator lives in the test class's extension store, so it is started
 * once per class and closed (it is {@link AutoCloseable}) when the class's tests are done. Every
 * emulator also listens over HTTPS ({@link Emulator#tls()}) with a certificate from the class's one
 * test CA, the one a {@code TestCa} parameter receives.
 */
public final class EmulatorsExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(
            EmulatorsExtension.class);

    /** For JUnit. */
    public EmulatorsExtension() {
    }

    private static final String CA = "test-ca";

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type.equals(TestCa.class) || EmulatorProviders.forType(type).isPresent();
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        if (type.equals(TestCa.class)) {
            return ca(classContext(context));
        }
        EmulatorProvider provider = EmulatorProviders.forType(type).orElseThrow(() ->
                new ParameterResolutionException("no emulator is registered for " + type.getName()));
        ExtensionContext classContext = classContext(context);
        long seed = classContext.getTestClass()
                .flatMap(c -> AnnotationSupport.findAnnotation(c, KilnEmulators.class))
                .map(KilnEmulators::seed)
                .orElse(EmulatorSettings.DEFAULT_SEED);
        TestCa ca = ca(classContext);
        return classContext.getStore(NAMESPACE).getOrComputeIfAbsent(provider.name(),
                name -> provider.start(EmulatorSettings.defaults().withSeed(seed).withTls(ca, 0)), Emulator.class);
    }

    /** The test class's CA, made on first use. */
    private static TestCa ca(ExtensionContext classContext) {
        return classContext.getStore(NAMESPACE).getOrComputeIfAbsent(CA, k -> TestCa.create(), TestCa.class);
    }

    /** The context of the test class itself, whatever method context we were asked from. */
    private static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext c = context;
        while (c.getTestMethod().isPresent()) {
            Optional<ExtensionContext> parent = c.getParent();
            if (parent.isEmpty()) {
                break;
            }
            c = parent.get();
        }
        return c;
    }
}

package dev.kiln.testkit;

import dev.kiln.emulators.Emulator;
import dev.kiln.emulators.EmulatorSettings;
import dev.kiln.emulators.spi.EmulatorProvider;
import dev.kiln.emulators.spi.EmulatorProviders;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Resolves parameters whose type is a registered emulator (see {@link KilnEmulators}). The
 * emulator lives in the test class's extension store, so it is started once per class and closed
 * (it is {@link AutoCloseable}) when the class's tests are done.
 */
public final class EmulatorsExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(
            EmulatorsExtension.class);

    /** For JUnit. */
    public EmulatorsExtension() {
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return EmulatorProviders.forType(parameter.getParameter().getType()).isPresent();
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        EmulatorProvider provider = EmulatorProviders.forType(type).orElseThrow(() ->
                new ParameterResolutionException("no emulator is registered for " + type.getName()));
        ExtensionContext classContext = classContext(context);
        long seed = classContext.getTestClass()
                .flatMap(c -> AnnotationSupport.findAnnotation(c, KilnEmulators.class))
                .map(KilnEmulators::seed)
                .orElse(EmulatorSettings.DEFAULT_SEED);
        return classContext.getStore(NAMESPACE).getOrComputeIfAbsent(provider.name(),
                name -> provider.start(EmulatorSettings.defaults().withSeed(seed)), Emulator.class);
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
